import { useState, type ReactNode } from "react";
import { describeError, errorHeading } from "../api/errors";

export function Spinner({ label = "Loading" }: { label?: string }) {
  return (
    <span className="spinner-wrap" role="status">
      <span className="spinner" aria-hidden="true" />
      <span className="sr-only">{label}</span>
    </span>
  );
}

/** Cognito's error, code and message, as the user should see it (connection errors get a heading). */
export function ErrorBox({ error, onRetry, testId }: { error: unknown; onRetry?: () => void; testId?: string }) {
  if (!error) return null;
  const { code, message } = describeError(error);
  const heading = errorHeading(code);
  return (
    <div className="error-box" role="alert" data-testid={testId ?? "error"}>
      <strong className="error-code" title={heading ? code : undefined}>
        {heading ?? code}
      </strong>{" "}
      <span>{message}</span>
      {onRetry && (
        <button type="button" onClick={onRetry} className="link-button">
          Retry
        </button>
      )}
    </div>
  );
}

export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="empty-state">
      <p className="empty-title">{title}</p>
      {children}
    </div>
  );
}

export function CopyButton({ text, label, testId }: { text: string; label: string; testId?: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <button
      type="button"
      className="small"
      aria-label={`Copy ${label}`}
      data-testid={testId}
      onClick={async () => {
        if (await copyText(text)) {
          setCopied(true);
          setTimeout(() => setCopied(false), 1500);
        }
      }}
    >
      {copied ? "Copied" : "Copy"}
    </button>
  );
}

export function FieldError({ message, id, testId }: { message?: string; id?: string; testId?: string }) {
  if (!message) return null;
  return (
    <span className="field-error" id={id} role="alert" data-testid={testId}>
      {message}
    </span>
  );
}

/** Clipboard API where the webview allows it, else the selection-based fallback (no plugin needed). */
export async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const ta = document.createElement("textarea");
    ta.value = text;
    ta.setAttribute("readonly", "");
    ta.className = "sr-only";
    document.body.appendChild(ta);
    ta.select();
    try {
      return document.execCommand("copy");
    } catch {
      return false;
    } finally {
      ta.remove();
    }
  }
}
