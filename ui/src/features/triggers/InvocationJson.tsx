import type { TriggerInvocation } from "../../api/pooldesk";
import { errorMessage, errorName } from "./triggerForm";

/** JSON as people read it: two-space indents; undefined (no answer) as a dash. */
export function prettyJson(value: unknown): string {
  if (value === undefined) return "—";
  try {
    return JSON.stringify(value, null, 2) ?? String(value);
  } catch {
    return String(value);
  }
}

/** What a trigger call ended with: OK, or the name of the error the caller got. */
export function OutcomeBadge({ invocation, testId }: { invocation: TriggerInvocation; testId?: string }) {
  const failed = !!invocation.Error;
  return (
    <span className={failed ? "badge badge-off" : "badge badge-on"} title={invocation.Error} data-testid={testId}>
      {failed ? errorName(invocation.Error!) : "OK"}
    </span>
  );
}

/** The event sent and the function's response (or the error) side by side. */
export function InvocationJson({ invocation, testIdPrefix }: { invocation: TriggerInvocation; testIdPrefix: string }) {
  return (
    <div className="trigger-json-pair">
      <section className="trigger-json" aria-label="Event sent">
        <h4>Event sent</h4>
        <pre className="mono" tabIndex={0} data-testid={`${testIdPrefix}-event`}>
          {prettyJson(invocation.Event)}
        </pre>
      </section>
      {invocation.Error ? (
        <section className="trigger-json trigger-json-error" aria-label="Error">
          <h4>Error</h4>
          <div className="trigger-error" role="note" data-testid={`${testIdPrefix}-error`}>
            <strong className="error-code">{errorName(invocation.Error)}</strong> <span>{errorMessage(invocation.Error)}</span>
          </div>
          {invocation.Response !== undefined && (
            <pre className="mono" tabIndex={0} data-testid={`${testIdPrefix}-response`}>
              {prettyJson(invocation.Response)}
            </pre>
          )}
        </section>
      ) : (
        <section className="trigger-json" aria-label="Response">
          <h4>Response</h4>
          <pre className="mono" tabIndex={0} data-testid={`${testIdPrefix}-response`}>
            {prettyJson(invocation.Response)}
          </pre>
        </section>
      )}
    </div>
  );
}
