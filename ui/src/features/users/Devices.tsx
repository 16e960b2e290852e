import { useState } from "react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import type { DeviceType } from "../../generated/cognito-idp";
import { useApi } from "../../api/connection";
import { useConfirm } from "../../components/Confirm";
import { useToast } from "../../components/Toast";
import { EmptyState, ErrorBox, Spinner } from "../../components/bits";
import { attr, formatEpoch } from "../../lib/format";
import { useUserPool } from "../userPools/queries";

/** A device as the list shows it, from its Cognito attributes. */
export interface ShownDevice {
  key: string;
  name: string;
  remembered: boolean;
  lastIp?: string;
  lastUsed?: number;
  created?: number;
}

export function shownDevice(d: DeviceType): ShownDevice {
  return {
    key: d.DeviceKey!,
    name: attr(d.DeviceAttributes, "device_name") || "Unnamed device",
    remembered: attr(d.DeviceAttributes, "dev:device_remembered_status") === "remembered",
    lastIp: attr(d.DeviceAttributes, "last_ip_used") || undefined,
    lastUsed: d.DeviceLastAuthenticatedDate,
    created: d.DeviceCreateDate,
  };
}

/**
 * The devices a user confirmed (remembered devices): when each was last used and from where;
 * remember or stop remembering one (a remembered device may stand in for MFA), or forget it
 * (its next sign-in needs the password and MFA again, and refreshes naming it are refused).
 */
export function Devices({ poolId, username }: { poolId: string; username: string }) {
  const api = useApi();
  const qc = useQueryClient();
  const toast = useToast();
  const confirm = useConfirm();
  const pool = useUserPool(poolId);
  const key = [api.connection, "AdminListDevices", poolId, username];
  const devices = useQuery({
    queryKey: key,
    queryFn: async () => {
      const all: DeviceType[] = [];
      let token: string | undefined;
      do {
        const page = await api.idp("AdminListDevices", { UserPoolId: poolId, Username: username, Limit: 60, PaginationToken: token });
        all.push(...(page.Devices ?? []));
        token = page.PaginationToken;
      } while (token);
      return all.map(shownDevice);
    },
  });
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState<string | null>(null);

  const act = async (device: ShownDevice, run: () => Promise<unknown>, done: string) => {
    setBusy(device.key);
    setError(null);
    try {
      await run();
      toast.ok(done);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(null);
      await qc.invalidateQueries({ queryKey: key });
    }
  };

  const forget = async (d: ShownDevice) => {
    const ok = await confirm({
      title: "Forget device",
      message: `Forget ${d.name} of ${username}? Its next sign-in needs the password (and MFA) again, and refreshes naming it are refused.`,
      confirmLabel: "Forget",
      danger: true,
    });
    if (!ok) return;
    await act(d, () => api.idp("AdminForgetDevice", { UserPoolId: poolId, Username: username, DeviceKey: d.key }), `Forgot ${d.name}`);
  };

  const setRemembered = (d: ShownDevice, remembered: boolean) =>
    act(
      d,
      () =>
        api.idp("AdminUpdateDeviceStatus", {
          UserPoolId: poolId,
          Username: username,
          DeviceKey: d.key,
          DeviceRememberedStatus: remembered ? "remembered" : "not_remembered",
        }),
      `${d.name} is ${remembered ? "remembered" : "no longer remembered"}`,
    );

  const list = devices.data ?? [];
  return (
    <section className="details-section" aria-labelledby="devices-title" data-testid="user-devices">
      <h3 id="devices-title">Devices</h3>
      {devices.isPending && <Spinner label="Loading devices" />}
      {devices.data && list.length === 0 && (
        <EmptyState title="No remembered devices">
          {pool.data && !pool.data.DeviceConfiguration && <p className="muted">This pool does not remember devices (see its settings).</p>}
        </EmptyState>
      )}
      {list.length > 0 && (
        <ul className="identity-list" aria-label="Devices">
          {list.map((d) => (
            <li key={d.key} className="identity-item" data-testid="user-device">
              <div className="identity-text">
                <strong>{d.name}</strong> <span className="mono small-text identity-subject" title="Device key">{d.key}</span>
                <div className="muted small-text">
                  Last used {formatEpoch(d.lastUsed)}
                  {d.lastIp && ` from ${d.lastIp}`}
                </div>
                <label className="device-remembered small-text">
                  <input
                    type="checkbox"
                    checked={d.remembered}
                    disabled={busy === d.key}
                    onChange={(e) => void setRemembered(d, e.target.checked)}
                    data-testid={`device-remembered-${d.key}`}
                  />
                  Remembered{pool.data?.DeviceConfiguration?.ChallengeRequiredOnNewDevice ? " (signs in instead of an MFA code)" : ""}
                </label>
              </div>
              <button
                type="button"
                className="small danger"
                disabled={busy === d.key}
                aria-label={`Forget ${d.name}`}
                data-testid={`device-forget-${d.key}`}
                onClick={() => void forget(d)}
              >
                Forget
              </button>
            </li>
          ))}
        </ul>
      )}
      <ErrorBox error={error ?? devices.error} testId="devices-error" />
    </section>
  );
}
