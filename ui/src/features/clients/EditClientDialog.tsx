import { useId } from "react";
import { FormProvider, useForm, useFormContext, useWatch } from "react-hook-form";
import { zodResolver } from "@hookform/resolvers/zod";
import { useApi } from "../../api/connection";
import { Dialog } from "../../components/Dialog";
import { ErrorBox, FieldError, Spinner } from "../../components/bits";
import { CheckboxField, NumberField, SelectField, TextField, useSubmitError } from "../../components/form";
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
  const submit = useSubmitError();
  const methods = useForm<V>({
    resolver: zodResolver(clientSchema),
    defaultValues: formFromClient(client),
  });
  const { handleSubmit, formState, control } = methods;
  const rotation = useWatch({ control, name: "RefreshTokenRotation" });

  const onSubmit = async (v: V) => {
    try {
      const r = await api.idp("UpdateUserPoolClient", toUpdateClientInput(client, v));
      onSaved(r.UserPoolClient ?? client);
    } catch (err) {
      submit.setError(err);
    }
  };

  return (
    <Dialog title={`Edit app client ${client.ClientName ?? ""}`} onClose={onClose} wide testId="client-edit-dialog">
      <FormProvider {...methods}>
        <form className="form" onSubmit={submit.clearingFirst(handleSubmit(onSubmit))} noValidate aria-label="Edit app client">
          <TextField<V> name="ClientName" label="Name" testId="client-edit-name" autoFocus />
          <fieldset>
            <legend>Token validity</legend>
            <div className="token-validity">
              <ValidityField kind="access" label="Access token" />
              <ValidityField kind="id" label="ID token" />
              <ValidityField kind="refresh" label="Refresh token" />
            </div>
          </fieldset>
          <fieldset>
            <legend>Authentication flows</legend>
            <div className="checks" role="group" aria-label="Authentication flows">
              {AUTH_FLOWS.map((f) => (
                <CheckboxField<V> key={f.value} name="ExplicitAuthFlows" value={f.value} label={f.label} testId={`client-flow-${f.value}`} />
              ))}
            </div>
          </fieldset>
          <fieldset>
            <legend>Attributes the app may read and write</legend>
            <TextField<V> name="ReadAttributes" label="Read attributes (comma-separated; empty: all)" testId="client-read-attributes" />
            <TextField<V> name="WriteAttributes" label="Write attributes (comma-separated; empty: all writable)" testId="client-write-attributes" />
          </fieldset>
          <fieldset>
            <legend>Security</legend>
            <SelectField<V>
              name="PreventUserExistenceErrors"
              label="When a sign-in names an unknown user"
              testId="client-prevent-existence-errors"
              options={EXISTENCE_ERRORS}
            />
            <CheckboxField<V> name="EnableTokenRevocation" label="Refresh tokens can be revoked" testId="client-token-revocation" />
            <CheckboxField<V>
              name="RefreshTokenRotation"
              label="Rotate refresh tokens (each refresh returns a new refresh token)"
              testId="client-refresh-rotation"
            />
            {rotation && (
              <NumberField<V>
                name="RetryGracePeriodSeconds"
                label="Grace period for the old refresh token (seconds, 0–60)"
                testId="client-grace-period"
                min={0}
                max={60}
              />
            )}
          </fieldset>
          <ErrorBox error={submit.error} testId="client-edit-error" />
          <div className="dialog-actions">
            <button type="button" onClick={onClose}>
              Cancel
            </button>
            <button type="submit" className="primary" data-testid="client-edit-submit" disabled={formState.isSubmitting}>
              {formState.isSubmitting ? <Spinner label="Saving" /> : null} Save app client
            </button>
          </div>
        </form>
      </FormProvider>
    </Dialog>
  );
}

type V = ClientFormValues;

const EXISTENCE_ERRORS = [
  { value: "ENABLED", label: "Answer as for a wrong password (does not reveal who has an account)" },
  { value: "LEGACY", label: "Say the user does not exist (UserNotFoundException)" },
] as const;

/** A token's validity: a number and its unit, one field with one error. */
function ValidityField({ kind, label }: { kind: "access" | "id" | "refresh"; label: string }) {
  const { register, formState } = useFormContext<V>();
  const errors = formState.errors;
  const message = errors[kind]?.value?.message ?? errors[kind]?.unit?.message;
  const errorId = useId();
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
          aria-describedby={message ? errorId : undefined}
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
      <FieldError id={errorId} message={message} />
    </div>
  );
}
