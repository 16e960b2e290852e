import { useState } from "react";
import { FormProvider, useForm } from "react-hook-form";
import { zodResolver } from "@hookform/resolvers/zod";
import { z } from "zod";
import { useQueryClient } from "@tanstack/react-query";
import type { GroupType } from "../../generated/cognito-idp";
import { useApi } from "../../api/connection";
import { useConfirm } from "../../components/Confirm";
import { useToast } from "../../components/Toast";
import { Dialog } from "../../components/Dialog";
import { EmptyState, ErrorBox, Spinner } from "../../components/bits";
import { TextAreaField, TextField, useSubmitError } from "../../components/form";
import { validateRoleArn } from "../../lib/roleRules";
import { usePoolGroups } from "../userPools/queries";

const groupSchema = z.object({
  GroupName: z.string().min(1, "Name is required").max(128).regex(/^[\p{L}\p{M}\p{S}\p{N}\p{P}]+$/u, "No spaces"),
  Description: z.string().max(2048),
  Precedence: z.string().refine((s) => s === "" || /^\d+$/.test(s), "A whole number ≥ 0"),
  RoleArn: z.string().refine((s) => s === "" || !validateRoleArn(s), (s) => ({ message: validateRoleArn(s) ?? "" })),
});
type GroupValues = z.infer<typeof groupSchema>;

export function GroupsTab({ poolId }: { poolId: string }) {
  const api = useApi();
  const qc = useQueryClient();
  const confirm = useConfirm();
  const toast = useToast();
  const groups = usePoolGroups(poolId);
  const [editing, setEditing] = useState<GroupType | "new" | null>(null);
  const list = groups.data?.pages.flatMap((p) => p.Groups ?? []) ?? [];
  const refresh = () => qc.invalidateQueries({ queryKey: [api.connection, "ListGroups", poolId] });

  return (
    <div>
      <div className="toolbar">
        <button type="button" className="primary" data-testid="create-group" onClick={() => setEditing("new")}>
          Create group
        </button>
      </div>
      <ErrorBox error={groups.error} onRetry={() => groups.refetch()} />
      {groups.isPending ? (
        <Spinner label="Loading groups" />
      ) : list.length === 0 ? (
        <EmptyState title="No groups">
          <p>Groups put users in roles: their role ARN and precedence land in the ID token.</p>
        </EmptyState>
      ) : (
        <table className="data-table">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Precedence</th>
              <th scope="col">Role ARN</th>
              <th scope="col">Description</th>
              <th scope="col"><span className="sr-only">Actions</span></th>
            </tr>
          </thead>
          <tbody>
            {list.map((g) => (
              <tr key={g.GroupName} data-testid="group-row">
                <td>{g.GroupName}</td>
                <td>{g.Precedence ?? "—"}</td>
                <td className="mono small-text">{g.RoleArn ?? "—"}</td>
                <td>{g.Description}</td>
                <td className="row-actions">
                  <button type="button" className="small" aria-label={`Edit group ${g.GroupName}`} onClick={() => setEditing(g)}>
                    Edit
                  </button>
                  <button
                    type="button"
                    className="small danger"
                    aria-label={`Delete group ${g.GroupName}`}
                    onClick={async () => {
                      if (!(await confirm({ title: "Delete group", message: `Delete group ${g.GroupName}? Its users stay in the pool.`, confirmLabel: "Delete", danger: true }))) return;
                      try {
                        await api.idp("DeleteGroup", { UserPoolId: poolId, GroupName: g.GroupName! });
                        await refresh();
                      } catch (e) {
                        toast.error(e, "Delete failed");
                      }
                    }}
                  >
                    Delete
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {groups.hasNextPage && (
        <button type="button" onClick={() => groups.fetchNextPage()}>
          Load more
        </button>
      )}
      {editing && (
        <GroupDialog
          poolId={poolId}
          group={editing === "new" ? undefined : editing}
          onClose={() => setEditing(null)}
          onSaved={() => {
            setEditing(null);
            void refresh();
          }}
        />
      )}
    </div>
  );
}

function GroupDialog({ poolId, group, onClose, onSaved }: { poolId: string; group?: GroupType; onClose: () => void; onSaved: () => void }) {
  const api = useApi();
  const submit = useSubmitError();
  const form = useForm<GroupValues>({
    resolver: zodResolver(groupSchema),
    defaultValues: {
      GroupName: group?.GroupName ?? "",
      Description: group?.Description ?? "",
      Precedence: group?.Precedence !== undefined ? String(group.Precedence) : "",
      RoleArn: group?.RoleArn ?? "",
    },
  });
  const onSubmit = async (v: GroupValues) => {
    const body = {
      UserPoolId: poolId,
      GroupName: v.GroupName,
      ...(v.Description ? { Description: v.Description } : {}),
      ...(v.Precedence !== "" ? { Precedence: Number(v.Precedence) } : {}),
      ...(v.RoleArn ? { RoleArn: v.RoleArn } : {}),
    };
    try {
      if (group) await api.idp("UpdateGroup", body);
      else await api.idp("CreateGroup", body);
      onSaved();
    } catch (err) {
      submit.setError(err);
    }
  };
  return (
    <Dialog title={group ? `Edit group ${group.GroupName}` : "Create group"} onClose={onClose}>
      <FormProvider {...form}>
        <form className="form" onSubmit={submit.clearingFirst(form.handleSubmit(onSubmit))} noValidate>
          <TextField<GroupValues> name="GroupName" label="Name" testId="group-name" readOnly={!!group} autoFocus={!group} autoComplete="off" />
          <TextField<GroupValues> name="Precedence" label="Precedence (lower wins)" testId="group-precedence" inputMode="numeric" className="narrow" />
          <TextField<GroupValues> name="RoleArn" label="Role ARN" testId="group-role" placeholder="arn:aws:iam::123456789012:role/name" />
          <TextAreaField<GroupValues> name="Description" label="Description" testId="group-description" />
          <ErrorBox error={submit.error} />
          <div className="dialog-actions">
            <button type="button" onClick={onClose}>Cancel</button>
            <button type="submit" className="primary" data-testid="group-submit" disabled={form.formState.isSubmitting}>
              {group ? "Save" : "Create group"}
            </button>
          </div>
        </form>
      </FormProvider>
    </Dialog>
  );
}
