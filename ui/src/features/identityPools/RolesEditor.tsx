import { useCallback, useEffect, useMemo, useState } from "react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import type { IdentityPool } from "../../generated/cognito-identity";
import { useApi } from "../../api/connection";
import { useConfirm } from "../../components/Confirm";
import { useToast } from "../../components/Toast";
import { ErrorBox, FieldError, Spinner } from "../../components/bits";
import { claimSuggestions, emptyMapping, roleNameOf, type MappingDraft } from "../../lib/roleRules";
import { useLeaveGuard } from "../../lib/leaveGuard";
import { poolIdOfProvider } from "../../lib/region";
import { RuleEditor } from "./RuleEditor";
import { Simulator } from "./Simulator";
import "./roles.css";
import type { SimulateRoleMappingResponse } from "../../api/pooldesk";
import { ruleOutcomes } from "./simulation";
import { poolProviders, providerKind, providerLabel, takesTokenMapping } from "./providers";
import { draftFromWire, fingerprint, toSetIdentityPoolRolesInput, validateRoles, type RolesDraft } from "./rolesState";

export function RolesEditor({ pool }: { pool: IdentityPool }) {
  const api = useApi();
  const qc = useQueryClient();
  const toast = useToast();
  const confirm = useConfirm();
  const id = pool.IdentityPoolId;
  const providers = useMemo(
    () => poolProviders(pool),
    [pool.CognitoIdentityProviders, pool.SupportedLoginProviders, pool.OpenIdConnectProviderARNs, pool.SamlProviderARNs],
  );
  const roles = useQuery({
    queryKey: [api.connection, "GetIdentityPoolRoles", id],
    queryFn: () => api.identity("GetIdentityPoolRoles", { IdentityPoolId: id }),
    staleTime: Infinity,
  });
  const [draft, setDraft] = useState<RolesDraft | null>(null);
  const [saved, setSaved] = useState<string>("");
  const [provider, setProvider] = useState<string>("");
  const [tried, setTried] = useState(false);
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<unknown>(null);
  const [result, setResult] = useState<SimulateRoleMappingResponse | null>(null);
  const onResult = useCallback((r: SimulateRoleMappingResponse | null) => setResult(r), []);

  // Initialise once per load; later refetches must not clobber edits.
  useEffect(() => {
    if (roles.data && draft === null) {
      const d = draftFromWire(roles.data, providers);
      setDraft(d);
      setSaved(fingerprint(d));
    }
  }, [roles.data, providers, draft]);
  // Providers linked after load get an empty mapping.
  useEffect(() => {
    if (!draft) return;
    const missing = providers.filter((p) => !draft.mappings[p]);
    if (missing.length) {
      setDraft({ ...draft, mappings: { ...draft.mappings, ...Object.fromEntries(missing.map((p) => [p, emptyMapping()])) } });
    }
  }, [providers, draft]);

  const current = provider && draft?.mappings[provider] ? provider : (Object.keys(draft?.mappings ?? {})[0] ?? "");
  const poolId = poolIdOfProvider(current);
  const userPool = useQuery({
    queryKey: [api.connection, "DescribeUserPool", poolId],
    queryFn: () => api.idp("DescribeUserPool", { UserPoolId: poolId! }),
    enabled: !!poolId,
    select: (r) => r.UserPool,
  });
  const suggestions = useMemo(() => claimSuggestions(userPool.data?.SchemaAttributes), [userPool.data]);
  const dirty = !!draft && fingerprint(draft) !== saved;
  useLeaveGuard(dirty, () =>
    confirm({
      title: "Discard unsaved roles?",
      message: "The roles and rules you changed here are not saved. Leave and lose the changes?",
      confirmLabel: "Discard changes",
      danger: true,
    }),
  );

  if (roles.isPending || (!draft && !roles.error)) return <Spinner label="Loading roles" />;
  if (!draft) return <ErrorBox error={roles.error} onRetry={() => roles.refetch()} />;

  const validation = validateRoles(draft);
  const mapping: MappingDraft | undefined = draft.mappings[current];
  const setMapping = (m: MappingDraft) => {
    setDraft({ ...draft, mappings: { ...draft.mappings, [current]: m } });
  };
  const clientId = pool.CognitoIdentityProviders?.find((p) => p.ProviderName === current)?.ClientId;

  const save = async () => {
    setTried(true);
    if (!validation.ok) return;
    setSaving(true);
    setSaveError(null);
    try {
      await api.identity("SetIdentityPoolRoles", toSetIdentityPoolRolesInput(id, draft));
      setSaved(fingerprint(draft));
      toast.ok("Roles saved");
      void qc.invalidateQueries({ queryKey: [api.connection, "GetIdentityPoolRoles", id] });
    } catch (e) {
      setSaveError(e);
    } finally {
      setSaving(false);
    }
  };

  const outcomes = ruleOutcomes(result);

  return (
    // The workspace is the size container: the columns collapse when IT is narrow, not the window.
    <div className="roles-workspace">
      <div className="roles-columns">
        <form
          className="form roles-form"
          aria-label="Roles and role mappings"
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            void save();
          }}
        >
          <fieldset>
            <legend>Default roles</legend>
            <label className="field">
              <span>Authenticated role ARN</span>
              <input
                data-testid="role-authenticated"
                value={draft.authenticated}
                placeholder="arn:aws:iam::123456789012:role/authenticated"
                aria-invalid={!!validation.roles.authenticated}
                onChange={(e) => setDraft({ ...draft, authenticated: e.target.value.trim() })}
              />
              <RoleName arn={draft.authenticated} />
              <FieldError message={validation.roles.authenticated} />
            </label>
            <label className="field">
              <span>Unauthenticated (guest) role ARN</span>
              <input
                data-testid="role-unauthenticated"
                value={draft.unauthenticated}
                placeholder="arn:aws:iam::123456789012:role/guest"
                aria-invalid={!!validation.roles.unauthenticated}
                onChange={(e) => setDraft({ ...draft, unauthenticated: e.target.value.trim() })}
              />
              <RoleName arn={draft.unauthenticated} />
              <FieldError message={validation.roles.unauthenticated} />
            </label>
          </fieldset>

          <fieldset>
            <legend>Role mapping</legend>
            {Object.keys(draft.mappings).length === 0 ? (
              <p className="muted">Add a sign-in provider (in Settings above) to map its users to roles.</p>
            ) : (
              <>
                <label className="field">
                  <span>Provider</span>
                  <select data-testid="mapping-provider" value={current} onChange={(e) => setProvider(e.target.value)}>
                    {Object.keys(draft.mappings).map((p) => (
                      <option key={p} value={p} title={p}>
                        {providerLabel(p)}
                      </option>
                    ))}
                  </select>
                </label>
                {mapping && (
                  <>
                    <div className="row-inline">
                      <label className="field inline">
                        <span>Mapping type</span>
                        <select
                          data-testid="mapping-type"
                          value={mapping.Type}
                          onChange={(e) => setMapping({ ...mapping, Type: e.target.value as MappingDraft["Type"] })}
                        >
                          <option value="">None</option>
                          {/* Only user pools and SAML carry roles; a Token mapping saved for another provider stays shown. */}
                          {(takesTokenMapping(current) || mapping.Type === "Token") && <option value="Token">Token</option>}
                          <option value="Rules">Rules</option>
                        </select>
                      </label>
                      {mapping.Type !== "" && (
                        <label className="field inline">
                          <span>When no role can be chosen</span>
                          <select
                            data-testid="mapping-ambiguous"
                            value={mapping.AmbiguousRoleResolution}
                            onChange={(e) =>
                              setMapping({ ...mapping, AmbiguousRoleResolution: e.target.value as MappingDraft["AmbiguousRoleResolution"] })
                            }
                          >
                            <option value="AuthenticatedRole">Use the authenticated role</option>
                            <option value="Deny">Deny</option>
                          </select>
                        </label>
                      )}
                    </div>
                    <p className="muted small-text" data-testid="mapping-type-note">
                      {mappingNote(current, mapping.Type)}
                    </p>
                    {mapping.Type === "Rules" && (
                      <RuleEditor
                        draft={mapping}
                        onChange={setMapping}
                        errors={validation.mappings[current]!}
                        showAllErrors={tried}
                        claimSuggestions={suggestions}
                        outcomes={outcomes}
                      />
                    )}
                  </>
                )}
              </>
            )}
          </fieldset>
          <ErrorBox error={saveError} testId="mapping-error" />
          {tried && !validation.ok && <p className="field-error" role="alert">Fix the highlighted fields before saving.</p>}
          <div className="form-actions">
            <button type="submit" className="primary" data-testid="mapping-save" disabled={saving}>
              {saving ? <Spinner label="Saving" /> : null} Save roles
            </button>
            {dirty && <span className="unsaved" data-testid="mapping-unsaved">Unsaved changes</span>}
          </div>
        </form>
        <Simulator
          key={current}
          identityPoolId={id}
          provider={current}
          poolId={poolId}
          clientId={clientId}
          usernameAttributes={userPool.data?.UsernameAttributes}
          draft={draft}
          draftProblem={validation.ok ? null : "Some roles or rules are unfinished or invalid: complete them to simulate."}
          onResult={onResult}
        />
      </div>
    </div>
  );
}

/** What a mapping of this type does for this provider's sign-ins. */
function mappingNote(provider: string, type: MappingDraft["Type"]): string {
  const kind = providerKind(provider);
  if (type === "Rules") return "Rules: checked in order; the first rule that matches chooses the role.";
  if (kind === "saml") {
    return `${type === "" ? "No mapping" : "Token"}: the role comes from the assertion's https://aws.amazon.com/SAML/Attributes/Role values that pair a role with this provider (the only one, or the CustomRoleArn chosen among several); the authenticated role when it names none.`;
  }
  if (type === "") return "No mapping: every signed-in user of this provider gets the authenticated role.";
  if (kind === "userPool") return "Token: the role comes from the token's cognito:preferred_role, its only cognito:roles entry, or a CustomRoleArn among them.";
  return "Token: this provider's tokens carry no roles (only user pools and SAML do), so every sign-in is decided by \"When no role can be chosen\". Choose None or Rules.";
}

/** The role's name under its ARN box, which a long account prefix would otherwise hide. */
function RoleName({ arn }: { arn: string }) {
  const name = roleNameOf(arn);
  return name ? <span className="default-role-name">Role: {name}</span> : null;
}
