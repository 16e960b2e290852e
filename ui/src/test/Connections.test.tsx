// Remote connections through the whole app: adding a server (tested first by the Rust side),
// failures shown as the server words them, removing, and what a remote connection offers.
import { beforeEach, describe, expect, it, vi } from "vitest";
import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";

vi.mock("@tauri-apps/api/core", () => ({ invoke: vi.fn() }));

import { invoke } from "@tauri-apps/api/core";
import { App } from "../App";
import { CognitoError, fakeBackend } from "./fakeBackend";

let backend: ReturnType<typeof fakeBackend>;
const SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const PROD = { name: "prod", endpoint: "https://cognito.example.com", region: "eu-west-1", accessKeyId: "AKIAIOSFODNN7EXAMPLE" };

beforeEach(() => {
  backend = fakeBackend();
  vi.mocked(invoke).mockImplementation((cmd, args) => backend.invoke(cmd, args as Record<string, unknown>) as never);
});

function renderApp() {
  const qc = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  render(
    <QueryClientProvider client={qc}>
      <App />
    </QueryClientProvider>,
  );
  return qc;
}

async function fillServer(user: ReturnType<typeof userEvent.setup>, over: Partial<typeof PROD> = {}) {
  const v = { ...PROD, ...over };
  await user.type(screen.getByTestId("connection-name"), v.name);
  await user.type(screen.getByTestId("connection-endpoint"), v.endpoint);
  await user.clear(screen.getByTestId("connection-region"));
  await user.type(screen.getByTestId("connection-region"), v.region);
  await user.type(screen.getByTestId("connection-access-key-id"), v.accessKeyId);
  await user.type(screen.getByTestId("connection-secret"), SECRET);
}

const addCalls = () => backend.commands.filter((c) => c.cmd === "connection_add");

describe("remote connections", () => {
  it("adds a server after testing it, lists it, switches to it and calls through it", async () => {
    const user = userEvent.setup();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    vi.mocked(invoke).mockImplementation((async (cmd: string, args: Record<string, unknown>) => {
      if (cmd === "connection_add") await gate;
      return backend.invoke(cmd, args);
    }) as never);
    const qc = renderApp();
    expect(screen.getByTestId("connection-local")).toHaveAttribute("aria-current", "true");

    await user.click(screen.getByTestId("add-connection"));
    expect(screen.getByTestId("connection-region")).toHaveValue("us-east-1");
    expect(screen.getByTestId("connection-secret")).toHaveAttribute("type", "password");
    expect(screen.getByTestId("connection-endpoint")).toHaveAttribute("placeholder", "https://cognito.example.com");
    await fillServer(user);
    await user.click(screen.getByTestId("connection-submit"));
    await waitFor(() => expect(screen.getByTestId("connection-submit")).toHaveTextContent("Testing…"));
    expect(screen.getByTestId("connection-submit")).toBeDisabled();
    release();

    await waitFor(() => expect(screen.queryByTestId("add-connection-dialog")).toBeNull());
    expect(addCalls().map((c) => c.args)).toEqual([{ input: { ...PROD, secretAccessKey: SECRET } }]);
    const prod = await screen.findByTestId("connection-prod");
    expect(prod).toHaveTextContent("prod");
    expect(prod).toHaveAttribute("title", PROD.endpoint);
    expect(prod).toHaveAttribute("aria-current", "true");
    expect(screen.getByTestId("connection-local")).not.toHaveAttribute("aria-current");
    expect(await screen.findByTestId("toast-ok")).toHaveTextContent("Connected to prod: 0 user pools");

    expect(await screen.findByText("No user pools yet")).toBeInTheDocument();
    await user.click(screen.getByTestId("nav-identity-pools"));
    await waitFor(() => expect(backend.log.some((l) => l.target.endsWith(".ListIdentityPools"))).toBe(true));
    await waitFor(() => expect(backend.log.some((l) => l.target.endsWith(".ListSAMLProviders"))).toBe(true));
    expect(backend.log.filter((l) => l.connection === "prod").map((l) => l.target).sort()).toEqual([
      "AWSCognitoIdentityProviderService.ListUserPools",
      "AWSCognitoIdentityService.ListIdentityPools",
      "AWSIdentityManagementV20100508.ListSAMLProviders",
    ]);

    // The secret went to the command once and is kept nowhere else.
    const cached = JSON.stringify([
      qc.getQueryCache().getAll().map((q) => [q.queryKey, q.state.data]),
      qc.getMutationCache().getAll().map((m) => m.state.variables),
      { ...localStorage },
      { ...sessionStorage },
    ]);
    expect(cached).not.toContain(SECRET);
  });

  it("shows a failed add's message in the form, keeps the dialog and its fields, saves nothing", async () => {
    const user = userEvent.setup();
    const message =
      "The server refused the secret access key for AKIAIOSFODNN7EXAMPLE: the signature does not match. Check the secret and try again.";
    backend.failures.add = new CognitoError("InvalidSignatureException", message);
    renderApp();

    await user.click(screen.getByTestId("add-connection"));
    await fillServer(user);
    await user.click(screen.getByTestId("connection-submit"));
    const error = await screen.findByTestId("connection-error");
    expect(error).toHaveAttribute("role", "alert");
    expect(error).toHaveTextContent("Wrong secret access key");
    expect(error).toHaveTextContent(message);

    expect(screen.getByTestId("add-connection-dialog")).toBeInTheDocument();
    expect(screen.getByTestId("connection-name")).toHaveValue("prod");
    expect(screen.getByTestId("connection-endpoint")).toHaveValue(PROD.endpoint);
    expect(screen.getByTestId("connection-access-key-id")).toHaveValue(PROD.accessKeyId);
    expect(screen.getByTestId("connection-submit")).toHaveTextContent("Test and add");
    expect(addCalls()).toHaveLength(1);
    expect(backend.connections).toEqual([]);
    expect(screen.queryByTestId("connection-prod")).toBeNull();
    expect(screen.getByTestId("connection-local")).toHaveAttribute("aria-current", "true");

    // Client-side checks stop obvious mistakes before any command.
    await user.clear(screen.getByTestId("connection-name"));
    await user.type(screen.getByTestId("connection-name"), "local");
    await user.click(screen.getByTestId("connection-submit"));
    expect(await screen.findByText('"local" is this computer; choose another name')).toBeInTheDocument();
    expect(addCalls()).toHaveLength(1);
  });

  it("removes a connection after confirming and falls back to This computer", async () => {
    const user = userEvent.setup();
    backend.connections.push({ ...PROD });
    renderApp();
    await user.click(await screen.findByTestId("connection-prod"));
    expect(screen.getByTestId("connection-prod")).toHaveAttribute("aria-current", "true");

    await user.click(screen.getByTestId("nav-connections"));
    const card = await screen.findByTestId("connection-card-prod");
    expect(card).toHaveTextContent(PROD.endpoint);
    expect(card).toHaveTextContent(PROD.region);
    expect(card).toHaveTextContent(PROD.accessKeyId);

    await user.click(within(card).getByTestId("connection-test-prod"));
    expect(await screen.findByTestId("connection-test-result-prod")).toHaveTextContent(
      "Connected: 0 user pools, clock offset 0s",
    );

    await user.click(screen.getByTestId("connection-remove-prod"));
    expect(screen.getByTestId("confirm-dialog")).toHaveTextContent(
      "Remove prod? Its secret access key is deleted from the keychain.",
    );
    await user.click(screen.getByTestId("confirm-cancel"));
    expect(backend.commands.some((c) => c.cmd === "connection_remove")).toBe(false);

    await user.click(screen.getByTestId("connection-remove-prod"));
    await user.click(screen.getByTestId("confirm-ok"));
    await waitFor(() => expect(screen.queryByTestId("connection-prod")).toBeNull());
    expect(backend.commands.filter((c) => c.cmd === "connection_remove").map((c) => c.args)).toEqual([{ name: "prod" }]);
    expect(screen.getByTestId("connection-local")).toHaveAttribute("aria-current", "true");
    expect(await screen.findByRole("heading", { name: "User pools" })).toBeInTheDocument();
  });

  it("offers Serve only on This computer", async () => {
    const user = userEvent.setup();
    backend.connections.push({ ...PROD });
    renderApp();
    expect(screen.getByTestId("nav-serve")).toBeInTheDocument();
    await user.click(screen.getByTestId("nav-serve"));
    await user.click(await screen.findByTestId("connection-prod"));
    expect(screen.queryByTestId("nav-serve")).toBeNull();
    expect(screen.getByTestId("nav-user-pools")).toHaveAttribute("aria-current", "page");
    expect(await screen.findByRole("heading", { name: "User pools" })).toBeInTheDocument();
    await user.click(screen.getByTestId("connection-local"));
    expect(screen.getByTestId("nav-serve")).toBeInTheDocument();
  });

  it("shows a remote's failure message on list screens and offers re-adding a lost secret", async () => {
    const user = userEvent.setup();
    backend.connections.push({ ...PROD });
    const unreachable = "Could not reach https://cognito.example.com: connection refused. Is `pooldesk serve` running there?";
    backend.failures.call.set("prod", new CognitoError("RemoteUnreachable", unreachable));
    backend.failures.test.set("prod", new CognitoError("SecretMissing", "The keychain has no secret for prod; add it again."));
    renderApp();
    await user.click(await screen.findByTestId("connection-prod"));
    const error = await screen.findByTestId("error");
    expect(error).toHaveTextContent("Server unreachable");
    expect(error).toHaveTextContent(unreachable);

    await user.click(screen.getByTestId("nav-connections"));
    await user.click(await screen.findByTestId("connection-test-prod"));
    const result = await screen.findByTestId("connection-test-result-prod");
    expect(within(result).getByRole("alert")).toHaveTextContent("The keychain has no secret for prod; add it again.");
    await user.click(screen.getByTestId("connection-readd-prod"));
    expect(screen.getByTestId("connection-name")).toHaveValue("prod");
    expect(screen.getByTestId("connection-endpoint")).toHaveValue(PROD.endpoint);
    expect(screen.getByTestId("connection-region")).toHaveValue(PROD.region);
    expect(screen.getByTestId("connection-replace")).toBeChecked();
    expect(screen.getByTestId("connection-secret")).toHaveValue("");
  });
});
