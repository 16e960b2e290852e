// The Sign-in providers tab in the pool's tab row: right after App integration, by click and arrow key.
import { beforeEach, expect, it, vi } from "vitest";
import { screen } from "@testing-library/react";

vi.mock("@tauri-apps/api/core", () => ({ invoke: vi.fn() }));

import { invoke } from "@tauri-apps/api/core";
import { fakeBackend } from "../../test/fakeBackend";
import { expectTabAfter, openNewPool } from "../../test/poolTabs";

let backend: ReturnType<typeof fakeBackend>;

beforeEach(() => {
  backend = fakeBackend();
  vi.mocked(invoke).mockImplementation((cmd, args) => backend.invoke(cmd, args as Record<string, unknown>) as never);
});

it("opens the Sign-in providers tab of a pool, right after App integration", async () => {
  const user = await openNewPool();
  await expectTabAfter(user, { label: "Sign-in providers", testId: "tab-providers" }, { label: "App integration", testId: "tab-integration" });
  expect(await screen.findByTestId("providers-tab")).toBeInTheDocument();
  expect(await screen.findByText("No sign-in providers")).toBeInTheDocument();
  // No domain yet: no redirect URI to register.
  expect(await screen.findByTestId("provider-redirect-none")).toHaveTextContent("no domain");
  expect(screen.getByTestId("provider-add")).toBeInTheDocument();
});
