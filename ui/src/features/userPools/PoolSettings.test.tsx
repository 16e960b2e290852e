// Pool settings: the policy shown, SMS and e-mail MFA beside authenticator apps, a custom
// attribute added to an existing pool.
import { beforeEach, describe, expect, it, vi } from "vitest";
import { render, screen, waitFor, within } from "@testing-library/react";
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

async function openSettingsOfNewPool(user: ReturnType<typeof userEvent.setup>) {
  render(
    <QueryClientProvider client={new QueryClient({ defaultOptions: { queries: { retry: false } } })}>
      <App />
    </QueryClientProvider>,
  );
  await user.click(await screen.findByTestId("create-pool"));
  await user.type(screen.getByTestId("pool-name"), "shop");
  await user.click(screen.getByTestId("pool-submit"));
  await screen.findByRole("heading", { name: "shop" });
  await user.click(screen.getByTestId("tab-settings"));
  return [...backend.pools.keys()][0]!;
}

describe("creating a pool", () => {
  it("shows a generated client secret first, then opens the pool", async () => {
    const user = userEvent.setup();
    render(
      <QueryClientProvider client={new QueryClient({ defaultOptions: { queries: { retry: false } } })}>
        <App />
      </QueryClientProvider>,
    );
    await user.click(await screen.findByTestId("create-pool"));
    await user.type(screen.getByTestId("pool-name"), "api");
    await user.click(screen.getByTestId("generateSecret"));
    await user.click(screen.getByTestId("pool-submit"));
    expect(await screen.findByTestId("client-secret")).toHaveTextContent("s3cret");
    expect(screen.getByTestId("toast-ok")).toHaveTextContent("Created user pool api");
    expect(screen.queryByRole("heading", { name: "api" })).toBeNull();
    await user.click(screen.getByTestId("created-open-pool"));
    expect(await screen.findByRole("heading", { name: "api" })).toBeInTheDocument();
    expect(screen.queryByTestId("client-secret")).toBeNull();
  });
});

describe("pool settings", () => {
  it("shows the password policy and turns on SMS and e-mail MFA", async () => {
    const user = userEvent.setup();
    const poolId = await openSettingsOfNewPool(user);
    expect(await screen.findByTestId("pool-password-policy")).toHaveTextContent(
      "At least 8 characters with an uppercase letter, a lowercase letter and a number.",
    );
    expect(screen.getByTestId("pool-mfa")).toHaveTextContent("Off");
    await user.selectOptions(screen.getByTestId("mfa-mode"), "OPTIONAL");
    await user.click(screen.getByTestId("mfa-totp"));
    await user.click(screen.getByTestId("settings-save"));
    expect(await screen.findByText("Choose at least one way to send codes")).toBeInTheDocument();
    await user.click(screen.getByTestId("mfa-sms"));
    await user.click(screen.getByTestId("mfa-email"));
    await user.click(screen.getByTestId("settings-save"));
    await waitFor(() =>
      expect(backend.mfa.get(poolId)).toEqual({
        MfaConfiguration: "OPTIONAL",
        SoftwareTokenMfaConfiguration: { Enabled: false },
        SmsMfaConfiguration: {},
        EmailMfaConfiguration: {},
      }),
    );
    await waitFor(() => expect(screen.getByTestId("pool-mfa")).toHaveTextContent("Optional: SMS, e-mail"));
  });

  it("adds a custom attribute to the existing pool", async () => {
    const user = userEvent.setup();
    const poolId = await openSettingsOfNewPool(user);
    await user.type(await screen.findByTestId("custom-attr-name"), "tier");
    await user.selectOptions(screen.getByTestId("custom-attr-type"), "Number");
    await user.type(screen.getByTestId("custom-attr-min"), "1");
    await user.type(screen.getByTestId("custom-attr-max"), "5");
    await user.click(screen.getByTestId("custom-attr-mutable"));
    await user.click(screen.getByTestId("custom-attr-add"));
    await waitFor(() => expect(screen.getAllByTestId("schema-row").map((r) => r.textContent)).toContain("custom:tierNumbernono"));
    const added = backend.log.find((l) => l.target.endsWith(".AddCustomAttributes"));
    expect(added!.input).toEqual({
      UserPoolId: poolId,
      CustomAttributes: [
        { Name: "tier", AttributeDataType: "Number", Mutable: false, Required: false, NumberAttributeConstraints: { MinValue: "1", MaxValue: "5" } },
      ],
    });
    expect(screen.getByTestId("custom-attr-name")).toHaveValue("");
    // The server's refusal is shown in the form.
    await user.type(screen.getByTestId("custom-attr-name"), "tier");
    await user.click(screen.getByTestId("custom-attr-add"));
    expect(await screen.findByTestId("custom-attr-error")).toHaveTextContent("custom:tier exists");
    expect(within(screen.getByTestId("pool-summary")).getByText(/At least 8/)).toBeInTheDocument();
  });
});

describe("remembered devices", () => {
  it("turns on opt-in remembering that replaces MFA, and says so in the summary", async () => {
    const user = userEvent.setup();
    const poolId = await openSettingsOfNewPool(user);
    expect(await screen.findByTestId("pool-devices")).toHaveTextContent("Not remembered");
    await user.selectOptions(screen.getByTestId("devices-mode"), "opt-in");
    await user.click(screen.getByTestId("devices-replace-mfa"));
    await user.click(screen.getByTestId("settings-save"));
    await waitFor(() =>
      expect(backend.pools.get(poolId)!.DeviceConfiguration).toEqual({ ChallengeRequiredOnNewDevice: true, DeviceOnlyRememberedOnUserPrompt: true }),
    );
    await waitFor(() =>
      expect(screen.getByTestId("pool-devices")).toHaveTextContent("Remembered when the user opts in; a remembered device replaces MFA"),
    );
  });
});
