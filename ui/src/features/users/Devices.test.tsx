// A user's remembered devices in the details panel, against the in-memory backend: listed with
// names and last use across pages, remembered or not, forgotten after confirming.
import { beforeEach, describe, expect, it, vi } from "vitest";
import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";

vi.mock("@tauri-apps/api/core", () => ({ invoke: vi.fn() }));

import { invoke } from "@tauri-apps/api/core";
import { ConfirmProvider } from "../../components/Confirm";
import { ToastProvider } from "../../components/Toast";
import { fakeBackend } from "../../test/fakeBackend";
import { UserDetails } from "./UserDetails";

type Json = Record<string, any>;
let backend: ReturnType<typeof fakeBackend>;
let devices: Json[];
const POOL = "us-east-1_P1";

const device = (key: string, name: string, remembered: boolean) => ({
  DeviceKey: key,
  DeviceAttributes: [
    { Name: "device_status", Value: "valid" },
    { Name: "device_name", Value: name },
    { Name: "dev:device_remembered_status", Value: remembered ? "remembered" : "not_remembered" },
    { Name: "last_ip_used", Value: "203.0.113.7" },
  ],
  DeviceCreateDate: 1_700_000_000,
  DeviceLastAuthenticatedDate: 1_700_000_500,
});

beforeEach(() => {
  backend = fakeBackend();
  backend.pools.set(POOL, { Id: POOL, Name: "staff", SchemaAttributes: [{ Name: "sub" }], DeviceConfiguration: { ChallengeRequiredOnNewDevice: true } });
  backend.users.set(POOL, [{ Username: "ann", UserStatus: "CONFIRMED", Enabled: true, Attributes: [{ Name: "sub", Value: "s-1" }] }]);
  devices = [device("us-east-1_aaaa", "Ann's laptop", true), device("us-east-1_bbbb", "Ann's phone", false)];
  // Pages of one, so the list must follow PaginationToken.
  const handlers: Record<string, (i: Json) => unknown> = {
    AdminListDevices: (i) => {
      const start = i.PaginationToken ? devices.findIndex((d) => d.DeviceKey === i.PaginationToken) + 1 : 0;
      const page = devices.slice(start, start + 1);
      return { Devices: page, PaginationToken: start + 1 < devices.length ? page[0]!.DeviceKey : undefined };
    },
    AdminUpdateDeviceStatus: (i) => {
      const d = devices.find((x) => x.DeviceKey === i.DeviceKey)!;
      d.DeviceAttributes.find((a: Json) => a.Name === "dev:device_remembered_status").Value = i.DeviceRememberedStatus;
      return {};
    },
    AdminForgetDevice: (i) => {
      devices = devices.filter((d) => d.DeviceKey !== i.DeviceKey);
      return {};
    },
  };
  vi.mocked(invoke).mockImplementation(async (cmd, args) => {
    const a = args as Json;
    const op = cmd === "call" ? String(a.target).split(".")[1]! : "";
    if (handlers[op]) {
      backend.log.push({ connection: a.connection, target: a.target, input: a.input });
      return structuredClone(handlers[op]!(a.input)) as never;
    }
    return backend.invoke(cmd, a) as never;
  });
});

function renderDetails() {
  const qc = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <QueryClientProvider client={qc}>
      <ToastProvider>
        <ConfirmProvider>
          <UserDetails poolId={POOL} username="ann" onClose={() => {}} onChanged={() => {}} navigate={() => {}} />
        </ConfirmProvider>
      </ToastProvider>
    </QueryClientProvider>,
  );
}

const sent = (op: string) => backend.log.filter((l) => l.target.endsWith(`.${op}`)).map((l) => l.input);

describe("devices", () => {
  it("lists every page of the user's devices with name, last use and where from", async () => {
    renderDetails();
    const section = await screen.findByTestId("user-devices");
    await waitFor(() => expect(within(section).getAllByTestId("user-device")).toHaveLength(2));
    const [laptop, phone] = within(section).getAllByTestId("user-device");
    expect(laptop).toHaveTextContent("Ann's laptop");
    expect(laptop).toHaveTextContent("from 203.0.113.7");
    expect(laptop).toHaveTextContent("Remembered (signs in instead of an MFA code)");
    expect(within(laptop!).getByTestId("device-remembered-us-east-1_aaaa")).toBeChecked();
    expect(within(phone!).getByTestId("device-remembered-us-east-1_bbbb")).not.toBeChecked();
    expect(sent("AdminListDevices")).toEqual([
      { UserPoolId: POOL, Username: "ann", Limit: 60 },
      { UserPoolId: POOL, Username: "ann", Limit: 60, PaginationToken: "us-east-1_aaaa" },
    ]);
  });

  it("remembers a device and forgets another after confirming", async () => {
    const user = userEvent.setup();
    renderDetails();
    const section = await screen.findByTestId("user-devices");
    await waitFor(() => expect(within(section).getAllByTestId("user-device")).toHaveLength(2));
    await user.click(within(section).getByTestId("device-remembered-us-east-1_bbbb"));
    await waitFor(() =>
      expect(sent("AdminUpdateDeviceStatus")).toEqual([
        { UserPoolId: POOL, Username: "ann", DeviceKey: "us-east-1_bbbb", DeviceRememberedStatus: "remembered" },
      ]),
    );
    await waitFor(() => expect(within(section).getByTestId("device-remembered-us-east-1_bbbb")).toBeChecked());

    await user.click(within(section).getByTestId("device-forget-us-east-1_aaaa"));
    expect(screen.getByTestId("confirm-dialog")).toHaveTextContent("Forget Ann's laptop of ann?");
    await user.click(screen.getByTestId("confirm-ok"));
    await waitFor(() => expect(within(section).getAllByTestId("user-device")).toHaveLength(1));
    expect(sent("AdminForgetDevice")).toEqual([{ UserPoolId: POOL, Username: "ann", DeviceKey: "us-east-1_aaaa" }]);
    expect(screen.getAllByTestId("toast-ok").at(-1)).toHaveTextContent("Forgot Ann's laptop");
  });

  it("says when the pool does not remember devices", async () => {
    backend.pools.set(POOL, { Id: POOL, Name: "staff", SchemaAttributes: [{ Name: "sub" }] });
    devices = [];
    renderDetails();
    const section = await screen.findByTestId("user-devices");
    expect(await within(section).findByText("This pool does not remember devices (see its settings).")).toBeInTheDocument();
  });
});
