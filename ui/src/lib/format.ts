/** Wire timestamps are epoch seconds. */
export function formatEpoch(seconds: number | undefined | null): string {
  if (seconds === undefined || seconds === null) return "—";
  const d = new Date(seconds * 1000);
  if (Number.isNaN(d.getTime())) return "—";
  return d.toLocaleString();
}

/** PoolDesk's own timestamps (the audit log's) are epoch milliseconds. */
export function formatEpochMillis(ms: number | undefined | null): string {
  if (ms === undefined || ms === null) return "—";
  return formatEpoch(ms / 1000);
}

export function attr(attributes: { Name?: string; Value?: string }[] | undefined, name: string): string | undefined {
  return attributes?.find((a) => a.Name === name)?.Value;
}

/** An ISO 8601 timestamp (IAM's dates) in the user's locale. */
export function formatIsoDate(iso: string | undefined | null): string {
  if (!iso) return "—";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "—";
  return d.toLocaleString();
}

/** `1,234 bytes`, `12.1 KiB`: storage as Cognito Sync counts it (UTF-8 bytes of keys and values). */
export function formatBytes(n: number | undefined): string {
  const bytes = n ?? 0;
  if (bytes < 1024) return `${bytes.toLocaleString("en-US")} bytes`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(2)} MiB`;
}
