import { useEffect, useMemo } from "react";
import { FormProvider, useForm, useWatch } from "react-hook-form";
import { zodResolver } from "@hookform/resolvers/zod";
import type { PasswordPolicyType, UserPoolType } from "../../generated/cognito-idp";
import { useApi } from "../../api/connection";
import { Dialog } from "../../components/Dialog";
import { useToast } from "../../components/Toast";
import { ErrorBox, Spinner } from "../../components/bits";
import { CheckboxField, SelectField, TextField, useSubmitError } from "../../components/form";
import { personName } from "../../lib/person";
import { useUserPool } from "../userPools/queries";
import { createUserDefaults, createUserForm, createUserSchema, toAdminCreateUserRequest, type CreateUserForm, type CreateUserValues } from "./createUser";
import { fieldHint, fieldLabel, passwordRules, type AttributeField } from "./schemaForm";
import { LockIcon } from "./LockIcon";
import "./userForms.css";

export function CreateUserDialog({
  poolId,
  onClose,
  onCreated,
}: {
  poolId: string;
  onClose: () => void;
  /** `username` is Cognito's (an id in e-mail / phone pools); `name` is how a person knows the user. */
  onCreated: (username: string, name: string) => void;
}) {
  const pool = useUserPool(poolId);
  return (
    <Dialog title="Create user" onClose={onClose} testId="create-user-dialog">
      {pool.isPending && <Spinner label="Loading the pool's schema" />}
      <ErrorBox error={pool.error} onRetry={() => void pool.refetch()} />
      {pool.data && <CreateUserFormBody poolId={poolId} pool={pool.data} onClose={onClose} onCreated={onCreated} />}
    </Dialog>
  );
}

function CreateUserFormBody({
  poolId,
  pool,
  onClose,
  onCreated,
}: {
  poolId: string;
  pool: UserPoolType;
  onClose: () => void;
  onCreated: (username: string, name: string) => void;
}) {
  const api = useApi();
  const toast = useToast();
  const form = useMemo(() => createUserForm(pool), [pool]);
  const submit = useSubmitError();
  // The first invalid field is focused on submit (react-hook-form); the dialog shows it whole,
  // with its label, below its header.
  const methods = useForm<CreateUserValues>({
    resolver: zodResolver(createUserSchema(form)),
    defaultValues: createUserDefaults(form),
  });
  const { handleSubmit, formState, setFocus } = methods;
  // The dialog focuses its first field on open, before the pool's schema may have loaded.
  useEffect(() => setFocus("username"), [setFocus]);
  const standard = form.fields.filter((f) => !f.custom);
  const custom = form.fields.filter((f) => f.custom);
  // The verified boxes go with whichever field holds the address: the username or an attribute.
  const offers = (name: "email" | "phone_number") =>
    form.fields.some((f) => f.name === name) || (form.signIn.kind === "attribute" && form.signIn.attributes.includes(name));
  const hasEmail = offers("email");
  const hasPhone = offers("phone_number");

  const onSubmit = async (v: CreateUserValues) => {
    try {
      const r = await api.idp("AdminCreateUser", toAdminCreateUserRequest(poolId, form, v));
      const name = r.User ? personName(r.User, pool.UsernameAttributes) : v.username;
      toast.ok(`Created ${name}`);
      onCreated(r.User?.Username ?? v.username, name);
    } catch (err) {
      submit.setError(err);
    }
  };

  return (
    <FormProvider {...methods}>
      <form className="form create-user-form" onSubmit={submit.clearingFirst(handleSubmit(onSubmit))} noValidate aria-label="Create user">
        <UsernameField form={form} />
        {standard.map((f) => (
          <AttributeInput key={f.name} field={f} />
        ))}
        <div className="checks">
          {hasEmail && <CheckboxField<V> name="emailVerified" label="Mark e-mail as verified" testId="user-email-verified" />}
          {hasPhone && <CheckboxField<V> name="phoneVerified" label="Mark phone number as verified" testId="user-phone-verified" />}
        </div>
        {custom.length > 0 && (
          <fieldset data-testid="user-custom-attributes">
            <legend>Custom attributes</legend>
            {custom.map((f) => (
              <AttributeInput key={f.name} field={f} />
            ))}
          </fieldset>
        )}
        <TemporaryPasswordField policy={form.policy} />
        <CheckboxField<V> name="suppressMessage" label="Do not send the invitation message (SUPPRESS)" testId="user-suppress" />
        <ErrorBox error={submit.error} testId="user-error" />
        <div className="dialog-actions">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="primary" data-testid="user-submit" disabled={formState.isSubmitting}>
            {formState.isSubmitting ? <Spinner label="Creating" /> : null} Create user
          </button>
        </div>
      </form>
    </FormProvider>
  );
}

type V = CreateUserValues;

/** One field for the username; in e-mail / phone pools it is the address itself. */
function UsernameField({ form }: { form: CreateUserForm }) {
  if (form.signIn.kind === "username") {
    return (
      <TextField<V>
        name="username"
        label={
          <>
            Username
            <RequiredMark />
          </>
        }
        testId="user-username"
        autoFocus
        autoComplete="off"
      />
    );
  }
  const { attributes } = form.signIn;
  const both = attributes.length > 1;
  const label = both ? "E-mail or phone number" : attributes[0] === "email" ? "E-mail" : "Phone number";
  const testId = both ? "user-sign-in" : attributes[0] === "email" ? "user-email" : "user-phone";
  return (
    <TextField<V>
      name="username"
      label={
        <>
          {label}
          <RequiredMark />
        </>
      }
      hint="Users of this pool sign in with it: it is their username."
      testId={testId}
      autoFocus
      type={!both && attributes[0] === "email" ? "email" : "text"}
      autoComplete="off"
    />
  );
}

function RequiredMark() {
  return (
    <span className="required-mark" title="Required by the pool's schema">
      *<span className="sr-only"> (required)</span>
    </span>
  );
}

const BOOLEAN_OPTIONS = [
  { value: "", label: "(not set)" },
  { value: "true", label: "true" },
  { value: "false", label: "false" },
] as const;

/** A schema attribute as an input of its type, with its limits and mutability as a hint. */
function AttributeInput({ field }: { field: AttributeField }) {
  const testId = field.name === "email" ? "user-email" : field.name === "phone_number" ? "user-phone" : `user-attr-${field.name}`;
  const name = `attributes.${field.name}` as const;
  const common = {
    name,
    testId,
    hint: fieldHint(field) || undefined,
    frameAttributes: { "data-required": field.required ? "true" : undefined, "data-immutable": !field.mutable ? "true" : undefined },
    label: (
      <>
        <span className={field.custom ? "mono" : undefined}>{fieldLabel(field.name)}</span>
        {field.required && <RequiredMark />}
        {!field.mutable && (
          <span className="lock" title="Immutable: cannot be changed after the user is created">
            <LockIcon />
          </span>
        )}
      </>
    ),
  };
  return field.kind === "Boolean" ? (
    <SelectField<V> {...common} options={BOOLEAN_OPTIONS} />
  ) : (
    <TextField<V>
      {...common}
      autoComplete="off"
      type={field.name === "email" ? "email" : "text"}
      inputMode={field.kind === "Number" ? "decimal" : undefined}
    />
  );
}

/** The temporary password with the pool's policy under it, each rule ticked as it is met. */
function TemporaryPasswordField({ policy }: { policy: PasswordPolicyType | undefined }) {
  const value = useWatch<V, "temporaryPassword">({ name: "temporaryPassword" });
  const rules = passwordRules(policy);
  return (
    <TextField<V>
      name="temporaryPassword"
      label="Temporary password (empty: generated)"
      type="password"
      autoComplete="new-password"
      testId="user-temp-password"
      errorTestId="temp-password-error"
      hint={
        <ul className="password-rules" aria-label="The pool's password policy" data-testid="password-policy">
          {rules.map((r) => {
            const met = value !== "" && r.met(value);
            return (
              <li key={r.label} data-testid="password-rule" data-met={met} className={met ? "met" : value ? "unmet" : undefined}>
                <span aria-hidden="true">{met ? "✓" : value ? "✗" : "•"}</span> {r.label}
              </li>
            );
          })}
        </ul>
      }
    />
  );
}
