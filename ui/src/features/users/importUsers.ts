// CSV import into a pool: the header Cognito expects (GetCSVHeader), whether a file's header
// fits it, and PoolDesk.ImportUsers (the same importer as `pooldesk import-users`).
import type { Api } from "../../api/client";
import type { UserPoolType } from "../../generated/cognito-idp";
import type { ImportUsersRequest, ImportUsersResponse } from "../../api/pooldesk";

export type { ImportFailure, ImportUsersResponse } from "../../api/pooldesk";

export function importUsers(api: Api, input: ImportUsersRequest): Promise<ImportUsersResponse> {
  return api.pooldesk("ImportUsers", input);
}

/** The fields of one CSV line (RFC 4180 quoting: "a,b" is one field, "" is a quote). */
export function parseCsvLine(line: string): string[] {
  const out: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      out.push(field);
      field = "";
    } else field += c;
  }
  out.push(field);
  return out.map((f) => f.trim());
}

/** The header as a file the user can fill in: one line, quoted where CSV needs it. */
export function headerCsv(header: string[]): string {
  return header.map((h) => (/[",\n]/.test(h) ? `"${h.replace(/"/g, '""')}"` : h)).join(",") + "\n";
}

export interface HeaderFit {
  ok: boolean;
  /** Columns the pool has no attribute for: every row with a value there fails. */
  unknown: string[];
  /** True when `cognito:username` is missing: no row can be imported. */
  noUsername: boolean;
  /** The pool's required attributes the file has no column for. */
  missingRequired: string[];
  /** Data lines (not counting the header and blank lines). */
  rows: number;
}

/**
 * The columns every row needs: the schema's required attributes, except the e-mail or phone
 * that is the username in such pools (`cognito:username` gives it).
 */
export function requiredColumns(pool: Pick<UserPoolType, "SchemaAttributes" | "UsernameAttributes"> | undefined): string[] {
  const signIn = new Set<string>(pool?.UsernameAttributes ?? []);
  return (pool?.SchemaAttributes ?? []).filter((a) => a.Required && a.Name !== "sub" && !signIn.has(a.Name!)).map((a) => a.Name!);
}

/** Whether a file's header fits the pool's: column order does not matter, names do. */
export function headerFit(csv: string, expected: string[], required: string[]): HeaderFit {
  const lines = csv.replace(/^\uFEFF/, "").split(/\r?\n/);
  const header = parseCsvLine(lines[0] ?? "").filter((h) => h !== "");
  const known = new Set(expected);
  const unknown = header.filter((h) => !known.has(h));
  const noUsername = !header.includes("cognito:username");
  const missingRequired = required.filter((r) => !header.includes(r));
  const rows = lines.slice(1).filter((l) => l.trim() !== "").length;
  return { ok: unknown.length === 0 && !noUsername && missingRequired.length === 0, unknown, noUsername, missingRequired, rows };
}
