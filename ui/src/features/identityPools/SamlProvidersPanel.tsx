// IAM's SAML providers on this connection: the identity providers identity pools
// (SamlProviderARNs) and STS (AssumeRoleWithSAML) take SAML responses from.
import { useState } from "react";
import { FormProvider, useForm, type FieldErrors, type Resolver } from "react-hook-form";
import { useQueryClient } from "@tanstack/react-query";
import { useApi } from "../../api/connection";
import { useConfirm } from "../../components/Confirm";
import { Dialog } from "../../components/Dialog";
import { useToast } from "../../components/Toast";
import { SAML_METADATA_ACCEPT, TextFilePicker } from "../../components/TextFilePicker";
import { CopyButton, EmptyState, ErrorBox, Spinner } from "../../components/bits";
import { TextAreaField, TextField, useSubmitError } from "../../components/form";
import { formatIsoDate } from "../../lib/format";
import "./samlProviders.css";
import { samlMetadataError, samlProviderNameError, samlProviderNameOf, samlProvidersKey, useSamlProviders } from "./samlProviders";

interface SamlProviderFormValues {
  name: string;
  metadata: string;
}

type V = SamlProviderFormValues;

/** Adding checks the name too; replacing only the metadata. */
function samlProviderResolver(checkName: boolean): Resolver<V> {
  return async (values) => {
    const errors: FieldErrors<V> = {};
    const name = checkName ? samlProviderNameError(values.name.trim()) : undefined;
    if (name) errors.name = { type: "validate", message: name };
    const metadata = samlMetadataError(values.metadata);
    if (metadata) errors.metadata = { type: "validate", message: metadata };
    return Object.keys(errors).length ? { values: {}, errors } : { values, errors: {} };
  };
}

export function SamlProvidersPanel() {
  const api = useApi();
  const qc = useQueryClient();
  const toast = useToast();
  const confirm = useConfirm();
  const providers = useSamlProviders();
  /** The dialog open: adding, or replacing the metadata of the provider with this ARN. */
  const [editing, setEditing] = useState<{ add: true } | { arn: string } | null>(null);
  const rows = providers.data ?? [];
  const refresh = () => qc.invalidateQueries({ queryKey: samlProvidersKey(api.connection) });

  const onDelete = async (arn: string) => {
    const name = samlProviderNameOf(arn);
    if (
      !(await confirm({
        title: "Delete SAML provider",
        message: `Delete ${name}? Identity pools that list its ARN stop taking its SAML responses. This cannot be undone.`,
        confirmLabel: "Delete SAML provider",
        danger: true,
      }))
    )
      return;
    try {
      await api.iam("DeleteSAMLProvider", { SAMLProviderArn: arn });
      toast.ok(`Deleted ${name}`);
      await refresh();
    } catch (e) {
      toast.error(e, "Delete failed");
    }
  };

  return (
    <section className="card saml-providers" data-testid="saml-providers" aria-labelledby="saml-providers-title">
      <header className="screen-header">
        <h2 id="saml-providers-title">IAM SAML providers</h2>
        <button type="button" data-testid="saml-provider-add" onClick={() => setEditing({ add: true })}>
          Add SAML provider
        </button>
      </header>
      <p className="muted">
        Identity providers whose SAML responses identity pools (their SAML provider ARNs) and STS AssumeRoleWithSAML accept. Give the identity
        provider AWS sign-in as where it posts: https://signin.aws.amazon.com/saml.
      </p>
      <ErrorBox error={providers.error} onRetry={() => providers.refetch()} testId="saml-providers-error" />
      {providers.isPending ? (
        <Spinner label="Loading SAML providers" />
      ) : rows.length === 0 && providers.error ? null : rows.length === 0 ? (
        <EmptyState title="No SAML providers yet">
          <p>Add one from its identity provider's metadata, then list its ARN in an identity pool's settings.</p>
        </EmptyState>
      ) : (
        <table className="data-table">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">ARN</th>
              <th scope="col">Created</th>
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((p) => {
              const name = samlProviderNameOf(p.Arn);
              return (
                <tr key={p.Arn} data-testid="saml-provider-row">
                  <td>{name}</td>
                  <td className="arn">
                    <span className="row-actions">
                      <span className="mono">{p.Arn}</span>
                      <CopyButton text={p.Arn} label={`the ARN of ${name}`} />
                    </span>
                  </td>
                  <td>{formatIsoDate(p.CreateDate)}</td>
                  <td>
                    <span className="row-actions">
                      <button
                        type="button"
                        className="small"
                        data-testid={`saml-provider-replace-${name}`}
                        aria-label={`Replace the metadata of ${name}`}
                        onClick={() => setEditing({ arn: p.Arn })}
                      >
                        Replace metadata
                      </button>
                      <button
                        type="button"
                        className="small danger"
                        data-testid={`saml-provider-delete-${name}`}
                        aria-label={`Delete SAML provider ${name}`}
                        onClick={() => void onDelete(p.Arn)}
                      >
                        Delete…
                      </button>
                    </span>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {editing && (
        <Dialog
          title={"arn" in editing ? `Replace the metadata of ${samlProviderNameOf(editing.arn)}` : "Add SAML provider"}
          onClose={() => setEditing(null)}
          wide
          testId="saml-provider-dialog"
        >
          <SamlProviderForm
            arn={"arn" in editing ? editing.arn : undefined}
            onCancel={() => setEditing(null)}
            onSubmit={async (v) => {
              if ("arn" in editing) {
                await api.iam("UpdateSAMLProvider", { SAMLProviderArn: editing.arn, SAMLMetadataDocument: v.metadata });
                toast.ok(`Replaced the metadata of ${samlProviderNameOf(editing.arn)}`);
              } else {
                const created = await api.iam("CreateSAMLProvider", { Name: v.name.trim(), SAMLMetadataDocument: v.metadata });
                toast.ok(`Added ${samlProviderNameOf(created.SAMLProviderArn)}`);
              }
              setEditing(null);
              await refresh();
            }}
          />
        </Dialog>
      )}
    </section>
  );
}

/** A new provider's name and metadata, or (with `arn`) an existing one's new metadata. */
function SamlProviderForm({ arn, onSubmit, onCancel }: { arn?: string; onSubmit: (v: V) => Promise<void>; onCancel: () => void }) {
  const submit = useSubmitError();
  const form = useForm<V>({ defaultValues: { name: arn ? samlProviderNameOf(arn) : "", metadata: "" }, resolver: samlProviderResolver(!arn) });

  const onValid = async (v: V) => {
    try {
      await onSubmit(v);
    } catch (err) {
      submit.setError(err);
    }
  };

  return (
    <FormProvider {...form}>
      <form className="form" noValidate aria-label="SAML provider" onSubmit={submit.clearingFirst(form.handleSubmit(onValid))}>
        <TextField<V>
          name="name"
          label="Name"
          testId="saml-provider-name"
          readOnly={!!arn}
          autoFocus={!arn}
          hint={arn ? <span className="mono">{arn}</span> : "Names the provider in its ARN (arn:aws:iam::<account>:saml-provider/<name>). Letters, digits and . _ - only."}
          autoComplete="off"
          spellCheck={false}
        />
        <TextAreaField<V>
          name="metadata"
          label="Metadata XML"
          testId="saml-provider-metadata"
          rows={8}
          spellCheck={false}
          placeholder="<EntityDescriptor …>"
          hint="The identity provider's SAML metadata: an EntityDescriptor with its IDPSSODescriptor, signing certificate and single sign-on service. Paste it, or choose its file."
        />
        <TextFilePicker
          label="Metadata file"
          accept={SAML_METADATA_ACCEPT}
          testId="saml-provider-metadata-file"
          pickedTestId="saml-provider-metadata-picked"
          pickedMessage={(name) => `Read ${name} into the XML above.`}
          onText={(xml) => form.setValue("metadata", xml, { shouldDirty: true, shouldValidate: form.formState.isSubmitted })}
        />
        <ErrorBox error={submit.error} testId="saml-provider-error" />
        <div className="dialog-actions">
          <button type="button" onClick={onCancel}>
            Cancel
          </button>
          <button type="submit" className="primary" data-testid="saml-provider-save" disabled={form.formState.isSubmitting}>
            {form.formState.isSubmitting ? <Spinner label="Saving" /> : null} {arn ? "Replace metadata" : "Add SAML provider"}
          </button>
        </div>
      </form>
    </FormProvider>
  );
}
