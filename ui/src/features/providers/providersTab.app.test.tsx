// The Sign-in providers tab in the pool's tab row: right after App integration, by click and arrow key.
import { beforeEach, expect, it, vi } from "vitest";
import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";

vi.mock("@tauri-apps/api/core", () => ({ invoke: vi.fn() }));

import { invoke } from "@tauri-apps/api/core";
import { App } from "../../App";
import { fakeBackend } from "../../test/fakeBackend";

let backend: ReturnType<typeof fakeBackend>;

beforeEach(() => {
  backend = fakeBackend();
  vi.mocked(invoke).mockImplementation((cmd, args) => backend.invoke(cmd, args as Record<string, unknown>) as never);
});

it("opens the Sign-in providers tab of a pool, right after App integration", async () => {
  const user = userEvent.setup();
  render(
    <QueryClientProvider client={new QueryClient({ defaultOptions: { queries: { retry: false } } })}>
      <App />
    </QueryClientProvider>,
  );
  await user.click(await screen.findByTestId("create-pool"));
  await user.type(screen.getByTestId("pool-name"), "shop");
  await user.click(screen.getByTestId("pool-submit"));
  await screen.findByRole("heading", { name: "shop" });

  const tabs = screen.getAllByRole("tab").map((t) => t.textContent);
  expect(tabs.indexOf("Sign-in providers")).toBe(tabs.indexOf("App integration") + 1);

  await user.click(screen.getByTestId("tab-integration"));
  await user.keyboard("{ArrowRight}");
  expect(screen.getByTestId("tab-providers")).toHaveAttribute("aria-selected", "true");
  expect(await screen.findByTestId("providers-tab")).toBeInTheDocument();
  expect(await screen.findByText("No sign-in providers")).toBeInTheDocument();
  // No domain yet: no redirect URI to register.
  expect(await screen.findByTestId("provider-redirect-none")).toHaveTextContent("no domain");
  expect(screen.getByTestId("provider-add")).toBeInTheDocument();
});
