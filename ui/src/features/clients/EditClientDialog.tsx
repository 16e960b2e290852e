import { useState } from "react";
import { useForm, type UseFormRegister, type FieldErrors } from "react-hook-form";
import { zodResolver } from "@hookform/resolvers/zod";
import { useApi } from "../../api/connection";
import { Dialog } from "../../components/Dialog";
import { ErrorBox, FieldError, Spinner } from "../../components/bits";
import type { UserPoolClientType } from "../../generated/cognito-idp";
import { AUTH_FLOWS } from "../userPools/createPoolForm";
import { clientSchema, formFromClient, TIME_UNITS, toUpdateClientInput, type ClientFormValues } from "./clientForm";
import "./clients.css";

/** Edits an app client; saves its whole configuration so unedited settings keep their values. */
export function EditClientDialog({
  client,
  onClose,
  onSaved,
}: {
  client: UserPoolClientType;
  onClose: () => void;
  onSaved: (c: UserPoolClientType) => void;
}) {
  const api = useApi();
  const [error, setError] = useState<unknown>(null);
  const { register, handleSubmit, formState, watch } = useForm<ClientFormValues>({
    resolver: zodResolver(clientSchema),
    defaultValues: formFromClient(client),
  });
  const e = formState.errors;
  const rotation = watch("RefreshTokenRotation");

  const onSubmit = async (v: ClientFormValues) => {
    setError(null);
    try {
      const r = await api.idp("UpdateUserPoolClient", toUpdateClientInput(client, v));
      onSaved(r.UserPoolClient ?? client);
    } catch (err) {
      setError(err);
    }
  };

  return (
    <Dialog title={`Edit app client ${client.ClientName ?? ""}`} onClose={onClose} wide testId="client-edit-dialog">
      <form className="form" onSubmit={handleSubmit(onSubmit)} noValidate aria-label="Edit app client">
        <label className="field">
          <span>Name</span>
          <input data-testid="client-edit-name" data-autofocus aria-invalid={!!e.ClientName} {...register("ClientName")} />
          <FieldError message={e.ClientName?.message} />
        </label>
        <fieldset>
          <legend>Token validity</legend>
          <div className="token-validity">
            <ValidityField kind="access" label="Access token" register={register} errors={e} />
            <ValidityField kind="id" label="ID token" register={register} errors={e} />
            <ValidityField kind="refresh" label="Refresh token" register={register} errors={e} />
          </div>
        </fieldset>
        <fieldset>
          <legend>Authentication flows</legend>
          <div className="checks" role="group" aria-label="Authentication flows">
            {AUTH_FLOWS.map((f) => (
              <label key={f.value} className="check">
                <input type="checkbox" value={f.value} data-testid={`client-flow-${f.value}`} {...register("ExplicitAuthFlows")} /> {f.label}
              </label>
            ))}
          </div>
        </fieldset>
        <fieldset>
          <legend>Attributes the app may read and write</legend>
          <label className="field">
            <span>Read attributes (comma-separated; empty: all)</span>
            <input data-testid="client-read-attributes" {...register("ReadAttributes")} />
          </label>
          <label className="field">
            <span>Write attributes (comma-separated; empty: all writable)</span>
            <input data-testid="client-write-attributes" {...register("WriteAttributes")} />
          </label>
        </fieldset>
        <fieldset>
          <legend>Security</legend>
          <label className="field">
            <span>When a sign-in names an unknown user</span>
            <select data-testid="client-prevent-existence-errors" {...register("PreventUserExistenceErrors")}>
              <option value="ENABLED">Answer as for a wrong password (does not reveal who has an account)</option>
              <option value="LEGACY">Say the user does not exist (UserNotFoundException)</option>
            </select>
          </label>
          <label className="check">
            <input type="checkbox" data-testid="client-token-revocation" {...register("EnableTokenRevocation")} /> Refresh tokens can be revoked
          </label>
          <label className="check">
            <input type="checkbox" data-testid="client-refresh-rotation" {...register("RefreshTokenRotation")} /> Rotate refresh tokens (each
            refresh returns a new refresh token)
          </label>
          {rotation && (
            <label className="field narrow">
              <span>Grace period for the old refresh token (seconds, 0–60)</span>
              <input type="number" min={0} max={60} aria-invalid={!!e.RetryGracePeriodSeconds} {...register("RetryGracePeriodSeconds", { valueAsNumber: true })} />
              <FieldError message={e.RetryGracePeriodSeconds?.message} />
            </label>
          )}
        </fieldset>
        <ErrorBox error={error} testId="client-edit-error" />
        <div className="dialog-actions">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="primary" data-testid="client-edit-submit" disabled={formState.isSubmitting}>
            {formState.isSubmitting ? <Spinner label="Saving" /> : null} Save app client
          </button>
        </div>
      </form>
    </Dialog>
  );
}

function ValidityField({
  kind,
  label,
  register,
  errors,
}: {
  kind: "access" | "id" | "refresh";
  label: string;
  register: UseFormRegister<ClientFormValues>;
  errors: FieldErrors<ClientFormValues>;
}) {
  const message = errors[kind]?.value?.message ?? errors[kind]?.unit?.message;
  return (
    <div className="field" role="group" aria-label={`${label} validity`}>
      <span>{label}</span>
      <div className="validity-inputs">
        <input
          type="number"
          min={1}
          aria-label={`${label} validity`}
          data-testid={`client-${kind}-validity`}
          aria-invalid={!!message}
          {...register(`${kind}.value`, { valueAsNumber: true })}
        />
        <select aria-label={`${label} validity unit`} data-testid={`client-${kind}-unit`} {...register(`${kind}.unit`)}>
          {TIME_UNITS.map((u) => (
            <option key={u} value={u}>
              {u}
            </option>
          ))}
        </select>
      </div>
      <FieldError message={message} />
    </div>
  );
}
