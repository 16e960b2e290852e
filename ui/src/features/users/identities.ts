// A user's linked external identities: Cognito keeps them as a JSON string in the `identities`
// attribute.
import { formatEpoch, formatEpochMillis } from "../../lib/format";

export interface LinkedIdentity {
  providerName: string;
  providerType?: string;
  /** The subject at the provider (Cognito_Subject). */
  userId: string;
  issuer?: string;
  primary: boolean;
  dateCreated?: number;
}

/** The parsed `identities` attribute; nothing for a missing or malformed one. */
export function parseIdentities(json: string | undefined): LinkedIdentity[] {
  if (!json) return [];
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    return [];
  }
  if (!Array.isArray(raw)) return [];
  return raw.flatMap((x) => {
    if (!x || typeof x !== "object") return [];
    const o = x as Record<string, unknown>;
    if (typeof o.providerName !== "string" || o.userId === undefined || o.userId === null) return [];
    const date = typeof o.dateCreated === "number" ? o.dateCreated : typeof o.dateCreated === "string" && o.dateCreated !== "" ? Number(o.dateCreated) : undefined;
    return [
      {
        providerName: o.providerName,
        providerType: typeof o.providerType === "string" ? o.providerType : undefined,
        userId: String(o.userId),
        issuer: typeof o.issuer === "string" && o.issuer ? o.issuer : undefined,
        primary: o.primary === true || o.primary === "true",
        dateCreated: date !== undefined && Number.isFinite(date) ? date : undefined,
      },
    ];
  });
}

/** dateCreated is epoch milliseconds in Cognito; seconds are read too. */
export function formatIdentityDate(d: number | undefined): string {
  if (d === undefined) return "—";
  return d > 1e11 ? formatEpochMillis(d) : formatEpoch(d);
}
