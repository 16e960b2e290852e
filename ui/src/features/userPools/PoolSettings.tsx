import { useEffect } from "react";
import { FormProvider, useForm, useWatch } from "react-hook-form";
import { zodResolver } from "@hookform/resolvers/zod";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import type { GetUserPoolMfaConfigResponse, UserPoolType } from "../../generated/cognito-idp";
import { useApi } from "../../api/connection";
import { ApiError } from "../../api/errors";
import { useConfirm } from "../../components/Confirm";
import { useToast } from "../../components/Toast";
import { ErrorBox, Spinner } from "../../components/bits";
import { CheckboxField, PasswordPolicyFields, SelectField, useSubmitError } from "../../components/form";
import { describePasswordPolicy } from "../../components/form/passwordPolicy";
import { formatEpoch } from "../../lib/format";
import { toUserPools, type Navigate } from "../../routes";
import { useUserPool } from "./queries";
import { MfaFields } from "./MfaFields";
import { describeMfa, methodsKept, mfaFromCognito, toSetMfaConfigRequest } from "./mfa";
import { DEVICE_MODES, describeDevices, poolSettingsSchema, settingsFromPool, toUpdateUserPoolRequest, type PoolSettingsValues } from "./poolSettings";
import { AddCustomAttributeForm } from "./AddCustomAttributeForm";

type V = PoolSettingsValues;

function useMfaConfig(poolId: string) {
  const api = useApi();
  return useQuery({
    queryKey: [api.connection, "GetUserPoolMfaConfig", poolId],
    queryFn: () => api.idp("GetUserPoolMfaConfig", { UserPoolId: poolId }),
  });
}

export function PoolSettings({ poolId, navigate }: { poolId: string; navigate: Navigate }) {
  const pool = useUserPool(poolId);
  const mfa = useMfaConfig(poolId);

  if (pool.isPending || mfa.isPending) return <Spinner label="Loading settings" />;
  if (!pool.data) return <ErrorBox error={pool.error} onRetry={() => pool.refetch()} />;
  const p = pool.data;

  return (
    <div className="settings">
      <PoolSummary pool={p} mfaConfig={mfa.data} />
      <ErrorBox error={mfa.error} onRetry={() => mfa.refetch()} />
      <SettingsForm pool={p} mfaConfig={mfa.data} />
      <AttributesSection pool={p} />
      <DeletePool pool={p} navigate={navigate} />
    </div>
  );
}

function PoolSummary({ pool: p, mfaConfig }: { pool: UserPoolType; mfaConfig?: GetUserPoolMfaConfigResponse }) {
  return (
    <dl className="kv" data-testid="pool-summary">
      <dt>Pool id</dt>
      <dd className="mono">{p.Id}</dd>
      <dt>Created</dt>
      <dd>{formatEpoch(p.CreationDate)}</dd>
      <dt>Sign-in</dt>
      <dd>
        {p.UsernameAttributes?.length
          ? `${p.UsernameAttributes.join(" or ")} as username`
          : `username${p.AliasAttributes?.length ? `, aliases: ${p.AliasAttributes.join(", ")}` : ""}`}
        {p.UsernameConfiguration?.CaseSensitive === false ? " (case-insensitive)" : ""}
      </dd>
      <dt>Password policy</dt>
      <dd data-testid="pool-password-policy">
        {describePasswordPolicy(p.Policies?.PasswordPolicy)} Temporary passwords last{" "}
        {p.Policies?.PasswordPolicy?.TemporaryPasswordValidityDays ?? 7} days.
      </dd>
      <dt>MFA</dt>
      <dd data-testid="pool-mfa">{describeMfa(mfaFromCognito(mfaConfig, p.MfaConfiguration))}</dd>
      <dt>Devices</dt>
      <dd data-testid="pool-devices">{describeDevices(p)}</dd>
      <dt>Estimated users</dt>
      <dd>{p.EstimatedNumberOfUsers ?? "—"}</dd>
    </dl>
  );
}

function SettingsForm({ pool: p, mfaConfig }: { pool: UserPoolType; mfaConfig?: GetUserPoolMfaConfigResponse }) {
  const api = useApi();
  const qc = useQueryClient();
  const toast = useToast();
  const submit = useSubmitError();
  const form = useForm<V>({ resolver: zodResolver(poolSettingsSchema), defaultValues: settingsFromPool(p, mfaConfig) });
  const { handleSubmit, reset, formState } = form;

  useEffect(() => reset(settingsFromPool(p, mfaConfig)), [p, mfaConfig, reset]);

  const onSave = async (v: V) => {
    const poolId = p.Id!;
    try {
      await api.idp("UpdateUserPool", toUpdateUserPoolRequest(p, v));
      // MFA changes only through SetUserPoolMfaConfig, and only when it was changed.
      const before = settingsFromPool(p, mfaConfig).mfa;
      if (JSON.stringify(before) !== JSON.stringify(v.mfa)) {
        const saved = await api.idp("SetUserPoolMfaConfig", toSetMfaConfigRequest(poolId, v.mfa, mfaConfig));
        const kept = methodsKept(v.mfa, mfaFromCognito(saved, v.mfa.mode));
        if (kept.length) {
          // Said plainly rather than letting the ticks jump back on reload.
          submit.setError(new ApiError("Not turned off", `The server kept ${kept.join(" and ")} codes on: it does not turn a configured method off.`));
          return;
        }
      }
      toast.ok("Settings saved");
    } catch (e) {
      submit.setError(e);
    } finally {
      await Promise.all([
        qc.invalidateQueries({ queryKey: [api.connection, "DescribeUserPool", poolId] }),
        qc.invalidateQueries({ queryKey: [api.connection, "GetUserPoolMfaConfig", poolId] }),
      ]);
    }
  };

  return (
    <FormProvider {...form}>
      <form className="form" onSubmit={submit.clearingFirst(handleSubmit(onSave))} noValidate aria-label="Pool settings">
        <PasswordPolicyFields<V> />
        <MfaFields<V> legend="MFA" />
        <fieldset>
          <legend>Remembered devices</legend>
          <DeviceFields />
        </fieldset>
        <fieldset>
          <legend>Protection</legend>
          <CheckboxField<V> name="deletionProtection" label="Deletion protection" />
        </fieldset>
        <ErrorBox error={submit.error} testId="settings-error" />
        <div className="form-actions">
          <button type="submit" className="primary" disabled={formState.isSubmitting} data-testid="settings-save">
            {formState.isSubmitting ? <Spinner label="Saving" /> : null} Save settings
          </button>
        </div>
      </form>
    </FormProvider>
  );
}

function DeviceFields() {
  const mode = useWatch<V, "devices">({ name: "devices" });
  return (
    <>
      <SelectField<V> name="devices" label="Devices" testId="devices-mode" options={DEVICE_MODES} />
      <CheckboxField<V>
        name="devicesReplaceMfa"
        testId="devices-replace-mfa"
        label="A remembered device signs in instead of an MFA code"
        hint={
          mode === "off"
            ? "Only when the pool remembers devices."
            : "Apps prove the device with its own secret (device SRP); other devices still need the code."
        }
        disabled={mode === "off"}
      />
    </>
  );
}

function AttributesSection({ pool: p }: { pool: UserPoolType }) {
  const schemaAttrs = p.SchemaAttributes ?? [];
  return (
    <section aria-labelledby="schema-title" className="subsection">
      <h2 id="schema-title">Attributes</h2>
      <div className="table-wrap">
        <table className="data-table compact">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Type</th>
              <th scope="col">Required</th>
              <th scope="col">Mutable</th>
            </tr>
          </thead>
          <tbody>
            {schemaAttrs.map((a) => (
              <tr key={a.Name} data-testid="schema-row">
                <td className="mono">{a.Name}</td>
                <td>{a.AttributeDataType}</td>
                <td>{a.Required ? "yes" : "no"}</td>
                <td>{a.Mutable === false ? "no" : "yes"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <AddCustomAttributeForm poolId={p.Id!} />
    </section>
  );
}

function DeletePool({ pool: p, navigate }: { pool: UserPoolType; navigate: Navigate }) {
  const api = useApi();
  const qc = useQueryClient();
  const toast = useToast();
  const confirm = useConfirm();
  const onDelete = async () => {
    const ok = await confirm({
      title: "Delete user pool",
      message: (
        <p>
          This deletes <strong>{p.Name}</strong> with all its users, groups and app clients. It cannot be undone.
        </p>
      ),
      confirmLabel: "Delete pool",
      danger: true,
      typeToConfirm: p.Name,
    });
    if (!ok) return;
    try {
      await api.idp("DeleteUserPool", { UserPoolId: p.Id! });
      toast.ok(`Deleted ${p.Name}`);
      await qc.invalidateQueries({ queryKey: [api.connection, "ListUserPools"] });
      navigate(toUserPools());
    } catch (e) {
      toast.error(e, "Delete failed");
    }
  };
  return (
    <section className="danger-zone" aria-labelledby="danger-title">
      <h2 id="danger-title">Delete this pool</h2>
      {p.DeletionProtection === "ACTIVE" && <p className="muted">Deletion protection is on: turn it off and save before deleting.</p>}
      <button type="button" className="danger" onClick={onDelete} data-testid="pool-delete">
        Delete user pool…
      </button>
    </section>
  );
}
