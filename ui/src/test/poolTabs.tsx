// The app over the fake backend with a new pool open: what the tab-row tests of a pool's view
// share. Each test file still mocks `@tauri-apps/api/core` itself (vi.mock is hoisted per file)
// and routes `invoke` to a fakeBackend.
import { expect } from "vitest";
import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { App } from "../App";

/** Renders the app, creates a pool named `name` and waits for its view; returns the user. */
export async function openNewPool(name = "shop") {
  const user = userEvent.setup();
  render(
    <QueryClientProvider client={new QueryClient({ defaultOptions: { queries: { retry: false } } })}>
      <App />
    </QueryClientProvider>,
  );
  await user.click(await screen.findByTestId("create-pool"));
  await user.type(screen.getByTestId("pool-name"), name);
  await user.click(screen.getByTestId("pool-submit"));
  await screen.findByRole("heading", { name });
  return user;
}

/** Checks that the tab labelled `label` (`testId`) comes right after `previous` (its
 * `previousTestId`) in the row, and that the right arrow key moves there from it. */
export async function expectTabAfter(
  user: ReturnType<typeof userEvent.setup>,
  tab: { label: string; testId: string },
  previous: { label: string; testId: string },
) {
  const tabs = screen.getAllByRole("tab").map((t) => t.textContent);
  expect(tabs.indexOf(tab.label)).toBe(tabs.indexOf(previous.label) + 1);
  await user.click(screen.getByTestId(previous.testId));
  await user.keyboard("{ArrowRight}");
  expect(screen.getByTestId(tab.testId)).toHaveAttribute("aria-selected", "true");
}
