// The "Add a server" form: the server's own rules (generated from Rust), checked again by the
// server, which answers InvalidConnection with a precise message; and the wire mapping.
import { z } from "zod";
import { ACCESS_KEY_ID, CONNECTION_NAME, REGION, follows, type Rule } from "../../generated/rules";
import { LOCAL_CONNECTION } from "../../api/connection";
import type { ConnectionCheck, NewConnection } from "../../api/tauri";

const following = (rule: Rule) => (value: string) => follows(rule, value);

export const connectionSchema = z.object({
  name: z
    .string()
    .trim()
    .min(1, "Name is required")
    .max(CONNECTION_NAME.maxLength, `At most ${CONNECTION_NAME.maxLength} characters`)
    .refine(following(CONNECTION_NAME), CONNECTION_NAME.hint)
    .refine((n) => n.toLowerCase() !== LOCAL_CONNECTION, '"local" is this computer; choose another name'),
  endpoint: z
    .string()
    .trim()
    .regex(/^https?:\/\/[^\s/?#]+\/?$/i, "An http:// or https:// address, e.g. https://cognito.example.com"),
  region: z
    .string()
    .trim()
    .refine(following(REGION), REGION.hint),
  accessKeyId: z
    .string()
    .trim()
    .refine(following(ACCESS_KEY_ID), ACCESS_KEY_ID.hint),
  secretAccessKey: z.string().min(1, "Secret access key is required"),
  replace: z.boolean(),
});

export type ConnectionValues = z.infer<typeof connectionSchema>;

/** What may be filled in ahead (re-adding a connection whose secret is missing); never the secret. */
export type ConnectionPrefill = Partial<Omit<ConnectionValues, "secretAccessKey">>;

export const connectionDefaults: ConnectionValues = {
  name: "",
  endpoint: "",
  region: "us-east-1",
  accessKeyId: "",
  secretAccessKey: "",
  replace: false,
};

export function toNewConnection(v: ConnectionValues): NewConnection {
  return {
    name: v.name,
    endpoint: v.endpoint,
    region: v.region,
    accessKeyId: v.accessKeyId,
    secretAccessKey: v.secretAccessKey,
    ...(v.replace ? { replace: true } : {}),
  };
}

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? "" : "s"}`;

/** "3 user pools, clock offset 0s" */
export function checkSummary(c: ConnectionCheck): string {
  const clock = c.clockOffsetSecs === null ? "clock offset unknown" : `clock offset ${c.clockOffsetSecs}s`;
  return `${plural(c.userPools, "user pool")}, ${clock}`;
}

/** "Connected to prod: 3 user pools" */
export function addedMessage(c: ConnectionCheck): string {
  return `Connected to ${c.connection.name}: ${plural(c.userPools, "user pool")}`;
}
