import { useEffect, useMemo, useState } from "react";
import { ErrorBox, Spinner } from "../../components/bits";
import { buildSimulationInput, type SimulationSource } from "../../lib/claims";
import { issuerForPool } from "../../lib/region";
import type { RolesDraft } from "./rolesState";
import type { SimulateRoleMappingRequest, SimulateRoleMappingResponse } from "../../api/pooldesk";
import { withDraft } from "./simulation";
import { SimUserPicker, type LoadedUser } from "./SimUserPicker";
import { SimulationResult } from "./SimulationResult";
import { useLiveSimulation } from "./useLiveSimulation";
import "./roles.css";

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
 * Which role a user / token / set of claims gets under the roles and rules ON SCREEN, saved or
 * not, asked of the server (PoolDesk.SimulateRoleMapping with the draft) so it never disagrees
 * with what GetCredentialsForIdentity would do. Re-runs by itself as the rules or input change.
 */
export function Simulator({
  identityPoolId,
  provider,
  poolId,
  clientId,
  usernameAttributes,
  draft,
  draftProblem,
  onResult,
}: {
  identityPoolId: string;
  provider: string;
  poolId: string | undefined;
  clientId: string | undefined;
  usernameAttributes: string[] | undefined;
  draft: RolesDraft;
  /** Why the draft cannot be simulated yet (an unfinished rule), or null. */
  draftProblem: string | null;
  onResult: (r: SimulateRoleMappingResponse | null) => void;
}) {
  const [mode, setMode] = useState<Mode>(poolId ? "user" : "claims");
  const [user, setUser] = useState<LoadedUser | undefined>(undefined);
  const [idToken, setIdToken] = useState("");
  const [claimsText, setClaimsText] = useState(() => exampleClaims(poolId, clientId));
  const [customRoleArn, setCustomRoleArn] = useState("");

  const source: SimulationSource =
    mode === "user" ? { mode, claims: user?.claims } : mode === "token" ? { mode, idToken } : { mode, claimsText };
  const built = buildSimulationInput(identityPoolId, provider, source, customRoleArn);
  const draftKey = JSON.stringify(draft);
  const request: SimulateRoleMappingRequest | null = useMemo(
    () => (built.ok && !draftProblem ? withDraft(built.input, draft) : null),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [JSON.stringify(built), draftKey, draftProblem],
  );
  const sim = useLiveSimulation(request);
  useEffect(() => onResult(sim.result), [sim.result, onResult]);
  const waitingFor = !built.ok ? built.error : draftProblem;

  return (
    <section className="simulator" aria-labelledby="sim-title">
      <h2 id="sim-title">Which role would they get?</h2>
      <p className="sim-status">Uses the rules as they are on screen, saved or not.</p>
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

      {mode === "user" && poolId && (
        <SimUserPicker poolId={poolId} clientId={clientId} usernameAttributes={usernameAttributes} onLoaded={setUser} />
      )}
      {mode === "user" && user?.warning && (
        <p className="sim-warning" role="alert" data-testid="sim-user-warning">
          {user.warning}
        </p>
      )}
      {mode === "user" && user && (
        <pre className="claims-preview" aria-label="Claims of the user" data-testid="sim-user-claims">
          {JSON.stringify(user.claims, null, 2)}
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
      <div className="row-inline">
        <button type="button" className="primary" data-testid="sim-run" disabled={!request || sim.running} onClick={sim.runNow}>
          {sim.running ? <Spinner label="Simulating" /> : null} Simulate now
        </button>
        {waitingFor && (
          <span className="sim-status" data-testid="sim-waiting">
            {waitingFor}
          </span>
        )}
      </div>
      <ErrorBox error={sim.error} testId="sim-error" />
      {sim.result && <SimulationResult result={sim.result} />}
    </section>
  );
}

