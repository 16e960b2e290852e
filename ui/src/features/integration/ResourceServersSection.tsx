import { useMemo, useState } from "react";
import { FormProvider, useFieldArray, useForm } from "react-hook-form";
import { zodResolver } from "@hookform/resolvers/zod";
import { useQueryClient } from "@tanstack/react-query";
import { createColumnHelper } from "@tanstack/react-table";
import { useApi } from "../../api/connection";
import { useConfirm } from "../../components/Confirm";
import { useToast } from "../../components/Toast";
import { Dialog } from "../../components/Dialog";
import { DataTable } from "../../components/DataTable";
import { EmptyState, ErrorBox, FieldError, Spinner } from "../../components/bits";
import { TextField, useSubmitError } from "../../components/form";
import type { ResourceServerType } from "../../generated/cognito-idp";
import { useResourceServers } from "./queries";
import { formFromResourceServer, MAX_SCOPES, resourceServerSchema, toResourceServerInput, type ResourceServerFormValues } from "./resourceServerForm";

type V = ResourceServerFormValues;

const col = createColumnHelper<ResourceServerType>();

/** The APIs this pool issues access tokens for, and their custom scopes. */
export function ResourceServersSection({ poolId }: { poolId: string }) {
  const api = useApi();
  const qc = useQueryClient();
  const confirm = useConfirm();
  const toast = useToast();
  const servers = useResourceServers(poolId);
  const [editing, setEditing] = useState<ResourceServerType | "new" | null>(null);
  const list = servers.data ?? [];

  const columns = useMemo(() => {
    const remove = async (rs: ResourceServerType) => {
      const ok = await confirm({
        title: "Delete resource server",
        message: `Delete ${rs.Name} (${rs.Identifier})? Its scopes can no longer be requested.`,
        confirmLabel: "Delete",
        danger: true,
      });
      if (!ok) return;
      try {
        await api.idp("DeleteResourceServer", { UserPoolId: poolId, Identifier: rs.Identifier! });
        await qc.invalidateQueries({ queryKey: [api.connection, "ListResourceServers", poolId] });
      } catch (e) {
        toast.error(e, "Delete failed");
      }
    };
    return [
      col.accessor((rs) => rs.Identifier ?? "", { id: "identifier", header: "Identifier", meta: { key: true }, cell: (c) => <span className="mono" title={c.getValue()}>{c.getValue()}</span> }),
      col.accessor((rs) => rs.Name ?? "", { id: "name", header: "Name" }),
      col.accessor((rs) => (rs.Scopes ?? []).map((s) => s.ScopeName).join(", "), {
        id: "scopes",
        header: "Scopes",
        cell: (c) => <span title={c.getValue()}>{c.getValue() || "—"}</span>,
      }),
      col.display({
        id: "actions",
        header: () => <span className="sr-only">Actions</span>,
        meta: { key: true, width: "10rem", label: "Actions" },
        cell: ({ row: { original: rs } }) => (
          <span className="row-actions" onClick={(e) => e.stopPropagation()}>
            <button type="button" className="small" data-testid={`resource-server-edit-${rs.Identifier}`} aria-label={`Edit resource server ${rs.Name}`} onClick={() => setEditing(rs)}>
              Edit
            </button>
            <button type="button" className="small danger" data-testid={`resource-server-delete-${rs.Identifier}`} aria-label={`Delete resource server ${rs.Name}`} onClick={() => void remove(rs)}>
              Delete
            </button>
          </span>
        ),
      }),
    ];
  }, [api, confirm, poolId, qc, toast]);

  return (
    <section className="card integration-section" aria-labelledby="resource-servers-title" data-testid="resource-servers-section">
      <header className="integration-section-header">
        <h2 id="resource-servers-title">Resource servers</h2>
        <button type="button" className="primary small" data-testid="resource-server-create" onClick={() => setEditing("new")}>
          Create resource server
        </button>
      </header>
      <p className="muted">APIs that accept this pool's access tokens. App clients request their custom scopes as identifier/scope.</p>
      <div className="integration-table">
        <DataTable<ResourceServerType>
          label="Resource servers"
          noun={["resource server", "resource servers"]}
          columnsKey="resourceServers"
          rows={list}
          columns={columns}
          getRowId={(rs) => rs.Identifier ?? ""}
          complete={!servers.isPending}
          loading={servers.isPending}
          error={servers.error}
          onRetry={() => void servers.refetch()}
          onOpen={(rs) => setEditing(rs)}
          rowTestId="resource-server-row"
          empty={
            <EmptyState title="No resource servers">
              <p>Create one to give app clients custom scopes, such as https://api.example.com/read.</p>
            </EmptyState>
          }
        />
      </div>
      {editing && (
        <ResourceServerDialog
          poolId={poolId}
          server={editing === "new" ? undefined : editing}
          onClose={() => setEditing(null)}
          onSaved={() => {
            setEditing(null);
            void qc.invalidateQueries({ queryKey: [api.connection, "ListResourceServers", poolId] });
          }}
        />
      )}
    </section>
  );
}

function ResourceServerDialog({ poolId, server, onClose, onSaved }: { poolId: string; server?: ResourceServerType; onClose: () => void; onSaved: () => void }) {
  const api = useApi();
  const toast = useToast();
  const submit = useSubmitError();
  const form = useForm<V>({ resolver: zodResolver(resourceServerSchema), defaultValues: formFromResourceServer(server) });
  const scopes = useFieldArray({ control: form.control, name: "Scopes" });
  const onSubmit = async (v: V) => {
    try {
      const input = toResourceServerInput(poolId, v);
      if (server) await api.idp("UpdateResourceServer", input);
      else await api.idp("CreateResourceServer", input);
      toast.ok(server ? `Resource server ${input.Name} saved` : `Resource server ${input.Name} created`);
      onSaved();
    } catch (e) {
      submit.setError(e);
    }
  };
  return (
    <Dialog title={server ? `Edit resource server ${server.Name}` : "Create resource server"} onClose={onClose} wide testId="resource-server-dialog">
      <FormProvider {...form}>
        <form className="form" noValidate aria-label={server ? "Edit resource server" : "Create resource server"} onSubmit={submit.clearingFirst(form.handleSubmit(onSubmit))}>
          <TextField<V>
            name="Identifier"
            label="Identifier"
            testId="resource-server-identifier"
            hint={server ? "The identifier cannot change." : "Usually the API's URL, such as https://api.example.com"}
            readOnly={!!server}
            autoFocus={!server}
            autoComplete="off"
            spellCheck={false}
          />
          <TextField<V> name="Name" label="Name" testId="resource-server-name" autoFocus={!!server} autoComplete="off" />
          <fieldset>
            <legend>Custom scopes</legend>
            <div className="subsection">
              {scopes.fields.length === 0 && <p className="muted">No scopes yet.</p>}
              {scopes.fields.map((f, i) => (
                <div key={f.id} className="row-inline scope-row" role="group" aria-label={`Scope ${i + 1}`}>
                  <TextField<V> name={`Scopes.${i}.ScopeName`} label="Scope name" testId={`scope-name-${i}`} autoComplete="off" spellCheck={false} />
                  <TextField<V> name={`Scopes.${i}.ScopeDescription`} label="Description" testId={`scope-description-${i}`} className="grow" autoComplete="off" />
                  <button type="button" className="small" data-testid={`scope-remove-${i}`} aria-label={`Remove scope ${i + 1}`} onClick={() => scopes.remove(i)}>
                    Remove
                  </button>
                </div>
              ))}
              <button
                type="button"
                className="small"
                data-testid="scope-add"
                disabled={scopes.fields.length >= MAX_SCOPES}
                onClick={() => scopes.append({ ScopeName: "", ScopeDescription: "" })}
              >
                Add scope
              </button>
              <FieldError message={form.formState.errors.Scopes?.root?.message} />
            </div>
            {server && <p className="field-hint">Saving replaces the scopes: a removed scope can no longer be requested.</p>}
          </fieldset>
          <ErrorBox error={submit.error} testId="resource-server-error" />
          <div className="dialog-actions">
            <button type="button" onClick={onClose}>
              Cancel
            </button>
            <button type="submit" className="primary" data-testid="resource-server-submit" disabled={form.formState.isSubmitting}>
              {form.formState.isSubmitting ? <Spinner label="Saving" /> : null} {server ? "Save" : "Create resource server"}
            </button>
          </div>
        </form>
      </FormProvider>
    </Dialog>
  );
}
