// The identity pool's sign-in providers besides user pools: social and OIDC providers
// (SupportedLoginProviders), IAM OIDC and SAML provider ARNs, and the developer provider name.
import { useId } from "react";
import { useFieldArray, useFormContext, useWatch } from "react-hook-form";
import { FieldError } from "../../components/bits";
import { TextField } from "../../components/form";
import {
  appIdLabel,
  KNOWN_LOGIN_PROVIDERS,
  LOGIN_PROVIDERS,
  loginProviderNote,
  oidcProviderHost,
  samlArnError,
  type IdentityPoolFormValues,
} from "./identityPoolForm";
import { samlProviderNameOf, useSamlProviders } from "./samlProviders";

type V = IdentityPoolFormValues;

/** `developerNameSet`: the pool has a developer provider name, which Cognito never lets change. */
export function OtherProvidersFields({ developerNameSet }: { developerNameSet: boolean }) {
  const { control, formState } = useFormContext<V>();
  const logins = useFieldArray({ control, name: "loginProviders" });
  const oidc = useFieldArray({ control, name: "oidcArns" });
  const saml = useFieldArray({ control, name: "samlArns" });
  const oidcRows = useWatch<V, "oidcArns">({ name: "oidcArns" }) ?? [];
  const loginRows = useWatch<V, "loginProviders">({ name: "loginProviders" }) ?? [];
  const samlRows = useWatch<V, "samlArns">({ name: "samlArns" }) ?? [];
  const registered = useSamlProviders();
  const samlListId = useId();
  const oidcHosts = oidcRows.map((r) => oidcProviderHost(r?.arn ?? "")).filter((h): h is string => !!h);
  const listId = useId();

  return (
    <>
      <fieldset data-testid="identity-pool-login-providers">
        <legend>Social and OpenID Connect sign-in</legend>
        <p className="field-hint">
          Each provider with the app id(s) its tokens are issued to (SupportedLoginProviders). For an OpenID Connect provider, the key is the
          host of its ARN below and the value its client id(s), separated by commas. Up to {LOGIN_PROVIDERS.maxEntries}.
        </p>
        <datalist id={listId}>
          {KNOWN_LOGIN_PROVIDERS.map((p) => (
            <option key={p.key} value={p.key}>
              {p.label}
            </option>
          ))}
          {oidcHosts
            .filter((h) => !KNOWN_LOGIN_PROVIDERS.some((p) => p.key === h))
            .map((h) => (
              <option key={h} value={h}>
                OpenID Connect provider
              </option>
            ))}
        </datalist>
        {logins.fields.map((f, i) => {
          const provider = loginRows[i]?.provider ?? "";
          const note = loginProviderNote(provider, oidcHosts);
          return (
            <div key={f.id} className="row-inline provider-row" role="group" aria-label={`Sign-in provider ${i + 1}`}>
              <TextField<V>
                name={`loginProviders.${i}.provider`}
                label="Provider"
                testId={`identity-pool-login-provider-${i}`}
                list={listId}
                hint={note}
                autoComplete="off"
                spellCheck={false}
              />
              <TextField<V>
                name={`loginProviders.${i}.appIds`}
                label={appIdLabel(provider, oidcHosts)}
                testId={`identity-pool-login-appids-${i}`}
                className="grow"
                autoComplete="off"
                spellCheck={false}
              />
              <button type="button" className="small" aria-label={`Remove sign-in provider ${i + 1}`} data-testid={`identity-pool-login-remove-${i}`} onClick={() => logins.remove(i)}>
                Remove
              </button>
            </div>
          );
        })}
        <button
          type="button"
          className="small"
          data-testid="identity-pool-login-add"
          disabled={logins.fields.length >= LOGIN_PROVIDERS.maxEntries}
          onClick={() => logins.append({ provider: "", appIds: "" })}
        >
          Add sign-in provider
        </button>
        <FieldError message={formState.errors.loginProviders?.root?.message ?? formState.errors.loginProviders?.message} testId="identity-pool-login-error" />
      </fieldset>

      <fieldset data-testid="identity-pool-oidc">
        <legend>OpenID Connect providers (IAM)</legend>
        <p className="field-hint">
          The IAM OIDC provider ARNs whose tokens the pool takes. Their app (client) ids go under Social and OpenID Connect sign-in, keyed by the
          provider's host (the part after oidc-provider/).
        </p>
        {oidc.fields.map((f, i) => {
          const host = oidcProviderHost(oidcRows[i]?.arn ?? "");
          const listed = host && loginRows.some((r) => r?.provider.trim() === host);
          return (
            <div key={f.id} className="row-inline provider-row" role="group" aria-label={`OpenID Connect provider ${i + 1}`}>
              <TextField<V>
                name={`oidcArns.${i}.arn`}
                label="OIDC provider ARN"
                testId={`identity-pool-oidc-arn-${i}`}
                className="grow"
                placeholder="arn:aws:iam::123456789012:oidc-provider/idp.example.com"
                hint={host && !listed ? `Add ${host} with its client id(s) under Social and OpenID Connect sign-in.` : undefined}
                autoComplete="off"
                spellCheck={false}
              />
              <button type="button" className="small" aria-label={`Remove OpenID Connect provider ${i + 1}`} data-testid={`identity-pool-oidc-remove-${i}`} onClick={() => oidc.remove(i)}>
                Remove
              </button>
            </div>
          );
        })}
        <button type="button" className="small" data-testid="identity-pool-oidc-add" onClick={() => oidc.append({ arn: "" })}>
          Add OIDC provider ARN
        </button>
      </fieldset>

      <fieldset data-testid="identity-pool-saml">
        <legend>SAML providers (IAM)</legend>
        <p className="field-hint" data-testid="identity-pool-saml-note">
          The IAM SAML providers whose responses the pool takes. An app signs in by passing the base64 SAMLResponse its identity provider posted
          to AWS sign-in (https://signin.aws.amazon.com/saml) as Logins[&lt;provider ARN&gt;], in the enhanced flow only. The role comes from the
          assertion&apos;s https://aws.amazon.com/SAML/Attributes/Role pairs for that provider, unless the provider has role mapping rules.
        </p>
        <datalist id={samlListId} data-testid="identity-pool-saml-suggestions">
          {(registered.data ?? []).map((p) => (
            <option key={p.Arn} value={p.Arn}>
              {samlProviderNameOf(p.Arn)}
            </option>
          ))}
        </datalist>
        {saml.fields.map((f, i) => (
          <div key={f.id} className="row-inline provider-row" role="group" aria-label={`SAML provider ${i + 1}`}>
            <TextField<V>
              name={`samlArns.${i}.arn`}
              label="SAML provider ARN"
              testId={`identity-pool-saml-arn-${i}`}
              className="grow"
              placeholder="arn:aws:iam::123456789012:saml-provider/MyIdP"
              list={samlListId}
              hint={unregisteredSamlNote(samlRows[i]?.arn ?? "", registered.data)}
              autoComplete="off"
              spellCheck={false}
            />
            <button type="button" className="small" aria-label={`Remove SAML provider ${i + 1}`} data-testid={`identity-pool-saml-remove-${i}`} onClick={() => saml.remove(i)}>
              Remove
            </button>
          </div>
        ))}
        <button type="button" className="small" data-testid="identity-pool-saml-add" onClick={() => saml.append({ arn: "" })}>
          Add SAML provider ARN
        </button>
      </fieldset>

      <TextField<V>
        name="developerProviderName"
        label="Developer provider name"
        testId="identity-pool-developer-name"
        readOnly={developerNameSet}
        hint={
          developerNameSet
            ? "Set once: Cognito does not let it change."
            : "Optional: the name your backend uses for developer-authenticated identities. Once saved it cannot change. Letters, digits and . _ - only."
        }
        autoComplete="off"
        spellCheck={false}
      />
    </>
  );
}

/** A warning (not an error) for a well-formed SAML provider ARN this connection has not registered. */
function unregisteredSamlNote(value: string, registered: readonly { Arn: string }[] | undefined): string | undefined {
  const arn = value.trim();
  if (!arn || !registered || samlArnError(arn) || registered.some((p) => p.Arn === arn)) return undefined;
  return "Not registered on this connection: add it under IAM SAML providers on the Identity pools screen, or its responses are refused.";
}
