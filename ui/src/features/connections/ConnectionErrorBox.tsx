import { describeError, errorHeading } from "../../api/errors";

/**
 * A connection's error, prominently: a short heading for the kind of failure above the
 * server's message, which already says what to do.
 */
export function ConnectionErrorBox({ error, testId }: { error: unknown; testId?: string }) {
  if (!error) return null;
  const { code, message } = describeError(error);
  return (
    <div className="error-box" role="alert" data-testid={testId}>
      <strong className="error-code" title={code}>
        {errorHeading(code) ?? code}
      </strong>
      <p className="error-message">{message}</p>
    </div>
  );
}
