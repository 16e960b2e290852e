import { beforeEach, describe, expect, it, vi } from "vitest";
import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";

vi.mock("@tauri-apps/api/core", () => ({ invoke: vi.fn() }));

import { invoke } from "@tauri-apps/api/core";
import { ConnectionProvider } from "../../api/connection";
import { fakeBackend } from "../../test/fakeBackend";
import { MessagesView, MESSAGES_POLL_MS } from "./MessagesView";

let backend: ReturnType<typeof fakeBackend>;
const message = (n: number, over: object = {}) => ({
  MessageId: `m${n}`,
  UserPoolId: "us-east-1_P1",
  Username: `0000000${n}-aaaa-4bbb-8ccc-000000000000`,
  DeliveryMedium: "EMAIL",
  Destination: `user${n}@example.com`,
  Subject: "Your code",
  Body: `Your code is 12345${n}`,
  Code: `12345${n}`,
  CreatedDate: 1_700_000_000 + n,
  Delivery: "RECORDED",
  ...over,
});

beforeEach(() => {
  backend = fakeBackend();
  vi.mocked(invoke).mockImplementation((cmd, args) => backend.invoke(cmd, args as Record<string, unknown>) as never);
});

function renderView() {
  render(
    <QueryClientProvider client={new QueryClient({ defaultOptions: { queries: { retry: false } } })}>
      <ConnectionProvider connection="local">
        <MessagesView />
      </ConnectionProvider>
    </QueryClientProvider>,
  );
}

const listCalls = () => backend.log.filter((l) => l.target === "PoolDesk.ListMessages").map((l) => l.input);

describe("Messages", () => {
  it("searches by e-mail (the server's Search matches the destination too)", async () => {
    const user = userEvent.setup();
    backend.messages.push(message(2), message(1, { Destination: "alice@example.com" }));
    renderView();
    await waitFor(() => expect(screen.getAllByTestId("message-row")).toHaveLength(2));
    await user.type(screen.getByTestId("messages-search"), "Alice@Example{Enter}");
    await waitFor(() => expect(screen.getAllByTestId("message-row")).toHaveLength(1));
    expect(screen.getByTestId("message-row")).toHaveTextContent("alice@example.com");
    expect(listCalls().at(-1)).toEqual({ Search: "Alice@Example", MaxResults: 50 });
  });

  it("copies a message's code", async () => {
    const user = userEvent.setup();
    const writeText = vi.fn().mockResolvedValue(undefined);
    Object.defineProperty(navigator, "clipboard", { value: { writeText }, configurable: true });
    backend.messages.push(message(1));
    renderView();
    const row = await screen.findByTestId("message-row");
    await user.click(within(row).getByTestId("message-copy"));
    expect(writeText).toHaveBeenCalledWith("123451");
    expect(within(row).getByTestId("message-copy")).toHaveTextContent("Copied");
  });

  it("shows new messages on its own", async () => {
    renderView();
    expect(await screen.findByText("No messages")).toBeInTheDocument();
    backend.messages.unshift(message(3));
    await waitFor(() => expect(screen.getAllByTestId("message-row")).toHaveLength(1), { timeout: MESSAGES_POLL_MS + 2000 });
  }, 10_000);

  it("opens one message with its whole body", async () => {
    const user = userEvent.setup();
    backend.messages.push(message(1, { Body: "Hello,\nyour code is 123451.\nBye" }));
    renderView();
    await user.click(await screen.findByTestId("message-row"));
    expect(screen.getByTestId("message-details").querySelector("pre")!.textContent).toBe("Hello,\nyour code is 123451.\nBye");
  });
});
