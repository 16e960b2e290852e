import { useState } from "react";
import { CopyButton } from "../../components/bits";

/** A client's secret, hidden until asked for (DescribeUserPoolClient returns it each time). */
export function ClientSecret({ secret }: { secret: string | undefined }) {
  const [shown, setShown] = useState(false);
  if (!secret) return <span>None (a public client, e.g. a browser or mobile app)</span>;
  return (
    <span className="client-secret">
      <code data-testid="client-secret-value">{shown ? secret : "•".repeat(16)}</code>
      <button type="button" className="small" data-testid="client-secret-toggle" aria-pressed={shown} onClick={() => setShown(!shown)}>
        {shown ? "Hide" : "Show"}
      </button>
      <CopyButton text={secret} label="client secret" testId="client-secret-copy" />
    </span>
  );
}
