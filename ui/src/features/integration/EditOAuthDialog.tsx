import { useMemo } from "react";
import { FormProvider, useForm, useFormContext, useWatch, type FieldErrors, type Resolver } from "react-hook-form";
import { useApi } from "../../api/connection";
import { Dialog } from "../../components/Dialog";
import { ErrorBox, Spinner } from "../../components/bits";
import { CheckboxField, SelectField, TextAreaField, useSubmitError } from "../../components/form";
import type { UserPoolClientType } from "../../generated/cognito-idp";
import { useIdentityProviders } from "../providers/queries";
import {
  asList,
  formFromClient,
  IDENTITY_PROVIDERS,
  OAUTH_FLOWS,
  STANDARD_SCOPES,
  toOAuthUpdateInput,
  urlLines,
  validateOAuth,
  type OAuthContext,
  type OAuthFormValues,
} from "./oauthForm";

type V = OAuthFormValues;

/** The server's rules (oauthForm.ts) as react-hook-form errors. */
function oauthResolver(ctx: OAuthContext): Resolver<V> {
  return async (values) => {
    const e = validateOAuth(values, ctx);
    const errors = Object.fromEntries(Object.entries(e).map(([k, message]) => [k, { type: "validate", message }])) as FieldErrors<V>;
    return Object.keys(errors).length ? { values: {}, errors } : { values, errors: {} };
  };
}

/** An app client's OAuth 2.0 settings; saves the client's whole configuration so nothing else changes. */
export function EditOAuthDialog({
  client,
  customScopes,
  onClose,
  onSaved,
}: {
  client: UserPoolClientType;
  /** The pool's custom scopes, identifier/name. */
  customScopes: string[];
  onClose: () => void;
  onSaved: (c: UserPoolClientType) => void;
}) {
  const api = useApi();
  const submit = useSubmitError();
  const hasSecret = !!client.ClientSecret;
  const initial = useMemo(() => formFromClient(client), [client]);
  // Scopes the client has that the pool no longer defines are listed too, so they can be removed.
  const scopeChoices = useMemo(() => {
    const known = [...STANDARD_SCOPES, ...customScopes];
    return { known, stale: initial.scopes.filter((s) => !known.includes(s)) };
  }, [customScopes, initial.scopes]);
  const resolver = useMemo(() => oauthResolver({ hasSecret, knownScopes: scopeChoices.known }), [hasSecret, scopeChoices.known]);
  const form = useForm<V>({ resolver, defaultValues: initial });
  const enabled = useWatch({ control: form.control, name: "enabled" });
  const callbackText = useWatch({ control: form.control, name: "callbackUrls" });
  const defaultRedirect = useWatch({ control: form.control, name: "defaultRedirectUri" });
  const callbacks = urlLines(callbackText ?? "");
  const redirectOptions = [
    { value: "", label: "— none (the first callback URL) —" },
    ...callbacks.map((u) => ({ value: u, label: u })),
    ...(defaultRedirect && !callbacks.includes(defaultRedirect) ? [{ value: defaultRedirect, label: `${defaultRedirect} (not a callback URL)` }] : []),
  ];
  // COGNITO, the pool's sign-in providers, and any the client names that the pool no longer has.
  const poolProviders = useIdentityProviders(client.UserPoolId);
  const known = [...IDENTITY_PROVIDERS.map((p) => p.value as string), ...(poolProviders.data ?? []).map((p) => p.ProviderName!)];
  const providers = [...new Set([...known, ...asList<string>(initial.identityProviders)])];

  const onValid = async (v: V) => {
    try {
      const r = await api.idp("UpdateUserPoolClient", toOAuthUpdateInput(client, v));
      onSaved(r.UserPoolClient ?? client);
    } catch (e) {
      submit.setError(e);
    }
  };

  return (
    <Dialog title={`OAuth settings of ${client.ClientName ?? client.ClientId}`} onClose={onClose} wide testId="oauth-dialog">
      <FormProvider {...form}>
        <form className="form" noValidate aria-label="Edit OAuth settings" onSubmit={submit.clearingFirst(form.handleSubmit(onValid))}>
          <CheckboxField<V>
            name="enabled"
            label="Use OAuth 2.0 with this client (login pages, authorize and token endpoints)"
            testId="oauth-enabled"
          />
          <fieldset disabled={!enabled} className="oauth-fieldset">
            <legend>Flows</legend>
            <div className="checks" role="group" aria-label="OAuth flows">
              {OAUTH_FLOWS.map((f) => (
                <CheckboxField<V>
                  key={f.value}
                  name="flows"
                  value={f.value}
                  label={f.label}
                  testId={`oauth-flow-${f.value}`}
                  groupError
                  disabled={f.value === "client_credentials" && !hasSecret}
                  hint={
                    f.value === "client_credentials"
                      ? hasSecret
                        ? "Not together with the code or implicit flow."
                        : "Needs a client secret, and this client has none (create a client with a secret for machine-to-machine use)."
                      : undefined
                  }
                />
              ))}
            </div>
            <ErrorText name="flows" />
          </fieldset>
          <fieldset disabled={!enabled} className="oauth-fieldset">
            <legend>Scopes</legend>
            <div className="checks" role="group" aria-label="OAuth scopes">
              {[...scopeChoices.known, ...scopeChoices.stale].map((s) => (
                <CheckboxField<V>
                  key={s}
                  name="scopes"
                  value={s}
                  label={scopeChoices.stale.includes(s) ? `${s} (no longer defined)` : s}
                  testId={`oauth-scope-${s}`}
                  groupError
                />
              ))}
            </div>
            {customScopes.length === 0 && <p className="field-hint">Custom scopes come from the pool's resource servers.</p>}
            <ErrorText name="scopes" />
          </fieldset>
          <fieldset>
            <legend>Redirects</legend>
            <TextAreaField<V>
              name="callbackUrls"
              label="Callback URLs (one a line)"
              testId="oauth-callbacks"
              rows={3}
              hint="https, or http for localhost, 127.0.0.1 and [::1]; app schemes such as myapp://callback; no #fragment."
            />
            <TextAreaField<V> name="logoutUrls" label="Sign-out URLs (one a line)" testId="oauth-logouts" rows={2} />
            <SelectField<V> name="defaultRedirectUri" label="Default redirect URI" testId="oauth-default-redirect" options={redirectOptions} />
          </fieldset>
          <fieldset>
            <legend>Identity providers</legend>
            <div className="checks" role="group" aria-label="Identity providers">
              {providers.map((p) => (
                <CheckboxField<V>
                  key={p}
                  name="identityProviders"
                  value={p}
                  label={IDENTITY_PROVIDERS.find((x) => x.value === p)?.label ?? (known.includes(p) || poolProviders.isPending ? p : `${p} (no longer in the pool)`)}
                  testId={`oauth-provider-${p}`}
                />
              ))}
            </div>
            {poolProviders.data?.length === 0 && <p className="field-hint">Add Google, Facebook or OpenID Connect providers in the Sign-in providers tab.</p>}
            <ErrorBox error={poolProviders.error} onRetry={() => void poolProviders.refetch()} />
          </fieldset>
          <ErrorBox error={submit.error} testId="oauth-error" />
          <div className="dialog-actions">
            <button type="button" onClick={onClose}>
              Cancel
            </button>
            <button type="submit" className="primary" data-testid="oauth-submit" disabled={form.formState.isSubmitting}>
              {form.formState.isSubmitting ? <Spinner label="Saving" /> : null} Save OAuth settings
            </button>
          </div>
        </form>
      </FormProvider>
    </Dialog>
  );
}

/** A checkbox group's error, once for the group (CheckboxField shows it on every box otherwise). */
function ErrorText({ name }: { name: "flows" | "scopes" }) {
  const { formState } = useFormContext<V>();
  const message = formState.errors[name]?.message;
  return message ? (
    <span className="field-error" role="alert" data-testid={`oauth-${name}-error`}>
      {message}
    </span>
  ) : null;
}
