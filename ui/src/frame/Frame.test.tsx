// The frame says where the screen belongs (this computer or which server, and whether it
// answers) and lets the sidebar collapse, remembered across starts.
import { beforeEach, describe, expect, it, vi } from "vitest";
import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";

vi.mock("@tauri-apps/api/core", () => ({ invoke: vi.fn() }));

import { invoke } from "@tauri-apps/api/core";
import { App } from "../App";
import { CognitoError, fakeBackend } from "../test/fakeBackend";

let backend: ReturnType<typeof fakeBackend>;
const PROD = { name: "prod", endpoint: "https://cognito.example.com", region: "eu-west-1", accessKeyId: "AKIAIOSFODNN7EXAMPLE" };

beforeEach(() => {
  localStorage.clear();
  backend = fakeBackend();
  vi.mocked(invoke).mockImplementation((cmd, args) => backend.invoke(cmd, args as Record<string, unknown>) as never);
});

const renderApp = () =>
  render(
    <QueryClientProvider client={new QueryClient({ defaultOptions: { queries: { retry: false } } })}>
      <App />
    </QueryClientProvider>,
  );

describe("frame", () => {
  it("names the connection in the header with its status", async () => {
    const user = userEvent.setup();
    backend.connections.push({ ...PROD }, { ...PROD, name: "lab", endpoint: "http://10.0.0.2:9229" });
    backend.failures.test.set("lab", new CognitoError("RemoteUnreachable", "connection refused"));
    renderApp();
    expect(screen.getByTestId("header-connection")).toHaveTextContent("This computer");
    expect(screen.getByTestId("header-connection-status")).toHaveAttribute("data-state", "ok");

    await user.click(await screen.findByTestId("connection-prod"));
    expect(screen.getByTestId("header-connection")).toHaveTextContent("prod");
    expect(screen.getByTestId("app-header")).toHaveTextContent(PROD.endpoint);
    await waitFor(() => expect(screen.getByTestId("header-connection-status")).toHaveTextContent("Connected"));

    await user.click(screen.getByTestId("connection-lab"));
    await waitFor(() => expect(screen.getByTestId("header-connection-status")).toHaveAttribute("data-state", "error"));
    expect(screen.getByTestId("header-connection-status")).toHaveAttribute("title", "RemoteUnreachable: connection refused");
  });

  it("marks This computer and remote servers differently in the sidebar", async () => {
    backend.connections.push({ ...PROD });
    renderApp();
    const remote = await screen.findByTestId("connection-prod");
    const local = screen.getByTestId("connection-local");
    expect(local).toHaveAttribute("data-kind", "local");
    expect(remote).toHaveAttribute("data-kind", "remote");
    expect(local).toHaveAccessibleDescription("local pools");
    expect(remote).toHaveAccessibleDescription("remote · cognito.example.com");
  });

  it("collapses the sidebar and remembers it", async () => {
    const user = userEvent.setup();
    const first = renderApp();
    const toggle = screen.getByTestId("sidebar-toggle");
    expect(toggle).toHaveAttribute("aria-expanded", "true");
    await user.click(toggle);
    expect(screen.queryByTestId("nav-user-pools")).toBeNull();
    expect(toggle).toHaveAttribute("aria-expanded", "false");
    expect(toggle).toHaveAccessibleName("Show sidebar");
    first.unmount();

    renderApp();
    expect(screen.queryByTestId("nav-user-pools")).toBeNull();
    await user.click(screen.getByTestId("sidebar-toggle"));
    expect(screen.getByTestId("nav-user-pools")).toBeInTheDocument();
    expect(localStorage.getItem("pooldesk.sidebar")).toBeNull();
  });
});
