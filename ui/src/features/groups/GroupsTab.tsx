import { useCallback, useMemo, useState } from "react";
import { FormProvider, useForm } from "react-hook-form";
import { zodResolver } from "@hookform/resolvers/zod";
import { z } from "zod";
import { useQueryClient } from "@tanstack/react-query";
import { createColumnHelper } from "@tanstack/react-table";
import type { GroupType } from "../../generated/cognito-idp";
import { useApi } from "../../api/connection";
import { useConfirm } from "../../components/Confirm";
import { useToast } from "../../components/Toast";
import { Dialog } from "../../components/Dialog";
import { DataTable } from "../../components/DataTable";
import { EmptyState, ErrorBox } from "../../components/bits";
import { TextAreaField, TextField, useSubmitError } from "../../components/form";
import { validateRoleArn } from "../../lib/roleRules";
import { usePoolGroups } from "../userPools/queries";
import { GroupMembers } from "./GroupMembers";
import "./groups.css";

const groupSchema = z.object({
  GroupName: z.string().min(1, "Name is required").max(128).regex(/^[\p{L}\p{M}\p{S}\p{N}\p{P}]+$/u, "No spaces"),
  Description: z.string().max(2048),
  Precedence: z.string().refine((s) => s === "" || /^\d+$/.test(s), "A whole number ≥ 0"),
  RoleArn: z.string().refine((s) => s === "" || !validateRoleArn(s), (s) => ({ message: validateRoleArn(s) ?? "" })),
});
type GroupValues = z.infer<typeof groupSchema>;

const col = createColumnHelper<GroupType>();

export function GroupsTab({ poolId }: { poolId: string }) {
  const api = useApi();
  const qc = useQueryClient();
  const confirm = useConfirm();
  const toast = useToast();
  const groups = usePoolGroups(poolId);
  const [editing, setEditing] = useState<GroupType | "new" | null>(null);
  const [membersOf, setMembersOf] = useState<string | null>(null);
  const list = useMemo(() => groups.data?.pages.flatMap((p) => p.Groups ?? []) ?? [], [groups.data]);
  const refresh = () => qc.invalidateQueries({ queryKey: [api.connection, "ListGroups", poolId] });

  const remove = async (g: GroupType) => {
    if (!(await confirm({ title: "Delete group", message: `Delete group ${g.GroupName}? Its users stay in the pool.`, confirmLabel: "Delete", danger: true }))) return;
    try {
      await api.idp("DeleteGroup", { UserPoolId: poolId, GroupName: g.GroupName! });
      if (membersOf === g.GroupName) setMembersOf(null);
      await refresh();
    } catch (e) {
      toast.error(e, "Delete failed");
    }
  };

  const { hasNextPage, isFetchingNextPage, fetchNextPage } = groups;
  const onNearEnd = useCallback(
    (last: number) => {
      if (hasNextPage && !isFetchingNextPage && last >= list.length - 20) void fetchNextPage();
    },
    [hasNextPage, isFetchingNextPage, fetchNextPage, list.length],
  );

  const columns = [
    col.accessor("GroupName", { id: "name", header: "Name", meta: { key: true } }),
    col.accessor("Precedence", { header: "Precedence", meta: { width: "7rem" }, cell: (c) => c.getValue() ?? "—" }),
    col.accessor("RoleArn", { header: "Role ARN", cell: (c) => <span className="mono small-text" title={c.getValue()}>{c.getValue() ?? "—"}</span> }),
    col.accessor("Description", { header: "Description", cell: (c) => <span title={c.getValue()}>{c.getValue()}</span> }),
    col.display({
      id: "actions",
      header: () => <span className="sr-only">Actions</span>,
      meta: { key: true, width: "14rem", label: "Actions" },
      cell: ({ row: { original: g } }) => (
        <span className="row-actions" onClick={(e) => e.stopPropagation()}>
          <button type="button" className="small" data-testid="group-members-open" aria-label={`Members of ${g.GroupName}`} onClick={() => setMembersOf(g.GroupName!)}>
            Members
          </button>
          <button type="button" className="small" aria-label={`Edit group ${g.GroupName}`} onClick={() => setEditing(g)}>
            Edit
          </button>
          <button type="button" className="small danger" aria-label={`Delete group ${g.GroupName}`} onClick={() => void remove(g)}>
            Delete
          </button>
        </span>
      ),
    }),
  ];

  return (
    <div className="groups-tab">
      <div className="toolbar">
        <button type="button" className="primary" data-testid="create-group" onClick={() => setEditing("new")}>
          Create group
        </button>
      </div>
      <div className="groups-body">
        <div className="groups-list">
          <DataTable<GroupType>
            label="Groups"
            noun={["group", "groups"]}
            columnsKey="groups"
            rows={list}
            columns={columns}
            getRowId={(g) => g.GroupName ?? ""}
            complete={!groups.hasNextPage && !groups.isPending}
            loading={groups.isPending || groups.isFetchingNextPage}
            error={groups.error}
            onRetry={() => void groups.refetch()}
            onNearEnd={onNearEnd}
            onOpen={(g) => setMembersOf(g.GroupName ?? null)}
            openId={membersOf}
            narrow={membersOf !== null}
            rowTestId="group-row"
            empty={
              <EmptyState title="No groups">
                <p>Groups put users in roles: their role ARN and precedence land in the ID token.</p>
              </EmptyState>
            }
          />
        </div>
        {membersOf && <GroupMembers key={membersOf} poolId={poolId} group={membersOf} onClose={() => setMembersOf(null)} />}
      </div>
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
