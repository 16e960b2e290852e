import { roleNameOf } from "../../lib/roleRules";
import type { SimulateRoleMappingResponse } from "../../api/pooldesk";
import { decidingRule, outcomeSentence, reasonSentence, ruleOutcomes } from "./simulation";

/** The simulator's answer: the role and why, every rule's outcome, the claims, the tags. */
export function SimulationResult({ result }: { result: SimulateRoleMappingResponse }) {
  return (
    <div className="sim-result" aria-live="polite" data-testid="sim-result">
      {result.RoleArn !== null ? (
        <>
          <p>
            Role: <strong>{roleNameOf(result.RoleArn) || result.RoleArn}</strong> <code data-testid="sim-role">{result.RoleArn}</code>
          </p>
          <p>
            {result.RuleIndex !== undefined && result.RuleIndex !== null && (
              <strong data-testid="sim-rule">Rule {result.RuleIndex + 1}</strong>
            )}{" "}
            <span data-testid="sim-reason">{reasonSentence(result.Reason)}</span>
          </p>
          <p className="muted small-text" data-testid="sim-description">
            {result.Description}
          </p>
        </>
      ) : (
        <>
          <p>
            Role: <strong data-testid="sim-role">No role</strong>
          </p>
          <div className="error-box" data-testid="sim-no-role">
            <p>{result.Error.Explanation}</p>
            <p className="small-text">
              The app would get <strong className="error-code">{result.Error.Code}</strong>: {result.Error.Message}
            </p>
          </div>
        </>
      )}
      <RuleOutcomes result={result} />
      <ClaimsUsed claims={result.Claims} />
      <PrincipalTagsTable tags={result.PrincipalTags} />
    </div>
  );
}

function RuleOutcomes({ result }: { result: SimulateRoleMappingResponse }) {
  if (!result.Rules?.length) return null;
  const outcomes = ruleOutcomes(result);
  const decidedBy = decidingRule(outcomes);
  return (
    <>
      <h3>Rules</h3>
      <ol className="sim-outcomes" data-testid="sim-outcomes">
        {result.Rules.map((r) => (
          <li key={r.Index} data-testid="sim-outcome" data-outcome={r.Outcome}>
            <strong>Rule {r.Index + 1}</strong> ({r.Claim} {r.MatchType} {JSON.stringify(r.Value)}): {outcomeSentence(r, decidedBy)}
          </li>
        ))}
      </ol>
    </>
  );
}

function ClaimsUsed({ claims }: { claims: Record<string, unknown> | undefined }) {
  if (!claims) return null;
  return (
    <details open>
      <summary>Claims evaluated ({Object.keys(claims).length})</summary>
      <pre className="claims-preview" data-testid="sim-claims-used">
        {JSON.stringify(claims, null, 2)}
      </pre>
    </details>
  );
}

function PrincipalTagsTable({ tags }: { tags: Record<string, string> }) {
  const entries = Object.entries(tags ?? {});
  return (
    <>
      <h3>Principal tags</h3>
      {entries.length === 0 ? (
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
            {entries.map(([k, v]) => (
              <tr key={k}>
                <td className="mono">{k}</td>
                <td className="mono">{v}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
