// A pool's users as a file (PoolDesk.ExportUsers, a page at a time): Cognito's user-import CSV,
// which the import dialog, `pooldesk import-users` and Cognito's import jobs load again, or JSON
// with status and groups. Passwords are not exported.
import type { Api } from "../../api/client";
import type { ExportedUser } from "../../api/pooldesk";

export type ExportFormat = "csv" | "json";

/** One CSV field, quoted when it holds a comma, a quote or a line break (RFC 4180). */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** A user's CSV line under `header` (GetCSVHeader's columns). */
export function csvLine(header: string[], user: ExportedUser): string {
  const value = (column: string) =>
    column === "cognito:username" ? user.Username : column === "cognito:mfa_enabled" ? String(user.MfaEnabled) : (user.Attributes[column] ?? "");
  return header.map((c) => csvField(value(c))).join(",") + "\n";
}

/** Every user of the pool, as `format`'s text; `onProgress` hears how many so far. Stops with an AbortError when `signal` aborts. */
export async function exportUsers(
  api: Api,
  poolId: string,
  format: ExportFormat,
  onProgress: (count: number) => void,
  signal?: AbortSignal,
): Promise<{ text: string; count: number }> {
  const parts: string[] = [];
  const users: ExportedUser[] = [];
  let token: string | undefined;
  let count = 0;
  do {
    if (signal?.aborted) throw new DOMException("The export was cancelled", "AbortError");
    const page = await api.pooldesk("ExportUsers", { UserPoolId: poolId, NextToken: token });
    if (format === "csv") {
      if (count === 0) parts.push(page.CsvHeader.map(csvField).join(",") + "\n");
      for (const u of page.Users) parts.push(csvLine(page.CsvHeader, u));
    } else {
      users.push(...page.Users);
    }
    count += page.Users.length;
    onProgress(count);
    token = page.NextToken;
  } while (token);
  return { text: format === "csv" ? parts.join("") : JSON.stringify(users, null, 2) + "\n", count };
}
