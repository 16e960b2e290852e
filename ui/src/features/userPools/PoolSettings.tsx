import { useEffect, useState } from "react";
import { useForm } from "react-hook-form";
import { zodResolver } from "@hookform/resolvers/zod";
import { z } from "zod";
import { useQueryClient } from "@tanstack/react-query";
import { useApi } from "../../api/connection";
import { useConfirm } from "../../components/Confirm";
import { useToast } from "../../components/Toast";
import { ErrorBox, FieldError, Spinner } from "../../components/bits";
import { formatEpoch } from "../../lib/format";
import { toUserPools, type Navigate } from "../../routes";
import { useUserPool } from "./queries";
import { settingsFromPool, toUpdateUserPoolRequest, type PoolSettingsValues } from "./poolSettings";

const schema = z.object({
  minLength: z.number({ invalid_type_error: "Enter a number" }).int().min(6, "At least 6").max(99, "At most 99"),
  requireUppercase: z.boolean(),
  requireLowercase: z.boolean(),
  requireNumbers: z.boolean(),
  requireSymbols: z.boolean(),
  temporaryPasswordValidityDays: z.number({ invalid_type_error: "Enter a number" }).int().min(0).max(365),
  mfa: z.enum(["OFF", "OPTIONAL", "ON"]),
  deletionProtection: z.boolean(),
});

export function PoolSettings({ poolId, navigate }: { poolId: string; navigate: Navigate }) {
  const api = useApi();
  const qc = useQueryClient();
  const toast = useToast();
  const confirm = useConfirm();
  const pool = useUserPool(poolId);
  const [error, setError] = useState<unknown>(null);
  const form = useForm<PoolSettingsValues>({ resolver: zodResolver(schema) });
  const { register, handleSubmit, reset, formState } = form;

  useEffect(() => {
    if (pool.data) reset(settingsFromPool(pool.data));
  }, [pool.data, reset]);

  if (pool.isPending) return <Spinner label="Loading settings" />;
  if (!pool.data) return <ErrorBox error={pool.error} onRetry={() => pool.refetch()} />;
  const p = pool.data;

  const onSave = async (v: PoolSettingsValues) => {
    setError(null);
    try {
      await api.idp("UpdateUserPool", toUpdateUserPoolRequest(p, v));
      if (v.mfa !== (p.MfaConfiguration ?? "OFF")) {
        await api.idp("SetUserPoolMfaConfig", {
          UserPoolId: poolId,
          MfaConfiguration: v.mfa,
          ...(v.mfa !== "OFF" ? { SoftwareTokenMfaConfiguration: { Enabled: true } } : {}),
        });
      }
      toast.ok("Settings saved");
      await qc.invalidateQueries({ queryKey: [api.connection, "DescribeUserPool", poolId] });
    } catch (e) {
      setError(e);
    }
  };

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
      await api.idp("DeleteUserPool", { UserPoolId: poolId });
      toast.ok(`Deleted ${p.Name}`);
      await qc.invalidateQueries({ queryKey: [api.connection, "ListUserPools"] });
      navigate(toUserPools());
    } catch (e) {
      toast.error(e, "Delete failed");
    }
  };

  const schemaAttrs = p.SchemaAttributes ?? [];
  return (
    <div className="settings">
      <dl className="kv">
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
        <dt>Estimated users</dt>
        <dd>{p.EstimatedNumberOfUsers ?? "—"}</dd>
      </dl>

      <form className="form" onSubmit={handleSubmit(onSave)} noValidate aria-label="Pool settings">
        <fieldset>
          <legend>Password policy</legend>
          <label className="field narrow">
            <span>Minimum length (6–99)</span>
            <input type="number" {...register("minLength", { valueAsNumber: true })} aria-invalid={!!formState.errors.minLength} />
            <FieldError message={formState.errors.minLength?.message} />
          </label>
          <div className="checks" role="group" aria-label="Password requirements">
            <label className="check"><input type="checkbox" {...register("requireUppercase")} /> Uppercase</label>
            <label className="check"><input type="checkbox" {...register("requireLowercase")} /> Lowercase</label>
            <label className="check"><input type="checkbox" {...register("requireNumbers")} /> Numbers</label>
            <label className="check"><input type="checkbox" {...register("requireSymbols")} /> Symbols</label>
          </div>
          <label className="field narrow">
            <span>Temporary passwords valid for (days)</span>
            <input type="number" {...register("temporaryPasswordValidityDays", { valueAsNumber: true })} />
            <FieldError message={formState.errors.temporaryPasswordValidityDays?.message} />
          </label>
        </fieldset>
        <fieldset>
          <legend>MFA and protection</legend>
          <label className="field narrow">
            <span>MFA</span>
            <select {...register("mfa")}>
              <option value="OFF">Off</option>
              <option value="OPTIONAL">Optional (authenticator apps)</option>
              <option value="ON">Required (authenticator apps)</option>
            </select>
          </label>
          <label className="check">
            <input type="checkbox" {...register("deletionProtection")} /> Deletion protection
          </label>
        </fieldset>
        <ErrorBox error={error} />
        <div className="form-actions">
          <button type="submit" className="primary" disabled={formState.isSubmitting} data-testid="settings-save">
            {formState.isSubmitting ? <Spinner label="Saving" /> : null} Save settings
          </button>
        </div>
      </form>

      <section aria-labelledby="schema-title">
        <h2 id="schema-title">Attributes</h2>
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
              <tr key={a.Name}>
                <td className="mono">{a.Name}</td>
                <td>{a.AttributeDataType}</td>
                <td>{a.Required ? "yes" : "no"}</td>
                <td>{a.Mutable === false ? "no" : "yes"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      <section className="danger-zone" aria-labelledby="danger-title">
        <h2 id="danger-title">Delete this pool</h2>
        {p.DeletionProtection === "ACTIVE" && (
          <p className="muted">Deletion protection is on: turn it off and save before deleting.</p>
        )}
        <button type="button" className="danger" onClick={onDelete} data-testid="pool-delete">
          Delete user pool…
        </button>
      </section>
    </div>
  );
}
