import { Fragment, useId, useState } from "react";
import { FormProvider, useFieldArray, useForm, useFormContext, useWatch } from "react-hook-form";
import { zodResolver } from "@hookform/resolvers/zod";
import { useQueryClient } from "@tanstack/react-query";
import { useApi } from "../../api/connection";
import { useConfirm } from "../../components/Confirm";
import { useToast } from "../../components/Toast";
import { Dialog } from "../../components/Dialog";
import { CertificateView } from "../../components/Certificate";
import { CopyButton, EmptyState, ErrorBox, Spinner } from "../../components/bits";
import { CheckboxField, SelectField, TextAreaField, TextField, useSubmitError } from "../../components/form";
import { SAML_METADATA_ACCEPT, TextFilePicker } from "../../components/TextFilePicker";
import type { ProviderDescription } from "../../generated/cognito-idp";
import { formatEpoch } from "../../lib/format";
import { useUserPool } from "../userPools/queries";
import { domainBaseUrl } from "../integration/domainForm";
import { useConnectionEndpoint } from "../integration/queries";
import {
  DETAIL_FIELDS,
  discoveredRows,
  formFromProvider,
  hasAllEndpoints,
  idpResponseUrl,
  isNamedByAdmin,
  isSecretKey,
  MAX_IDENTIFIERS,
  MAX_METADATA_FILE,
  mappableAttributes,
  newProviderForm,
  OIDC_ENDPOINTS,
  PROVIDER_TYPES,
  providerSchema,
  SAML_ATTRIBUTE_EXAMPLE,
  samlAcsUrl,
  samlLogoutUrl,
  samlEntityId,
  toCreateProviderInput,
  toUpdateProviderInput,
  typeLabel,
  USERNAME_SOURCE,
  withDiscoveredEndpoints,
  type DetailField,
  type ProviderFormValues,
  type ProviderKind,
} from "./providerForm";
import { useClientsByProvider, useIdentityProvider, useIdentityProviders, useSigningCertificate } from "./queries";
import "./providers.css";

type V = ProviderFormValues;

/** The pool's external sign-in providers (OIDC, SAML, social): who they are, which clients offer them. */
export function ProvidersTab({ poolId }: { poolId: string }) {
  const api = useApi();
  const qc = useQueryClient();
  const confirm = useConfirm();
  const toast = useToast();
  const providers = useIdentityProviders(poolId);
  const usage = useClientsByProvider(poolId);
  const [dialog, setDialog] = useState<{ mode: "create" } | { mode: "edit"; name: string } | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  const list = providers.data ?? [];

  const refresh = () =>
    Promise.all([
      qc.invalidateQueries({ queryKey: [api.connection, "ListIdentityProviders", poolId] }),
      qc.invalidateQueries({ queryKey: [api.connection, "DescribeIdentityProvider", poolId] }),
    ]);

  const remove = async (p: ProviderDescription) => {
    const name = p.ProviderName!;
    const users = usage.byProvider.get(name) ?? [];
    const ok = await confirm({
      title: "Delete sign-in provider",
      message: `Delete ${name}? People can no longer sign in through it${users.length ? `, and the app clients ${users.join(", ")} stop offering it` : ""}. Users it created stay in the pool.`,
      confirmLabel: "Delete provider",
      danger: true,
    });
    if (!ok) return;
    try {
      await api.idp("DeleteIdentityProvider", { UserPoolId: poolId, ProviderName: name });
      if (open === name) setOpen(null);
      await refresh();
      toast.ok(`Provider ${name} deleted`);
    } catch (e) {
      toast.error(e, "Delete failed");
    }
  };

  return (
    <div className="providers-tab" data-testid="providers-tab">
      <RedirectUriCard poolId={poolId} />
      <section className="card providers-section" aria-labelledby="providers-title">
        <header className="providers-section-header">
          <h2 id="providers-title">Sign-in providers</h2>
          <button type="button" className="primary small" data-testid="provider-add" onClick={() => setDialog({ mode: "create" })}>
            Add provider
          </button>
        </header>
        <p className="muted">
          Let people sign in with an account elsewhere (an OpenID Connect or SAML 2.0 provider, Google, Facebook, Amazon, Apple). An app client offers a
          provider once it is ticked in the client's OAuth settings (App integration).
        </p>
        {providers.isPending && <Spinner label="Loading providers" />}
        <ErrorBox error={providers.error} onRetry={() => void providers.refetch()} />
        {providers.data && list.length === 0 && (
          <EmptyState title="No sign-in providers">
            <p>Add one to let people sign in with an account they already have.</p>
          </EmptyState>
        )}
        {list.length > 0 && (
          <table className="data-table providers-table" aria-label="Sign-in providers">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Type</th>
                <th scope="col">Created</th>
                <th scope="col">Used by</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.map((p) => {
                const name = p.ProviderName!;
                const users = usage.byProvider.get(name) ?? [];
                return (
                  <tr key={name} data-testid="provider-row" data-name={name} className={open === name ? "current" : undefined}>
                    <td className="mono">{name}</td>
                    <td>{typeLabel(p.ProviderType)}</td>
                    <td>{formatEpoch(p.CreationDate)}</td>
                    <td data-testid={`provider-clients-${name}`}>
                      {usage.pending ? "…" : users.length ? users.join(", ") : <span className="muted">No app client</span>}
                    </td>
                    <td>
                      <span className="row-actions">
                        <button
                          type="button"
                          className="small"
                          aria-expanded={open === name}
                          aria-controls="provider-details"
                          data-testid={`provider-details-${name}`}
                          aria-label={`Details of ${name}`}
                          onClick={() => setOpen(open === name ? null : name)}
                        >
                          Details
                        </button>
                        <button type="button" className="small" data-testid={`provider-edit-${name}`} aria-label={`Edit provider ${name}`} onClick={() => setDialog({ mode: "edit", name })}>
                          Edit
                        </button>
                        <button type="button" className="small danger" data-testid={`provider-delete-${name}`} aria-label={`Delete provider ${name}`} onClick={() => void remove(p)}>
                          Delete
                        </button>
                      </span>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
        <ErrorBox error={usage.error} />
      </section>
      {open && <ProviderDetailsCard poolId={poolId} name={open} onClose={() => setOpen(null)} />}
      {dialog?.mode === "create" && (
        <CreateProviderDialog
          poolId={poolId}
          onClose={() => setDialog(null)}
          onSaved={async (p) => {
            setDialog(null);
            await refresh();
            toast.ok(`Provider ${p} added`);
          }}
        />
      )}
      {dialog?.mode === "edit" && (
        <EditProviderDialog
          poolId={poolId}
          name={dialog.name}
          onClose={() => setDialog(null)}
          onSaved={async (p) => {
            setDialog(null);
            await refresh();
            toast.ok(`Provider ${p} saved`);
          }}
        />
      )}
    </div>
  );
}

/** The pool's domain and its base URL on this connection (none while This computer is not served). */
function useDomainBase(poolId: string) {
  const pool = useUserPool(poolId);
  const { endpoint, local } = useConnectionEndpoint();
  const domain = pool.data?.CustomDomain || pool.data?.Domain;
  const base = domain ? domainBaseUrl(endpoint, domain) : undefined;
  return { pool, domain, base, local };
}

/** The URL to register at every provider: the pool domain's /oauth2/idpresponse. */
function RedirectUriCard({ poolId }: { poolId: string }) {
  const { pool, domain, base, local } = useDomainBase(poolId);
  return (
    <section className="card providers-section" aria-labelledby="idp-redirect-title" data-testid="provider-redirect">
      <h2 id="idp-redirect-title">Redirect URI to register at the provider</h2>
      {pool.isPending && <Spinner label="Loading the pool's domain" />}
      {pool.data && !domain && (
        <p className="muted" data-testid="provider-redirect-none">
          The pool has no domain yet. Create one (App integration) first: providers send people back to the domain's /oauth2/idpresponse.
        </p>
      )}
      {domain && base && (
        <p className="integration-url">
          <span className="mono" data-testid="provider-redirect-uri">
            {idpResponseUrl(base)}
          </span>{" "}
          <CopyButton text={idpResponseUrl(base)} label="the redirect URI" testId="provider-redirect-copy" />
        </p>
      )}
      {domain && base && (
        <p className="muted small-text">
          SAML providers post to <span className="mono">{samlAcsUrl(base)}</span> instead: see a SAML provider's service provider details.
        </p>
      )}
      {domain && !base && (
        <p className="muted" data-testid="provider-redirect-none">
          {local ? "Start serving this computer's pools (Serve) to know it: " : ""}
          {`<endpoint>/domains/${domain}/oauth2/idpresponse`}
        </p>
      )}
    </section>
  );
}

/** Everything Describe returns: the details (secrets masked, server-filled keys too), mapping, identifiers. */
function ProviderDetailsCard({ poolId, name, onClose }: { poolId: string; name: string; onClose: () => void }) {
  const p = useIdentityProvider(poolId, name);
  const d = p.data;
  return (
    <section className="card providers-section" id="provider-details" aria-labelledby="provider-details-title" data-testid="provider-details">
      <header className="providers-section-header">
        <h2 id="provider-details-title">{name}</h2>
        <button type="button" className="icon-button" aria-label={`Close details of ${name}`} onClick={onClose}>
          ×
        </button>
      </header>
      {p.isPending && <Spinner label={`Loading ${name}`} />}
      <ErrorBox error={p.error} onRetry={() => void p.refetch()} />
      {d && (
        <>
          <dl className="kv">
            <dt>Type</dt>
            <dd>{typeLabel(d.ProviderType)}</dd>
            <dt>Created</dt>
            <dd>{formatEpoch(d.CreationDate)}</dd>
            <dt>Modified</dt>
            <dd>{formatEpoch(d.LastModifiedDate)}</dd>
          </dl>
          <h3>Provider details</h3>
          <dl className="kv" data-testid="provider-details-keys">
            {Object.entries(d.ProviderDetails ?? {})
              .filter(([k]) => !(d.ProviderType === "SAML" && k === "ActiveEncryptionCertificate"))
              .map(([k, v]) => (k === "MetadataFile" ? <MetadataFileRow key={k} xml={v} /> : <DetailRow key={k} k={k} v={v} />))}
          </dl>
          {d.ProviderType === "SAML" && d.ProviderDetails?.ActiveEncryptionCertificate && (
            <>
              <h3>Encryption certificate</h3>
              <p className="field-hint">The identity provider encrypts assertions with it (ActiveEncryptionCertificate): give it to the provider.</p>
              <CertificateView
                base64Der={d.ProviderDetails.ActiveEncryptionCertificate}
                label={`the encryption certificate of ${name}`}
                fileName={`${name}-encryption.cer`}
                testId="provider-encryption-cert"
              />
            </>
          )}
          <h3>Attribute mapping</h3>
          <table className="data-table compact" aria-label={`Attribute mapping of ${name}`} data-testid="provider-details-mapping">
            <thead>
              <tr>
                <th scope="col">Pool attribute</th>
                <th scope="col">Provider attribute</th>
              </tr>
            </thead>
            <tbody>
              {Object.entries({ username: USERNAME_SOURCE[d.ProviderType ?? "OIDC"], ...(d.AttributeMapping ?? {}) }).map(([k, v]) => (
                <tr key={k}>
                  <td className="mono">{k}</td>
                  <td className="mono">{v}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <h3>Identifiers</h3>
          <p data-testid="provider-details-identifiers">{(d.IdpIdentifiers ?? []).join(", ") || <span className="muted">None</span>}</p>
          {d.ProviderType === "SAML" && <SamlServiceProviderDetails poolId={poolId} />}
        </>
      )}
    </section>
  );
}

/** A metadata document: its size, the XML itself on demand. */
function MetadataFileRow({ xml }: { xml: string }) {
  return (
    <>
      <dt className="mono">MetadataFile</dt>
      <dd data-testid="provider-detail-MetadataFile">
        <details>
          <summary>XML document, {xml.length.toLocaleString("en-US")} characters</summary>
          <pre className="certificate-pem">{xml}</pre>
        </details>
      </dd>
    </>
  );
}

/**
 * What the admin gives a SAML identity provider about this pool: its entity ID, where responses
 * are posted (ACS), and the certificate signed requests are checked with (GetSigningCertificate).
 */
function SamlServiceProviderDetails({ poolId, heading = true }: { poolId: string; heading?: boolean }) {
  const { pool, domain, base, local } = useDomainBase(poolId);
  const cert = useSigningCertificate(poolId);
  return (
    <div className="saml-sp" data-testid="saml-sp-details">
      {heading && <h3>Service provider details</h3>}
      <p className="field-hint">Give these to the identity provider.</p>
      <dl className="kv">
        <dt>Entity ID (audience)</dt>
        <dd>
          <span className="mono" data-testid="saml-sp-entity-id">
            {samlEntityId(poolId)}
          </span>{" "}
          <CopyButton text={samlEntityId(poolId)} label="the entity ID" />
        </dd>
        <dt>ACS URL (HTTP-POST)</dt>
        <dd>
          {pool.isPending && <Spinner label="Loading the pool's domain" />}
          {pool.data && !domain && (
            <span className="muted" data-testid="saml-sp-acs-none">
              The pool has no domain yet: create one (App integration) first.
            </span>
          )}
          {domain && base && (
            <>
              <span className="mono" data-testid="saml-sp-acs">
                {samlAcsUrl(base)}
              </span>{" "}
              <CopyButton text={samlAcsUrl(base)} label="the ACS URL" />
            </>
          )}
          {domain && !base && (
            <span className="muted" data-testid="saml-sp-acs-none">
              {local ? "Start serving this computer's pools (Serve) to know it: " : ""}
              {`<endpoint>/domains/${domain}/saml2/idpresponse`}
            </span>
          )}
        </dd>
        {domain && base && (
          <>
            <dt>Single logout URL (HTTP-POST)</dt>
            <dd>
              <span className="mono" data-testid="saml-sp-slo">
                {samlLogoutUrl(base)}
              </span>{" "}
              <CopyButton text={samlLogoutUrl(base)} label="the single logout URL" />
            </dd>
          </>
        )}
        <dt>Signing certificate</dt>
        <dd>
          {cert.isPending && <Spinner label="Loading the signing certificate" />}
          <ErrorBox error={cert.error} onRetry={() => void cert.refetch()} testId="saml-sp-cert-error" />
          {cert.data && <CertificateView base64Der={cert.data} label="the pool's signing certificate" fileName={`${poolId}-saml-signing.pem`} testId="saml-sp-cert" />}
          <span className="field-hint">Checks the requests signed with rsa-sha256 (Sign authentication requests).</span>
        </dd>
      </dl>
    </div>
  );
}

function DetailRow({ k, v }: { k: string; v: string }) {
  return (
    <>
      <dt className="mono">{k}</dt>
      <dd className="mono" data-testid={`provider-detail-${k}`}>
        {isSecretKey(k) ? <span aria-label="hidden secret">••••</span> : v}
      </dd>
    </>
  );
}

function CreateProviderDialog({ poolId, onClose, onSaved }: { poolId: string; onClose: () => void; onSaved: (name: string) => Promise<void> }) {
  const api = useApi();
  const [type, setType] = useState<ProviderKind>("OIDC");
  const onSubmit = async (v: V) => {
    const input = toCreateProviderInput(poolId, v);
    await api.idp("CreateIdentityProvider", input);
    await onSaved(input.ProviderName);
  };
  return (
    <Dialog title="Add sign-in provider" onClose={onClose} wide testId="provider-dialog">
      <div className="field">
        <label htmlFor="provider-type">Provider type</label>
        <select id="provider-type" data-testid="provider-type" data-autofocus value={type} onChange={(e) => setType(e.target.value as ProviderKind)}>
          {PROVIDER_TYPES.map((t) => (
            <option key={t.value} value={t.value} disabled={t.disabled}>
              {t.label}
            </option>
          ))}
        </select>
      </div>
      {type === "SAML" && (
        <details className="saml-sp-create" open>
          <summary>Service provider details (register this pool at the identity provider first)</summary>
          <SamlServiceProviderDetails poolId={poolId} heading={false} />
        </details>
      )}
      <ProviderForm key={type} poolId={poolId} initial={newProviderForm(type)} submitLabel="Add provider" onSubmit={onSubmit} onCancel={onClose} />
    </Dialog>
  );
}

function EditProviderDialog({ poolId, name, onClose, onSaved }: { poolId: string; name: string; onClose: () => void; onSaved: (name: string) => Promise<void> }) {
  const api = useApi();
  const p = useIdentityProvider(poolId, name);
  const onSubmit = async (v: V) => {
    await api.idp("UpdateIdentityProvider", toUpdateProviderInput(poolId, v));
    await onSaved(name);
  };
  return (
    <Dialog title={`Edit provider ${name}`} onClose={onClose} wide testId="provider-dialog">
      {p.isPending && <Spinner label={`Loading ${name}`} />}
      <ErrorBox error={p.error} onRetry={() => void p.refetch()} />
      {p.data && <ProviderForm poolId={poolId} initial={formFromProvider(p.data)} editing submitLabel="Save provider" onSubmit={onSubmit} onCancel={onClose} />}
    </Dialog>
  );
}

/** The form of one provider type: name, details, attribute mapping, identifiers. */
function ProviderForm({
  poolId,
  initial,
  editing,
  submitLabel,
  onSubmit,
  onCancel,
}: {
  poolId: string;
  initial: V;
  editing?: boolean;
  submitLabel: string;
  onSubmit: (v: V) => Promise<void>;
  onCancel: () => void;
}) {
  const submit = useSubmitError();
  const form = useForm<V>({ resolver: zodResolver(providerSchema(editing)), defaultValues: initial });
  const mapping = useFieldArray({ control: form.control, name: "mapping" });
  const rows = useWatch({ control: form.control, name: "mapping" });
  const pool = useUserPool(poolId);
  const type = initial.type;
  const social = !isNamedByAdmin(type);
  const saml = type === "SAML";
  const attributes = mappableAttributes(pool.data?.SchemaAttributes);
  const onValid = async (v: V) => {
    try {
      await onSubmit(v);
    } catch (e) {
      submit.setError(e);
    }
  };
  const fields = DETAIL_FIELDS[type];
  const isEndpoint = (f: DetailField) => (OIDC_ENDPOINTS as readonly string[]).includes(f.key);
  const main = fields.filter((f) => !isEndpoint(f));
  const endpoints = fields.filter(isEndpoint);
  const [endpointsOpen, setEndpointsOpen] = useState(() => endpoints.some((f) => initial.details[f.key]));

  return (
    <FormProvider {...form}>
      <form className="form" noValidate aria-label={submitLabel} data-testid="provider-form" onSubmit={submit.clearingFirst(form.handleSubmit(onValid))}>
        <TextField<V>
          name="name"
          label="Provider name"
          testId="provider-name"
          readOnly={social || editing}
          hint={
            editing
              ? "The name cannot change."
              : social
                ? `A ${typeLabel(type)} provider is always named ${type}.`
                : "1 to 32 characters, not starting with _; apps pass it as identity_provider. Not COGNITO."
          }
          autoFocus={!social && !editing}
          autoComplete="off"
          spellCheck={false}
        />
        <fieldset>
          <legend>Provider details</legend>
          {saml && <SamlFields encryptingNow={!!editing && initial.saml.encrypted} />}
          {main.map((f) =>
            f.key === "oidc_issuer" ? (
              <OidcDiscovery key={f.key} field={f} editing={editing} onUse={() => setEndpointsOpen(true)} />
            ) : (
              <DetailInput key={f.key} field={f} editing={editing} />
            ),
          )}
          {endpoints.length > 0 && (
            <details className="provider-endpoints" open={endpointsOpen} onToggle={(e) => setEndpointsOpen(e.currentTarget.open)}>
              <summary>Endpoints (optional: discovered from the issuer when all are empty)</summary>
              {endpoints.map((f) => (
                <DetailInput key={f.key} field={f} editing={editing} />
              ))}
            </details>
          )}
        </fieldset>
        <fieldset>
          <legend>Attribute mapping</legend>
          <p className="field-hint">
            {saml
              ? `Each pool attribute takes the value of a SAML attribute, by its Name (often a URI, such as ${SAML_ATTRIBUTE_EXAMPLE}), at every sign-in.`
              : "Each pool attribute takes the value of a provider attribute at every sign-in."}
          </p>
          <div className="row-inline mapping-row mapping-fixed" data-testid="mapping-fixed">
            <span className="mono">username</span> ← <span className="mono">{USERNAME_SOURCE[type]}</span>
            <span className="muted small-text">{saml ? "(always: the user is named <provider name>_<NameID>)" : "(always: the server sets it)"}</span>
          </div>
          {mapping.fields.map((f, i) => {
            const current = rows?.[i]?.pool ?? "";
            const options = [
              { value: "", label: "— choose —" },
              ...attributes.map((a) => ({ value: a, label: a })),
              ...(current && !attributes.includes(current) ? [{ value: current, label: current }] : []),
            ];
            return (
              <div key={f.id} className="row-inline mapping-row" role="group" aria-label={`Mapping ${i + 1}`}>
                <SelectField<V> name={`mapping.${i}.pool`} label="Pool attribute" testId={`mapping-pool-${i}`} options={options} />
                <TextField<V>
                  name={`mapping.${i}.provider`}
                  label={saml ? "SAML attribute" : "Provider attribute"}
                  testId={`mapping-provider-${i}`}
                  className="grow"
                  autoComplete="off"
                  spellCheck={false}
                  placeholder={saml ? SAML_ATTRIBUTE_EXAMPLE : undefined}
                />
                <button type="button" className="small" data-testid={`mapping-remove-${i}`} aria-label={`Remove mapping ${i + 1}`} onClick={() => mapping.remove(i)}>
                  Remove
                </button>
              </div>
            );
          })}
          <button type="button" className="small" data-testid="mapping-add" onClick={() => mapping.append({ pool: "", provider: "" })}>
            Add mapping
          </button>
        </fieldset>
        <TextAreaField<V>
          name="identifiers"
          label="Identifiers (one a line)"
          testId="provider-identifiers"
          rows={2}
          spellCheck={false}
          hint={`Optional, up to ${MAX_IDENTIFIERS}: such as the e-mail domains whose people sign in through this provider.`}
        />
        <ErrorBox error={submit.error} testId="provider-error" />
        <div className="dialog-actions">
          <button type="button" onClick={onCancel}>
            Cancel
          </button>
          <button type="submit" className="primary" data-testid="provider-save" disabled={form.formState.isSubmitting}>
            {form.formState.isSubmitting ? <Spinner label="Saving" /> : null} {submitLabel}
          </button>
        </div>
      </form>
    </FormProvider>
  );
}

/**
 * A SAML provider's details: its metadata (a URL the server reads, or the XML pasted or read
 * from a file: one of the two is sent), IdP-initiated sign-in, encrypted assertions, signed
 * requests, single logout.
 */
function SamlFields({ encryptingNow }: { encryptingNow: boolean }) {
  const { register, setValue } = useFormContext<V>();
  const source = useWatch<V, "saml.source">({ name: "saml.source" });
  const pickerId = useId();

  return (
    <div className="saml-fields">
      <div className="field" role="radiogroup" aria-labelledby={`${pickerId}-source`}>
        <span id={`${pickerId}-source`}>Identity provider metadata</span>
        <span className="checks">
          <label className="check">
            <input type="radio" value="url" data-testid="provider-saml-source-url" {...register("saml.source")} /> From a URL
          </label>
          <label className="check">
            <input type="radio" value="file" data-testid="provider-saml-source-file" {...register("saml.source")} /> From a document (XML)
          </label>
        </span>
      </div>
      {source === "url" ? (
        <TextField<V>
          name="saml.url"
          label="Metadata URL"
          testId="provider-saml-url"
          hint="https (http only for localhost or 127.0.0.1). The server reads it now and again every six hours."
          autoComplete="off"
          spellCheck={false}
          placeholder="https://idp.example.com/metadata.xml"
        />
      ) : (
        <>
          <TextAreaField<V>
            name="saml.file"
            label="Metadata XML"
            testId="provider-saml-file"
            rows={6}
            spellCheck={false}
            placeholder="<EntityDescriptor …>"
            hint={`Paste the document, or choose the file the identity provider gave you (at most ${MAX_METADATA_FILE.toLocaleString("en-US")} characters).`}
          />
          <TextFilePicker
            label="Metadata file"
            accept={SAML_METADATA_ACCEPT}
            testId="provider-saml-file-picker"
            pickedTestId="provider-saml-file-picked"
            pickedMessage={(name) => `Read ${name} into the XML above.`}
            onText={(xml) => setValue("saml.file", xml, { shouldDirty: true, shouldValidate: true })}
          />
        </>
      )}
      <CheckboxField<V>
        name="saml.idpInit"
        label="Allow sign-in started at the identity provider (IDPInit)"
        testId="provider-saml-idp-init"
        hint="The provider may post a response no request from this pool asked for."
      />
      <CheckboxField<V>
        name="saml.encrypted"
        label="Encrypted assertions (EncryptedResponses)"
        testId="provider-saml-encrypted"
        hint={
          encryptingNow
            ? "Turning it off discards this provider's key pair: turned on again, it gets a new encryption certificate to give the identity provider."
            : "This provider gets a key pair of its own; give the identity provider its encryption certificate (shown in the provider's details once saved)."
        }
      />
      <SelectField<V>
        name="saml.signing"
        label="Sign authentication requests (RequestSigningAlgorithm)"
        testId="provider-saml-signing"
        options={[
          { value: "", label: "Unsigned" },
          { value: "rsa-sha256", label: "rsa-sha256" },
        ]}
        hint="Signed with the pool's signing certificate: give it to the identity provider (service provider details)."
      />
      <CheckboxField<V>
        name="saml.signOut"
        label="Sign out at the identity provider too (IDPSignout)"
        testId="provider-saml-signout"
        hint="Needs a SingleLogoutService in the metadata. Give the identity provider the single logout URL (service provider details)."
      />
    </div>
  );
}

/**
 * The issuer field with "Test discovery": what PoolDesk.DiscoverOpenIdProvider finds at the
 * issuer, or why it cannot. The endpoint fields stay as they are (empty: the server discovers
 * them on save) unless "Use these endpoints" fills them in.
 */
function OidcDiscovery({ field, editing, onUse }: { field: DetailField; editing?: boolean; onUse: () => void }) {
  const api = useApi();
  const { getValues, setValue } = useFormContext<V>();
  const issuer = (useWatch<V, "details.oidc_issuer">({ name: "details.oidc_issuer" }) ?? "").trim();
  const [state, setState] = useState<
    { issuer: string; pending: true } | { issuer: string; found: Record<string, string> } | { issuer: string; error: unknown } | null
  >(null);
  // An answer about another issuer than the one now typed is not shown.
  const shown = state && state.issuer === issuer ? state : null;

  const discover = async () => {
    const tested = issuer;
    if (!tested) {
      setState({ issuer: tested, error: { code: "InvalidParameterException", message: "Enter the issuer URL first." } });
      return;
    }
    setState({ issuer: tested, pending: true });
    try {
      const r = await api.pooldesk("DiscoverOpenIdProvider", { Issuer: tested });
      setState({ issuer: tested, found: r.ProviderDetails ?? {} });
    } catch (error) {
      setState({ issuer: tested, error });
    }
  };

  const use = (found: Record<string, string>) => {
    const filled = withDiscoveredEndpoints(getValues("details"), found);
    for (const k of OIDC_ENDPOINTS) setValue(`details.${k}`, filled[k], { shouldDirty: true, shouldValidate: false });
    onUse();
  };

  return (
    <div className="provider-discovery">
      <div className="row-inline provider-discovery-row">
        <DetailInput field={field} editing={editing} className="grow" />
        <button type="button" className="small provider-discover-button" data-testid="provider-discover" disabled={!!shown && "pending" in shown} onClick={() => void discover()}>
          {shown && "pending" in shown ? <Spinner label="Testing discovery" /> : null} Test discovery
        </button>
      </div>
      {shown && "error" in shown && <ErrorBox error={shown.error} testId="provider-discover-error" />}
      {shown && "found" in shown && (
        <div className="provider-discovered" role="status">
          <p className="field-hint">Discovery works: the issuer names these endpoints.</p>
          <dl className="kv" data-testid="provider-discovered">
            {discoveredRows(shown.found).map((r) => (
              <Fragment key={r.key}>
                <dt>{r.label}</dt>
                <dd className="mono" data-testid={`provider-discovered-${r.key}`}>
                  {r.value}
                </dd>
              </Fragment>
            ))}
          </dl>
          <p className="field-hint">
            Left empty, the endpoint fields are discovered from the issuer when the provider is saved. Filled in, they are used as given and
            discovery is skipped.
          </p>
          <button type="button" className="small" data-testid="provider-discover-use" disabled={!hasAllEndpoints(shown.found)} onClick={() => use(shown.found)}>
            Use these endpoints
          </button>
          {!hasAllEndpoints(shown.found) && <p className="field-hint">Not all four endpoints were found: leave them to discovery.</p>}
        </div>
      )}
    </div>
  );
}

function DetailInput({ field: f, editing, className }: { field: DetailField; editing?: boolean; className?: string }) {
  const name = `details.${f.key}` as const;
  const testId = `provider-${f.key.replace(/_/g, "-")}`;
  const keepHint = editing && f.secret ? "Leave empty to keep the current secret." : undefined;
  const hint = [f.hint, keepHint].filter(Boolean).join(" ") || undefined;
  const label = `${f.label}${!f.required || (editing && f.secret) ? " (optional)" : ""}`;
  if (f.select) {
    return <SelectField<V> name={name} label={label} testId={testId} hint={hint} options={f.select.map((o) => ({ value: o, label: o }))} />;
  }
  if (f.multiline) {
    return <TextAreaField<V> name={name} label={label} testId={testId} hint={hint} rows={4} spellCheck={false} placeholder="-----BEGIN PRIVATE KEY-----" />;
  }
  return (
    <TextField<V>
      name={name}
      label={label}
      testId={testId}
      hint={hint}
      className={className}
      type={f.secret ? "password" : "text"}
      autoComplete={f.secret ? "new-password" : "off"}
      spellCheck={false}
    />
  );
}
