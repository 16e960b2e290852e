import { useState } from "react";
import { FormProvider, useForm, useWatch } from "react-hook-form";
import { zodResolver } from "@hookform/resolvers/zod";
import { useQueryClient } from "@tanstack/react-query";
import { useApi } from "../../api/connection";
import { useConfirm } from "../../components/Confirm";
import { useToast } from "../../components/Toast";
import { Dialog } from "../../components/Dialog";
import { CopyButton, ErrorBox, Spinner } from "../../components/bits";
import { SelectField, TextField, useSubmitError } from "../../components/form";
import { useUserPool } from "../userPools/queries";
import {
  domainBaseUrl,
  domainOf,
  domainSchema,
  formFromDomain,
  kindOf,
  managedLoginText,
  MANAGED_LOGIN_VERSIONS,
  newDomainForm,
  toCreateDomainInput,
  toUpdateDomainInput,
  type DomainFormValues,
  type DomainKind,
} from "./domainForm";
import { useConnectionEndpoint, useDomainDescription } from "./queries";

type V = DomainFormValues;

const KIND_LABEL: Record<DomainKind, string> = { prefix: "Prefix domain", custom: "Custom domain" };

/** The pool's domains (one prefix, one custom at most): what serves its login pages and OAuth endpoints. */
export function DomainSection({ poolId }: { poolId: string }) {
  const pool = useUserPool(poolId);
  const [dialog, setDialog] = useState<{ mode: "create" } | { mode: "edit"; domain: string } | null>(null);
  const prefix = pool.data?.Domain;
  const custom = pool.data?.CustomDomain;
  const missing: DomainKind[] = [...(prefix ? [] : ["prefix" as const]), ...(custom ? [] : ["custom" as const])];

  return (
    <section className="card integration-section" aria-labelledby="domain-title" data-testid="domain-section">
      <header className="integration-section-header">
        <h2 id="domain-title">Domain</h2>
        {missing.length > 0 && (
          <button type="button" className="primary small" data-testid="domain-create" disabled={!pool.data} onClick={() => setDialog({ mode: "create" })}>
            Create domain
          </button>
        )}
      </header>
      {pool.isPending && <Spinner label="Loading domain" />}
      <ErrorBox error={pool.error} onRetry={() => pool.refetch()} />
      {pool.data && !prefix && !custom && (
        <p className="muted" data-testid="domain-none">
          No domain yet. A domain serves this pool's login pages and its OAuth 2.0 endpoints (authorize, token, userInfo).
        </p>
      )}
      {prefix && <DomainCard poolId={poolId} domain={prefix} onEdit={() => setDialog({ mode: "edit", domain: prefix })} />}
      {custom && <DomainCard poolId={poolId} domain={custom} onEdit={() => setDialog({ mode: "edit", domain: custom })} />}
      {dialog?.mode === "create" && <CreateDomainDialog poolId={poolId} kinds={missing} onClose={() => setDialog(null)} />}
      {dialog?.mode === "edit" && <EditDomainDialog poolId={poolId} domain={dialog.domain} onClose={() => setDialog(null)} />}
    </section>
  );
}

function useRefreshDomains(poolId: string) {
  const api = useApi();
  const qc = useQueryClient();
  return () =>
    Promise.all([
      qc.invalidateQueries({ queryKey: [api.connection, "DescribeUserPool", poolId] }),
      qc.invalidateQueries({ queryKey: [api.connection, "DescribeUserPoolDomain"] }),
    ]);
}

function DomainCard({ poolId, domain, onEdit }: { poolId: string; domain: string; onEdit: () => void }) {
  const api = useApi();
  const confirm = useConfirm();
  const toast = useToast();
  const refresh = useRefreshDomains(poolId);
  const d = useDomainDescription(domain);
  const { endpoint, local } = useConnectionEndpoint();
  const kind = kindOf(domain);
  const base = domainBaseUrl(endpoint, domain);

  const remove = async () => {
    const ok = await confirm({
      title: "Delete domain",
      message: `Delete ${domain}? Its login pages and OAuth endpoints stop answering, and apps that sign in through them stop working.`,
      confirmLabel: "Delete domain",
      danger: true,
    });
    if (!ok) return;
    try {
      await api.idp("DeleteUserPoolDomain", { Domain: domain, UserPoolId: poolId });
      await refresh();
      toast.ok(`Domain ${domain} deleted`);
    } catch (e) {
      toast.error(e, "Delete failed");
    }
  };

  return (
    <div className="integration-item" data-testid={`domain-card-${kind}`} role="group" aria-label={`${KIND_LABEL[kind]} ${domain}`}>
      <dl className="kv">
        <dt>{KIND_LABEL[kind]}</dt>
        <dd className="mono" data-testid={`domain-${kind}-name`}>{domain}</dd>
        <dt>Status</dt>
        <dd data-testid={`domain-${kind}-status`}>{d.isPending ? "…" : (d.data?.Status ?? "—")}</dd>
        <dt>Login pages</dt>
        <dd data-testid={`domain-${kind}-version`}>{d.isPending ? "…" : managedLoginText(d.data?.ManagedLoginVersion)}</dd>
        {kind === "custom" && (
          <>
            <dt>Certificate</dt>
            <dd className="mono" data-testid={`domain-${kind}-certificate`}>{d.data?.CustomDomainConfig?.CertificateArn ?? "—"}</dd>
          </>
        )}
        {d.data?.CloudFrontDistribution && (
          <>
            <dt>Distribution</dt>
            <dd className="mono">{d.data.CloudFrontDistribution}</dd>
          </>
        )}
        <dt>Served at</dt>
        <dd data-testid={`domain-${kind}-url`}>
          {base ? (
            <span className="integration-url">
              <span className="mono">{base}</span> <CopyButton text={base} label={`the base URL of ${domain}`} />
            </span>
          ) : (
            <span className="muted">
              {local
                ? "Start serving this computer's pools (Serve) to reach these pages; they are served at <endpoint>/domains/" + domain
                : `<endpoint>/domains/${domain}`}
            </span>
          )}
        </dd>
        {base && (
          <>
            <dt>Endpoints</dt>
            <dd className="mono small-text">
              {base}/oauth2/authorize · {base}/oauth2/token · {base}/oauth2/userInfo · {base}/login · {base}/logout
            </dd>
          </>
        )}
      </dl>
      <ErrorBox error={d.error} onRetry={() => d.refetch()} />
      <div className="row-actions">
        <button type="button" className="small" data-testid={`domain-edit-${kind}`} aria-label={`Edit domain ${domain}`} onClick={onEdit}>
          Edit
        </button>
        <button type="button" className="small danger" data-testid={`domain-delete-${kind}`} aria-label={`Delete domain ${domain}`} onClick={() => void remove()}>
          Delete
        </button>
      </div>
    </div>
  );
}

function CreateDomainDialog({ poolId, kinds, onClose }: { poolId: string; kinds: DomainKind[]; onClose: () => void }) {
  const api = useApi();
  const refresh = useRefreshDomains(poolId);
  const toast = useToast();
  const onSubmit = async (v: V) => {
    await api.idp("CreateUserPoolDomain", toCreateDomainInput(poolId, v));
    await refresh();
    toast.ok(`Domain ${domainOf(v)} created`);
    onClose();
  };
  return (
    <Dialog title="Create domain" onClose={onClose} testId="domain-dialog">
      <DomainForm initial={newDomainForm(kinds[0]!)} kinds={kinds} submitLabel="Create domain" onSubmit={onSubmit} onCancel={onClose} />
    </Dialog>
  );
}

function EditDomainDialog({ poolId, domain, onClose }: { poolId: string; domain: string; onClose: () => void }) {
  const api = useApi();
  const refresh = useRefreshDomains(poolId);
  const toast = useToast();
  const d = useDomainDescription(domain);
  const onSubmit = async (v: V) => {
    await api.idp("UpdateUserPoolDomain", toUpdateDomainInput(poolId, v));
    await refresh();
    toast.ok(`Domain ${domain} saved`);
    onClose();
  };
  return (
    <Dialog title={`Edit domain ${domain}`} onClose={onClose} testId="domain-dialog">
      {d.isPending && <Spinner />}
      <ErrorBox error={d.error} />
      {d.data && (
        <DomainForm initial={formFromDomain(d.data, domain)} editing submitLabel="Save domain" onSubmit={onSubmit} onCancel={onClose} />
      )}
    </Dialog>
  );
}

/** Create: the kind, the prefix or host name (+ certificate), the login pages. Edit: version and certificate. */
function DomainForm({
  initial,
  kinds = [],
  editing,
  submitLabel,
  onSubmit,
  onCancel,
}: {
  initial: V;
  kinds?: DomainKind[];
  editing?: boolean;
  submitLabel: string;
  onSubmit: (v: V) => Promise<void>;
  onCancel: () => void;
}) {
  const submit = useSubmitError();
  const form = useForm<V>({ resolver: zodResolver(domainSchema), defaultValues: initial });
  const kind = useWatch({ control: form.control, name: "kind" });
  const prefix = useWatch({ control: form.control, name: "prefix" });
  const { endpoint } = useConnectionEndpoint();
  const preview = kind === "prefix" && prefix ? domainBaseUrl(endpoint, prefix.trim()) : undefined;
  const onValid = async (v: V) => {
    try {
      await onSubmit(v);
    } catch (e) {
      submit.setError(e);
    }
  };
  return (
    <FormProvider {...form}>
      <form className="form" noValidate aria-label={submitLabel} onSubmit={submit.clearingFirst(form.handleSubmit(onValid))}>
        {!editing && kinds.length > 1 && (
          <SelectField<V> name="kind" label="Kind of domain" testId="domain-kind" options={kinds.map((k) => ({ value: k, label: KIND_OPTION[k] }))} />
        )}
        {kind === "prefix" ? (
          <TextField<V>
            name="prefix"
            label="Domain prefix"
            testId="domain-prefix"
            hint={preview ? `Pages served at ${preview}` : "One label: lowercase letters, digits and hyphens; not aws, amazon or cognito."}
            readOnly={editing}
            autoFocus={!editing}
            autoComplete="off"
            spellCheck={false}
          />
        ) : (
          <>
            <TextField<V>
              name="customDomain"
              label="Custom domain"
              testId="domain-custom"
              hint="A host name you own, such as auth.example.com"
              readOnly={editing}
              autoFocus={!editing}
              autoComplete="off"
              spellCheck={false}
            />
            <TextField<V>
              name="certificateArn"
              label="ACM certificate ARN"
              testId="domain-certificate"
              placeholder="arn:aws:acm:us-east-1:123456789012:certificate/…"
              autoComplete="off"
              spellCheck={false}
            />
          </>
        )}
        <SelectField<V> name="managedLoginVersion" label="Login pages" testId="domain-version" options={MANAGED_LOGIN_VERSIONS} />
        <ErrorBox error={submit.error} testId="domain-error" />
        <div className="dialog-actions">
          <button type="button" onClick={onCancel}>
            Cancel
          </button>
          <button type="submit" className="primary" data-testid="domain-submit" disabled={form.formState.isSubmitting}>
            {form.formState.isSubmitting ? <Spinner label="Saving" /> : null} {submitLabel}
          </button>
        </div>
      </form>
    </FormProvider>
  );
}

const KIND_OPTION: Record<DomainKind, string> = {
  prefix: "Prefix domain (a name of your choice under this server)",
  custom: "Custom domain (your own host name, with a certificate)",
};
