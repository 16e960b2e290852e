import { FormProvider, useFieldArray, useForm, useWatch } from "react-hook-form";
import { zodResolver } from "@hookform/resolvers/zod";
import { useApi } from "../../api/connection";
import { ApiError } from "../../api/errors";
import { ErrorBox, Spinner } from "../../components/bits";
import { CheckboxField, PasswordPolicyFields, SelectField, TextField, useSubmitError } from "../../components/form";
import { MfaFields } from "./MfaFields";
import {
  AUTH_FLOWS,
  createPoolDefaults,
  createPoolSchema,
  REQUIRABLE_ATTRIBUTES,
  toCreateClientRequest,
  toCreateUserPoolRequest,
  toMfaRequest,
  type CreatePoolParsed,
  type CreatePoolValues,
} from "./createPoolForm";

type V = CreatePoolValues;

export interface CreatedPool {
  poolId: string;
  poolName: string;
  clientId?: string;
  clientSecret?: string;
  /** Follow-up steps that failed after the pool itself was created. */
  warnings: ApiError[];
}

const SIGN_IN_OPTIONS = [
  { value: "username", label: "A username (optionally also e-mail / phone as aliases)" },
  { value: "email", label: "E-mail address as username" },
  { value: "phone_number", label: "Phone number as username" },
  { value: "email_or_phone", label: "E-mail or phone number as username" },
];

const TOKEN_SIGNING_OPTIONS = [
  { value: "RS256", label: "RS256, as Cognito signs (every client library expects it)" },
  { value: "ES256", label: "ES256: faster sign-ins and refreshes (PoolDesk only)" },
];

const ATTRIBUTE_TYPES = ["String", "Number", "DateTime", "Boolean"].map((t) => ({ value: t, label: t }));

export function CreateUserPoolForm({
  onCreated,
  onCancel,
}: {
  onCreated: (c: CreatedPool) => void;
  onCancel: () => void;
}) {
  const api = useApi();
  const submit = useSubmitError();
  const form = useForm<CreatePoolValues, unknown, CreatePoolParsed>({
    resolver: zodResolver(createPoolSchema),
    defaultValues: createPoolDefaults,
  });
  const { handleSubmit, formState } = form;

  const onSubmit = async (v: CreatePoolParsed) => {
    let poolId: string;
    try {
      const res = await api.idp("CreateUserPool", toCreateUserPoolRequest(v));
      poolId = res.UserPool!.Id!;
    } catch (e) {
      submit.setError(e);
      return;
    }
    const warnings: ApiError[] = [];
    const mfa = toMfaRequest(poolId, v);
    if (mfa) {
      try {
        await api.idp("SetUserPoolMfaConfig", mfa);
      } catch (e) {
        const err = ApiError.from(e);
        warnings.push(new ApiError(err.code, `MFA was not set: ${err.message}`));
      }
    }
    let clientId: string | undefined;
    let clientSecret: string | undefined;
    const client = toCreateClientRequest(poolId, v);
    if (client) {
      try {
        const res = await api.idp("CreateUserPoolClient", client);
        clientId = res.UserPoolClient?.ClientId;
        clientSecret = res.UserPoolClient?.ClientSecret;
      } catch (e) {
        const err = ApiError.from(e);
        warnings.push(new ApiError(err.code, `The app client was not created: ${err.message}`));
      }
    }
    onCreated({ poolId, poolName: v.name, clientId, clientSecret, warnings });
  };

  return (
    <FormProvider {...form}>
      <form className="form wizard" onSubmit={submit.clearingFirst(handleSubmit(onSubmit))} noValidate aria-label="Create user pool">
        <fieldset>
          <legend>1. Name</legend>
          <TextField<V> name="name" label="Pool name" testId="pool-name" autoFocus autoComplete="off" />
          <CheckboxField<V> name="deletionProtection" label="Deletion protection" />
          <SelectField<V> name="tokenSigning" label="Token signatures (fixed once the pool exists)" testId="token-signing" options={TOKEN_SIGNING_OPTIONS} />
        </fieldset>
        <SignInFieldset />
        <PasswordPolicyFields<V> legend="3. Password policy" />
        <MfaFields<V> legend="4. Multi-factor authentication" />
        <AttributesFieldset />
        <FirstClientFieldset />
        <ErrorBox error={submit.error} testId="pool-error" />
        <div className="dialog-actions">
          <button type="button" onClick={onCancel}>
            Cancel
          </button>
          <button type="submit" className="primary" data-testid="pool-submit" disabled={formState.isSubmitting}>
            {formState.isSubmitting ? <Spinner label="Creating" /> : null} Create pool
          </button>
        </div>
      </form>
    </FormProvider>
  );
}

function SignInFieldset() {
  const signIn = useWatch<V, "signIn">({ name: "signIn" });
  return (
    <fieldset>
      <legend>2. Sign-in identifiers</legend>
      <SelectField<V> name="signIn" label="Users sign in with" testId="pool-sign-in" options={SIGN_IN_OPTIONS} />
      {signIn === "username" && (
        <div className="checks" role="group" aria-label="Aliases">
          <CheckboxField<V> name="aliasEmail" label="Also e-mail (alias)" />
          <CheckboxField<V> name="aliasPhone" label="Also phone number (alias)" />
          <CheckboxField<V> name="aliasPreferredUsername" label="Also preferred_username (alias)" />
        </div>
      )}
      <CheckboxField<V> name="caseInsensitive" label="Case-insensitive usernames" />
      <div className="checks" role="group" aria-label="Auto-verified attributes">
        <CheckboxField<V> name="autoVerifyEmail" label="Auto-verify e-mail" />
        <CheckboxField<V> name="autoVerifyPhone" label="Auto-verify phone number" />
      </div>
    </fieldset>
  );
}

function AttributesFieldset() {
  const custom = useFieldArray<V, "customAttributes">({ name: "customAttributes" });
  return (
    <fieldset>
      <legend>5. Attributes</legend>
      <div className="checks" role="group" aria-label="Required standard attributes">
        <span className="group-label">Required at sign-up:</span>
        {REQUIRABLE_ATTRIBUTES.map((a) => (
          <CheckboxField<V> key={a} name="requiredAttributes" value={a} label={a} testId={`required-${a}`} />
        ))}
      </div>
      <div className="subsection">
        <span className="group-label">Custom attributes (stored as custom:name)</span>
        {custom.fields.map((f, i) => (
          <div key={f.id} className="row-inline" role="group" aria-label={`Custom attribute ${i + 1}`}>
            <TextField<V> name={`customAttributes.${i}.name`} label="Name" autoComplete="off" />
            <SelectField<V> name={`customAttributes.${i}.type`} label="Type" options={ATTRIBUTE_TYPES} />
            <TextField<V> name={`customAttributes.${i}.min`} label="Min (length / value)" inputMode="numeric" className="narrow" />
            <TextField<V> name={`customAttributes.${i}.max`} label="Max (length / value)" inputMode="numeric" className="narrow" />
            <CheckboxField<V> name={`customAttributes.${i}.mutable`} label="Mutable" />
            <button type="button" className="small" aria-label={`Remove custom attribute ${i + 1}`} onClick={() => custom.remove(i)}>
              Remove
            </button>
          </div>
        ))}
        <button
          type="button"
          className="small"
          onClick={() => custom.append({ name: "", type: "String", mutable: true, min: "", max: "" })}
        >
          Add custom attribute
        </button>
      </div>
    </fieldset>
  );
}

function FirstClientFieldset() {
  const createClient = useWatch<V, "createClient">({ name: "createClient" });
  return (
    <fieldset>
      <legend>6. First app client</legend>
      <CheckboxField<V> name="createClient" label="Create an app client" />
      {createClient && (
        <>
          <TextField<V> name="clientName" label="App client name" autoComplete="off" />
          <CheckboxField<V> name="generateSecret" label="Generate a client secret" />
          <div className="checks" role="group" aria-label="Authentication flows">
            <span className="group-label">Authentication flows:</span>
            {AUTH_FLOWS.map((f) => (
              <CheckboxField<V> key={f.value} name="authFlows" value={f.value} label={f.label} testId={`flow-${f.value}`} />
            ))}
          </div>
        </>
      )}
    </fieldset>
  );
}
