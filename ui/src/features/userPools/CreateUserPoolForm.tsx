import { useState } from "react";
import { useFieldArray, useForm } from "react-hook-form";
import { zodResolver } from "@hookform/resolvers/zod";
import { useApi } from "../../api/connection";
import { ApiError } from "../../api/errors";
import { ErrorBox, FieldError, Spinner } from "../../components/bits";
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

export interface CreatedPool {
  poolId: string;
  poolName: string;
  clientId?: string;
  clientSecret?: string;
  /** Follow-up steps that failed after the pool itself was created. */
  warnings: ApiError[];
}

export function CreateUserPoolForm({
  onCreated,
  onCancel,
}: {
  onCreated: (c: CreatedPool) => void;
  onCancel: () => void;
}) {
  const api = useApi();
  const [submitError, setSubmitError] = useState<unknown>(null);
  const {
    register,
    control,
    handleSubmit,
    watch,
    formState: { errors, isSubmitting },
  } = useForm<CreatePoolValues, unknown, CreatePoolParsed>({
    resolver: zodResolver(createPoolSchema),
    defaultValues: createPoolDefaults,
  });
  const custom = useFieldArray({ control, name: "customAttributes" });
  const signIn = watch("signIn");
  const createClient = watch("createClient");

  const onSubmit = async (v: CreatePoolParsed) => {
    setSubmitError(null);
    let poolId: string;
    try {
      const res = await api.idp("CreateUserPool", toCreateUserPoolRequest(v));
      poolId = res.UserPool!.Id!;
    } catch (e) {
      setSubmitError(e);
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
    <form className="form wizard" onSubmit={handleSubmit(onSubmit)} noValidate aria-label="Create user pool">
      <fieldset>
        <legend>1. Name</legend>
        <label className="field">
          <span>Pool name</span>
          <input
            data-testid="pool-name"
            data-autofocus
            aria-invalid={!!errors.name}
            aria-describedby="pool-name-error"
            {...register("name")}
          />
          <FieldError id="pool-name-error" message={errors.name?.message} />
        </label>
        <label className="check">
          <input type="checkbox" {...register("deletionProtection")} /> Deletion protection
        </label>
        <label className="field">
          <span>Token signatures (fixed once the pool exists)</span>
          <select data-testid="token-signing" {...register("tokenSigning")}>
            <option value="RS256">RS256, as Cognito signs (every client library expects it)</option>
            <option value="ES256">ES256: faster sign-ins and refreshes (PoolDesk only)</option>
          </select>
        </label>
      </fieldset>

      <fieldset>
        <legend>2. Sign-in identifiers</legend>
        <label className="field">
          <span>Users sign in with</span>
          <select {...register("signIn")}>
            <option value="username">A username (optionally also e-mail / phone as aliases)</option>
            <option value="email">E-mail address as username</option>
            <option value="phone_number">Phone number as username</option>
            <option value="email_or_phone">E-mail or phone number as username</option>
          </select>
        </label>
        {signIn === "username" && (
          <div className="checks" role="group" aria-label="Aliases">
            <label className="check">
              <input type="checkbox" {...register("aliasEmail")} /> Also e-mail (alias)
            </label>
            <label className="check">
              <input type="checkbox" {...register("aliasPhone")} /> Also phone number (alias)
            </label>
            <label className="check">
              <input type="checkbox" {...register("aliasPreferredUsername")} /> Also preferred_username (alias)
            </label>
          </div>
        )}
        <label className="check">
          <input type="checkbox" {...register("caseInsensitive")} /> Case-insensitive usernames
        </label>
        <div className="checks" role="group" aria-label="Auto-verified attributes">
          <label className="check">
            <input type="checkbox" {...register("autoVerifyEmail")} /> Auto-verify e-mail
          </label>
          <label className="check">
            <input type="checkbox" {...register("autoVerifyPhone")} /> Auto-verify phone number
          </label>
        </div>
      </fieldset>

      <fieldset>
        <legend>3. Password policy</legend>
        <label className="field narrow">
          <span>Minimum length (6–99)</span>
          <input
            type="number"
            min={6}
            max={99}
            aria-invalid={!!errors.minLength}
            {...register("minLength", { valueAsNumber: true })}
          />
          <FieldError message={errors.minLength?.message} />
        </label>
        <div className="checks" role="group" aria-label="Password requirements">
          <label className="check">
            <input type="checkbox" {...register("requireUppercase")} /> Uppercase letter
          </label>
          <label className="check">
            <input type="checkbox" {...register("requireLowercase")} /> Lowercase letter
          </label>
          <label className="check">
            <input type="checkbox" {...register("requireNumbers")} /> Number
          </label>
          <label className="check">
            <input type="checkbox" {...register("requireSymbols")} /> Symbol
          </label>
        </div>
        <label className="field narrow">
          <span>Temporary passwords valid for (days)</span>
          <input type="number" min={0} max={365} {...register("temporaryPasswordValidityDays", { valueAsNumber: true })} />
          <FieldError message={errors.temporaryPasswordValidityDays?.message} />
        </label>
      </fieldset>

      <fieldset>
        <legend>4. Multi-factor authentication</legend>
        <label className="field narrow">
          <span>MFA</span>
          <select {...register("mfa")}>
            <option value="OFF">Off</option>
            <option value="OPTIONAL">Optional (authenticator apps)</option>
            <option value="ON">Required (authenticator apps)</option>
          </select>
        </label>
      </fieldset>

      <fieldset>
        <legend>5. Attributes</legend>
        <div className="checks" role="group" aria-label="Required standard attributes">
          <span className="group-label">Required at sign-up:</span>
          {REQUIRABLE_ATTRIBUTES.map((a) => (
            <label key={a} className="check">
              <input type="checkbox" value={a} {...register("requiredAttributes")} /> {a}
            </label>
          ))}
        </div>
        <div className="subsection">
          <span className="group-label">Custom attributes (stored as custom:name)</span>
          {custom.fields.map((f, i) => {
            const e = errors.customAttributes?.[i];
            return (
              <div key={f.id} className="row-inline" role="group" aria-label={`Custom attribute ${i + 1}`}>
                <label className="field">
                  <span>Name</span>
                  <input aria-invalid={!!e?.name} {...register(`customAttributes.${i}.name`)} />
                  <FieldError message={e?.name?.message} />
                </label>
                <label className="field">
                  <span>Type</span>
                  <select {...register(`customAttributes.${i}.type`)}>
                    <option>String</option>
                    <option>Number</option>
                    <option>DateTime</option>
                    <option>Boolean</option>
                  </select>
                </label>
                <label className="field narrow">
                  <span>Min (length / value)</span>
                  <input {...register(`customAttributes.${i}.min`)} inputMode="numeric" />
                  <FieldError message={e?.min?.message} />
                </label>
                <label className="field narrow">
                  <span>Max (length / value)</span>
                  <input {...register(`customAttributes.${i}.max`)} inputMode="numeric" />
                  <FieldError message={e?.max?.message} />
                </label>
                <label className="check">
                  <input type="checkbox" {...register(`customAttributes.${i}.mutable`)} /> Mutable
                </label>
                <button type="button" className="small" aria-label={`Remove custom attribute ${i + 1}`} onClick={() => custom.remove(i)}>
                  Remove
                </button>
              </div>
            );
          })}
          <button
            type="button"
            className="small"
            onClick={() => custom.append({ name: "", type: "String", mutable: true, min: "", max: "" })}
          >
            Add custom attribute
          </button>
        </div>
      </fieldset>

      <fieldset>
        <legend>6. First app client</legend>
        <label className="check">
          <input type="checkbox" {...register("createClient")} /> Create an app client
        </label>
        {createClient && (
          <>
            <label className="field">
              <span>App client name</span>
              <input aria-invalid={!!errors.clientName} {...register("clientName")} />
              <FieldError message={errors.clientName?.message} />
            </label>
            <label className="check">
              <input type="checkbox" {...register("generateSecret")} /> Generate a client secret
            </label>
            <div className="checks" role="group" aria-label="Authentication flows">
              <span className="group-label">Authentication flows:</span>
              {AUTH_FLOWS.map((f) => (
                <label key={f.value} className="check">
                  <input type="checkbox" value={f.value} {...register("authFlows")} /> {f.label}
                </label>
              ))}
            </div>
          </>
        )}
      </fieldset>

      <ErrorBox error={submitError} testId="pool-error" />
      <div className="dialog-actions">
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" className="primary" data-testid="pool-submit" disabled={isSubmitting}>
          {isSubmitting ? <Spinner label="Creating" /> : null} Create pool
        </button>
      </div>
    </form>
  );
}
