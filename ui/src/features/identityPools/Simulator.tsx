import { useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { useApi } from "../../api/connection";
import type { SimulateRoleMappingResponse } from "../../api/pooldesk";
import { ErrorBox, Spinner } from "../../components/bits";
import { buildSimulationInput, claimsFromUser, type SimulationSource } from "../../lib/claims";
import { escapeFilterValue } from "../../lib/filter";
import { issuerForPool } from "../../lib/region";

type Mode = "user" | "token" | "claims";

function exampleClaims(poolId: string | undefined, clientId: string | undefined): string {
  return JSON.stringify(
    {
      sub: "00000000-0000-0000-0000-000000000000",
      "cognito:username": "alice",
      email: "alice@example.com",
      email_verified: true,
      "cognito:groups": ["admins"],
      ...(poolId ? { iss: issuerForPool(poolId) } : {}),
      ...(clientId ? { aud: clientId } : {}),
    },
    null,
    2,
  );
}

/**
 * Asks the server which role a user / token / set of claims gets under the SAVED mapping
 * (PoolDesk.SimulateRoleMapping), so it never disagrees with what GetCredentialsForIdentity does.
 */
export function Simulator({
  identityPoolId,
  provider,
  poolId,
  clientId,
  dirty,
  result,
  onResult,
}: {
  identityPoolId: string;
  provider: string;
  poolId: string | undefined;
  clientId: string | undefined;
  dirty: boolean;
  result: SimulateRoleMappingResponse | null;
  onResult: (r: SimulateRoleMappingResponse | null) => void;
}) {
  const api = useApi();
  const [mode, setMode] = useState<Mode>(poolId ? "user" : "claims");
  const [username, setUsername] = useState("");
  const [userClaims, setUserClaims] = useState<Record<string, unknown> | undefined>(undefined);
  const [loadingUser, setLoadingUser] = useState(false);
  const [idToken, setIdToken] = useState("");
  const [claimsText, setClaimsText] = useState(() => exampleClaims(poolId, clientId));
  const [customRoleArn, setCustomRoleArn] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [inputError, setInputError] = useState<string | null>(null);
  const [running, setRunning] = useState(false);

  const userSuggestions = useQuery({
    queryKey: [api.connection, "ListUsers", poolId, "sim-suggest", username],
    queryFn: () =>
      api.idp("ListUsers", {
        UserPoolId: poolId!,
        Limit: 10,
        ...(username ? { Filter: `username ^= "${escapeFilterValue(username)}"` } : {}),
      }),
    enabled: mode === "user" && !!poolId,
    staleTime: 10_000,
  });

  const loadUser = async () => {
    if (!poolId || !username) return;
    setLoadingUser(true);
    setError(null);
    setUserClaims(undefined);
    try {
      const [user, groups] = await Promise.all([
        api.idp("AdminGetUser", { UserPoolId: poolId, Username: username }),
        api.idp("AdminListGroupsForUser", { UserPoolId: poolId, Username: username, Limit: 60 }),
      ]);
      setUserClaims(claimsFromUser(user, groups.Groups ?? [], { poolId, clientId }));
    } catch (e) {
      setError(e);
    } finally {
      setLoadingUser(false);
    }
  };

  const run = async () => {
    const source: SimulationSource =
      mode === "user" ? { mode, claims: userClaims } : mode === "token" ? { mode, idToken } : { mode, claimsText };
    const built = buildSimulationInput(identityPoolId, provider, source, customRoleArn);
    if (!built.ok) {
      setInputError(built.error);
      return;
    }
    setInputError(null);
    setError(null);
    setRunning(true);
    onResult(null);
    try {
      onResult(await api.pooldesk("SimulateRoleMapping", built.input));
    } catch (e) {
      setError(e);
    } finally {
      setRunning(false);
    }
  };

  return (
    <section className="simulator" aria-labelledby="sim-title">
      <h2 id="sim-title">Which role would they get?</h2>
      <label className="field">
        <span>Simulate with</span>
        <select data-testid="sim-mode" value={mode} onChange={(e) => setMode(e.target.value as Mode)}>
          <option value="user" disabled={!poolId}>
            A user of the linked pool
          </option>
          <option value="token">An ID token</option>
          <option value="claims">Claims (JSON)</option>
        </select>
      </label>

      {mode === "user" && (
        <form
          className="row-inline"
          onSubmit={(e) => {
            e.preventDefault();
            void loadUser();
          }}
        >
          <label className="field inline grow">
            <span>Username</span>
            <input
              data-testid="sim-user"
              list="sim-user-list"
              value={username}
              onChange={(e) => {
                setUsername(e.target.value);
                setUserClaims(undefined);
              }}
              autoComplete="off"
            />
            <datalist id="sim-user-list">
              {(userSuggestions.data?.Users ?? []).map((u) => (
                <option key={u.Username} value={u.Username} />
              ))}
            </datalist>
          </label>
          <button type="submit" className="small" data-testid="sim-user-load" disabled={!username || loadingUser}>
            {loadingUser ? <Spinner label="Loading user" /> : null} Load claims
          </button>
        </form>
      )}
      {mode === "user" && userClaims && (
        <pre className="claims-preview" aria-label="Claims of the user" data-testid="sim-user-claims">
          {JSON.stringify(userClaims, null, 2)}
        </pre>
      )}
      {mode === "token" && (
        <label className="field">
          <span>ID token</span>
          <textarea data-testid="sim-token" rows={5} value={idToken} onChange={(e) => setIdToken(e.target.value)} spellCheck={false} />
        </label>
      )}
      {mode === "claims" && (
        <label className="field">
          <span>Claims (JSON object)</span>
          <textarea
            data-testid="sim-claims"
            rows={10}
            className="mono"
            value={claimsText}
            onChange={(e) => setClaimsText(e.target.value)}
            spellCheck={false}
          />
        </label>
      )}
      <label className="field">
        <span>Custom role ARN (optional, for Token mappings)</span>
        <input data-testid="sim-custom-role" value={customRoleArn} onChange={(e) => setCustomRoleArn(e.target.value)} />
      </label>
      {inputError && (
        <p className="field-error" role="alert">
          {inputError}
        </p>
      )}
      <div className="row-inline">
        <button type="button" className="primary" data-testid="sim-run" disabled={dirty || running} onClick={() => void run()}>
          {running ? <Spinner label="Simulating" /> : null} Simulate
        </button>
        {dirty && (
          <span className="unsaved" data-testid="sim-unsaved">
            Unsaved changes: save to simulate
          </span>
        )}
      </div>
      <ErrorBox error={error} testId="sim-error" />
      {result && <SimulationResult result={result} />}
    </section>
  );
}

function SimulationResult({ result }: { result: SimulateRoleMappingResponse }) {
  const tags = Object.entries(result.PrincipalTags ?? {});
  return (
    <div className="sim-result" aria-live="polite" data-testid="sim-result">
      {result.RoleArn !== null ? (
        <>
          <p>
            Role: <code data-testid="sim-role">{result.RoleArn}</code>
          </p>
          <p>
            <span className="badge" data-testid="sim-reason">
              {result.Reason}
            </span>{" "}
            {result.RuleIndex !== undefined && result.RuleIndex !== null && (
              <strong data-testid="sim-rule">Rule {result.RuleIndex + 1}</strong>
            )}
          </p>
          <p data-testid="sim-description">{result.Description}</p>
        </>
      ) : (
        <>
          <p>
            Role: <strong data-testid="sim-role">No role</strong>
          </p>
          <div className="error-box" data-testid="sim-no-role">
            <strong className="error-code">{result.Error.Code}</strong> {result.Error.Message}
            <p>{result.Error.Explanation}</p>
          </div>
        </>
      )}
      <h3>Principal tags</h3>
      {tags.length === 0 ? (
        <p className="muted">None.</p>
      ) : (
        <table className="data-table compact" data-testid="sim-tags">
          <thead>
            <tr>
              <th scope="col">Tag</th>
              <th scope="col">Value</th>
            </tr>
          </thead>
          <tbody>
            {tags.map(([k, v]) => (
              <tr key={k}>
                <td className="mono">{k}</td>
                <td className="mono">{v}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
