// The App integration tab in the pool's tab row: after App clients, reached by click and by arrow key.
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

it("opens the App integration tab of a pool, right after App clients", async () => {
  const user = await openNewPool();
  await expectTabAfter(user, { label: "App integration", testId: "tab-integration" }, { label: "App clients", testId: "tab-clients" });
  expect(await screen.findByTestId("domain-none")).toBeInTheDocument();
  expect(screen.getByTestId("domain-create")).toBeInTheDocument();
  expect(screen.getByTestId("resource-server-create")).toBeInTheDocument();
});
