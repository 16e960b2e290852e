import "@testing-library/jest-dom/vitest";
import { cleanup } from "@testing-library/react";
import { afterEach } from "vitest";

afterEach(() => cleanup());

// jsdom lacks pointer capture, which Radix's swipeable toasts call on pointer events.
for (const name of ["hasPointerCapture", "setPointerCapture", "releasePointerCapture"] as const) {
  if (!(name in Element.prototype)) Object.defineProperty(Element.prototype, name, { configurable: true, value: () => false });
}
