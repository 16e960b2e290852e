import type { BulkOutcome } from "./useBulkActions";

/** "Disable: 2 succeeded, 1 failed" with each failure by name, code and message. */
export function BulkOutcomeBox({ outcome, onDismiss }: { outcome: BulkOutcome; onDismiss: () => void }) {
  const { label, result } = outcome;
  return (
    <div className={result.failed.length ? "bulk-result has-failures" : "bulk-result"} role="status" data-testid="bulk-result">
      <strong>
        {label}: {result.succeeded.length} succeeded, {result.failed.length} failed
      </strong>
      {result.failed.length > 0 && (
        <ul>
          {result.failed.map((f) => (
            <li key={f.item}>
              <span className="mono">{f.item}</span>: <strong>{f.code}</strong> {f.message}
            </li>
          ))}
        </ul>
      )}
      <button type="button" className="small" onClick={onDismiss}>
        Dismiss
      </button>
    </div>
  );
}
