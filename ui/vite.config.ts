/// <reference types="vitest/config" />
import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

// Tauri loads ui/dist from disk (custom protocol), so asset URLs stay relative, and the dev
// server must be on a fixed port that tauri.conf.json's devUrl points at.
export default defineConfig({
  base: "./",
  plugins: [react()],
  clearScreen: false,
  // tauri.conf.json devUrl is http://localhost:1420.
  // The branding preview imports the login pages' stylesheet from ../assets/login (?raw).
  server: { port: 1420, strictPort: true, fs: { allow: [".", "../assets/login"] } },
  build: {
    outDir: "dist",
    target: "es2021",
    sourcemap: false,
    // A strict CSP forbids inline scripts; Vite's module preload polyfill is inline-free but unneeded.
    modulePreload: { polyfill: false },
  },
  test: {
    environment: "jsdom",
    globals: true,
    setupFiles: ["./src/test/setup.ts"],
    include: ["src/**/*.test.{ts,tsx}"],
    // Whole-app journeys type into many fields; on a loaded 2-core machine they pass 5 s.
    testTimeout: 20_000,
    // Stylesheets are empty in tests, except the login pages' one the branding preview embeds.
    css: { include: [/assets\/login\/login\.css/] },
  },
});
