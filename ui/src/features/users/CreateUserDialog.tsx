import { useEffect, useMemo, useRef, useState } from "react";
import { useForm, type UseFormRegister } from "react-hook-form";
import { zodResolver } from "@hookform/resolvers/zod";
import type { PasswordPolicyType, UserPoolType } from "../../generated/cognito-idp";
import { useApi } from "../../api/connection";
import { Dialog } from "../../components/Dialog";
import { useToast } from "../../components/Toast";
import { ErrorBox, FieldError, Spinner } from "../../components/bits";
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
  const [error, setError] = useState<unknown>(null);
  const { register, handleSubmit, formState, watch, setFocus } = useForm<CreateUserValues>({
    resolver: zodResolver(createUserSchema(form)),
    defaultValues: createUserDefaults(form),
    // Focused here instead, with its label in view (see focusFirstInvalid).
    shouldFocusError: false,
  });
  const formRef = useRef<HTMLFormElement>(null);
  // The dialog focuses its first field on open, before the pool's schema may have loaded.
  useEffect(() => setFocus("username"), [setFocus]);
  const e = formState.errors;
  const standard = form.fields.filter((f) => !f.custom);
  const custom = form.fields.filter((f) => f.custom);
  // The verified boxes go with whichever field holds the address: the username or an attribute.
  const offers = (name: "email" | "phone_number") =>
    form.fields.some((f) => f.name === name) || (form.signIn.kind === "attribute" && form.signIn.attributes.includes(name));
  const hasEmail = offers("email");
  const hasPhone = offers("phone_number");

  const onSubmit = async (v: CreateUserValues) => {
    setError(null);
    try {
      const r = await api.idp("AdminCreateUser", toAdminCreateUserRequest(poolId, form, v));
      const name = r.User ? personName(r.User, pool.UsernameAttributes) : v.username;
      toast.ok(`Created ${name}`);
      onCreated(r.User?.Username ?? v.username, name);
    } catch (err) {
      setError(err);
    }
  };

  return (
    <form ref={formRef} className="form create-user-form" onSubmit={handleSubmit(onSubmit, () => focusFirstInvalid(formRef.current))} noValidate aria-label="Create user">
      <UsernameField form={form} register={register} error={e.username?.message} />
      {standard.map((f) => (
        <AttributeInput key={f.name} field={f} register={register} error={e.attributes?.[f.name]?.message} />
      ))}
      <div className="checks">
        {hasEmail && (
          <label className="check">
            <input type="checkbox" data-testid="user-email-verified" {...register("emailVerified")} /> Mark e-mail as verified
          </label>
        )}
        {hasPhone && (
          <label className="check">
            <input type="checkbox" data-testid="user-phone-verified" {...register("phoneVerified")} /> Mark phone number as verified
          </label>
        )}
      </div>
      {custom.length > 0 && (
        <fieldset data-testid="user-custom-attributes">
          <legend>Custom attributes</legend>
          {custom.map((f) => (
            <AttributeInput key={f.name} field={f} register={register} error={e.attributes?.[f.name]?.message} />
          ))}
        </fieldset>
      )}
      <TemporaryPasswordField
        policy={form.policy}
        register={register}
        value={watch("temporaryPassword")}
        error={e.temporaryPassword?.message}
      />
      <label className="check">
        <input type="checkbox" {...register("suppressMessage")} /> Do not send the invitation message (SUPPRESS)
      </label>
      <ErrorBox error={error} testId="user-error" />
      <div className="dialog-actions">
        <button type="button" onClick={onClose}>
          Cancel
        </button>
        <button type="submit" className="primary" data-testid="user-submit" disabled={formState.isSubmitting}>
          {formState.isSubmitting ? <Spinner label="Creating" /> : null} Create user
        </button>
      </div>
    </form>
  );
}

type Register = UseFormRegister<CreateUserValues>;

/**
 * Focuses the first invalid field and scrolls its whole field (label, hint, error) to the middle
 * of the dialog: a plain focus() leaves the label under the dialog's sticky header.
 */
function focusFirstInvalid(form: HTMLFormElement | null) {
  // After the render that marks the fields invalid.
  requestAnimationFrame(() => {
    const input = form?.querySelector<HTMLElement>('[aria-invalid="true"]');
    if (!input) return;
    input.focus({ preventScroll: true });
    (input.closest(".field") ?? input).scrollIntoView?.({ block: "center" });
  });
}

/** One field for the username; in e-mail / phone pools it is the address itself. */
function UsernameField({ form, register, error }: { form: CreateUserForm; register: Register; error?: string }) {
  if (form.signIn.kind === "username") {
    return (
      <label className="field">
        <span>
          Username
          <RequiredMark />
        </span>
        <input data-testid="user-username" data-autofocus autoComplete="off" aria-invalid={!!error} {...register("username")} />
        <FieldError message={error} />
      </label>
    );
  }
  const { attributes } = form.signIn;
  const both = attributes.length > 1;
  const label = both ? "E-mail or phone number" : attributes[0] === "email" ? "E-mail" : "Phone number";
  const testId = both ? "user-sign-in" : attributes[0] === "email" ? "user-email" : "user-phone";
  return (
    <label className="field">
      <span>
        {label}
        <RequiredMark />
      </span>
      <input
        data-testid={testId}
        data-autofocus
        type={!both && attributes[0] === "email" ? "email" : "text"}
        autoComplete="off"
        aria-invalid={!!error}
        {...register("username")}
      />
      <span className="field-hint">Users of this pool sign in with it: it is their username.</span>
      <FieldError message={error} />
    </label>
  );
}

function RequiredMark() {
  return (
    <span className="required-mark" title="Required by the pool's schema">
      *<span className="sr-only"> (required)</span>
    </span>
  );
}

/** A schema attribute as an input of its type, with its limits and mutability as a hint. */
function AttributeInput({ field, register, error }: { field: AttributeField; register: Register; error?: string }) {
  const testId = field.name === "email" ? "user-email" : field.name === "phone_number" ? "user-phone" : `user-attr-${field.name}`;
  const hint = fieldHint(field);
  const common = { "data-testid": testId, "aria-invalid": !!error, ...register(`attributes.${field.name}`) };
  return (
    <label className="field" data-required={field.required || undefined} data-immutable={!field.mutable || undefined}>
      <span>
        <span className={field.custom ? "mono" : undefined}>{fieldLabel(field.name)}</span>
        {field.required && <RequiredMark />}
        {!field.mutable && (
          <span className="lock" title="Immutable: cannot be changed after the user is created">
            <LockIcon />
          </span>
        )}
      </span>
      {field.kind === "Boolean" ? (
        <select {...common}>
          <option value="">(not set)</option>
          <option value="true">true</option>
          <option value="false">false</option>
        </select>
      ) : (
        <input
          {...common}
          autoComplete="off"
          type={field.name === "email" ? "email" : "text"}
          inputMode={field.kind === "Number" ? "decimal" : undefined}
        />
      )}
      {hint && <span className="field-hint">{hint}</span>}
      <FieldError message={error} />
    </label>
  );
}

/** The temporary password with the pool's policy beside it, each rule ticked as it is met. */
function TemporaryPasswordField({
  policy,
  register,
  value,
  error,
}: {
  policy: PasswordPolicyType | undefined;
  register: Register;
  value: string;
  error?: string;
}) {
  const rules = passwordRules(policy);
  return (
    <div className="field">
      <label className="field">
        <span>Temporary password (empty: generated)</span>
        <input
          type="password"
          autoComplete="new-password"
          data-testid="user-temp-password"
          aria-invalid={!!error}
          aria-describedby="temp-password-policy"
          {...register("temporaryPassword")}
        />
      </label>
      <ul id="temp-password-policy" className="password-rules" aria-label="The pool's password policy" data-testid="password-policy">
        {rules.map((r) => {
          const met = value !== "" && r.met(value);
          return (
            <li key={r.label} data-testid="password-rule" data-met={met} className={met ? "met" : value ? "unmet" : undefined}>
              <span aria-hidden="true">{met ? "✓" : value ? "✗" : "•"}</span> {r.label}
            </li>
          );
        })}
      </ul>
      {error && (
        <span className="field-error" role="alert" data-testid="temp-password-error">
          {error}
        </span>
      )}
    </div>
  );
}
