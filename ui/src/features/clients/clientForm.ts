// Editing an app client. UpdateUserPoolClient resets every field it is not sent to its default
// (Cognito's documented behaviour), so the request starts from the client's whole current
// configuration and only the edited fields are replaced.
import { z } from "zod";
import type {
  ExplicitAuthFlowsType,
  TimeUnitsType,
  UpdateUserPoolClientRequest,
  UserPoolClientType,
} from "../../generated/cognito-idp";
import { AUTH_FLOWS } from "../userPools/createPoolForm";

/** Flows the form offers; others the client has (legacy names) are kept as they are. */
const OFFERED_FLOWS = new Set<string>(AUTH_FLOWS.map((f) => f.value));

export const TIME_UNITS: TimeUnitsType[] = ["minutes", "hours", "days"];
const SECONDS: Record<TimeUnitsType, number> = { seconds: 1, minutes: 60, hours: 3600, days: 86400 };

/** Cognito's limits: access and ID tokens 5 minutes to 1 day, refresh tokens 1 hour to 10 years. */
const LIMITS = {
  access: { min: 300, max: 86400, words: "between 5 minutes and 1 day" },
  id: { min: 300, max: 86400, words: "between 5 minutes and 1 day" },
  refresh: { min: 3600, max: 3650 * 86400, words: "between 1 hour and 10 years" },
} as const;
type TokenKind = keyof typeof LIMITS;

const validity = z.object({ value: z.number({ invalid_type_error: "Enter a number" }).int("Whole numbers only").positive("Must be more than 0"), unit: z.enum(["seconds", "minutes", "hours", "days"]) });

export const clientSchema = z
  .object({
    ClientName: z.string().trim().min(1, "Name is required").max(128, "At most 128 characters"),
    access: validity,
    id: validity,
    refresh: validity,
    ExplicitAuthFlows: z.array(z.string()),
    ReadAttributes: z.string(),
    WriteAttributes: z.string(),
    PreventUserExistenceErrors: z.enum(["ENABLED", "LEGACY"]),
    EnableTokenRevocation: z.boolean(),
    RefreshTokenRotation: z.boolean(),
    RetryGracePeriodSeconds: z.number({ invalid_type_error: "Enter a number" }).int("Whole seconds").min(0, "0 to 60 seconds").max(60, "0 to 60 seconds"),
  })
  .superRefine((v, ctx) => {
    for (const kind of Object.keys(LIMITS) as TokenKind[]) {
      const s = v[kind].value * SECONDS[v[kind].unit];
      const { min, max, words } = LIMITS[kind];
      if (Number.isFinite(s) && (s < min || s > max)) ctx.addIssue({ code: "custom", path: [kind, "value"], message: `Must be ${words}` });
    }
  });

export type ClientFormValues = z.infer<typeof clientSchema>;

/** Cognito's defaults when a client has no validity set: 60 minutes, 60 minutes, 30 days. */
export function formFromClient(c: UserPoolClientType): ClientFormValues {
  const u = c.TokenValidityUnits ?? {};
  return {
    ClientName: c.ClientName ?? "",
    access: { value: c.AccessTokenValidity ?? 60, unit: c.AccessTokenValidity ? (u.AccessToken ?? "hours") : "minutes" },
    id: { value: c.IdTokenValidity ?? 60, unit: c.IdTokenValidity ? (u.IdToken ?? "hours") : "minutes" },
    refresh: { value: c.RefreshTokenValidity ?? 30, unit: u.RefreshToken ?? "days" },
    ExplicitAuthFlows: (c.ExplicitAuthFlows ?? []).filter((f) => OFFERED_FLOWS.has(f)),
    ReadAttributes: (c.ReadAttributes ?? []).join(", "),
    WriteAttributes: (c.WriteAttributes ?? []).join(", "),
    PreventUserExistenceErrors: c.PreventUserExistenceErrors ?? "LEGACY",
    EnableTokenRevocation: c.EnableTokenRevocation ?? true,
    RefreshTokenRotation: c.RefreshTokenRotation?.Feature === "ENABLED",
    RetryGracePeriodSeconds: c.RefreshTokenRotation?.RetryGracePeriodSeconds ?? 0,
  };
}

const list = (text: string) =>
  text
    .split(/[\s,]+/)
    .map((x) => x.trim())
    .filter(Boolean);

/**
 * Everything UpdateUserPoolClient takes, as the client has it now. Read-only fields (secret,
 * dates, ClientType) are left out: the operation does not accept them. Every editor of a client
 * (settings, OAuth) starts from this so that nothing it does not edit is reset.
 */
export function currentClientConfig(c: UserPoolClientType): UpdateUserPoolClientRequest {
  return {
    UserPoolId: c.UserPoolId!,
    ClientId: c.ClientId!,
    ClientName: c.ClientName,
    RefreshTokenValidity: c.RefreshTokenValidity,
    AccessTokenValidity: c.AccessTokenValidity,
    IdTokenValidity: c.IdTokenValidity,
    TokenValidityUnits: c.TokenValidityUnits,
    ReadAttributes: c.ReadAttributes,
    WriteAttributes: c.WriteAttributes,
    ExplicitAuthFlows: c.ExplicitAuthFlows,
    SupportedIdentityProviders: c.SupportedIdentityProviders,
    CallbackURLs: c.CallbackURLs,
    LogoutURLs: c.LogoutURLs,
    DefaultRedirectURI: c.DefaultRedirectURI,
    AllowedOAuthFlows: c.AllowedOAuthFlows,
    AllowedOAuthScopes: c.AllowedOAuthScopes,
    AllowedOAuthFlowsUserPoolClient: c.AllowedOAuthFlowsUserPoolClient,
    AnalyticsConfiguration: c.AnalyticsConfiguration,
    PreventUserExistenceErrors: c.PreventUserExistenceErrors,
    EnableTokenRevocation: c.EnableTokenRevocation,
    EnablePropagateAdditionalUserContextData: c.EnablePropagateAdditionalUserContextData,
    AuthSessionValidity: c.AuthSessionValidity,
    RefreshTokenRotation: c.RefreshTokenRotation,
  };
}

/** The request without its absent fields (JSON drops undefined anyway; this keeps logs readable). */
export function withoutAbsent(r: UpdateUserPoolClientRequest): UpdateUserPoolClientRequest {
  return Object.fromEntries(Object.entries(r).filter(([, x]) => x !== undefined)) as unknown as UpdateUserPoolClientRequest;
}

/** The client's full configuration with the form's edits: nothing unedited is reset. */
export function toUpdateClientInput(c: UserPoolClientType, v: ClientFormValues): UpdateUserPoolClientRequest {
  const current = currentClientConfig(c);
  const edited: Partial<UpdateUserPoolClientRequest> = {
    ClientName: v.ClientName.trim(),
    AccessTokenValidity: v.access.value,
    IdTokenValidity: v.id.value,
    RefreshTokenValidity: v.refresh.value,
    TokenValidityUnits: { AccessToken: v.access.unit, IdToken: v.id.unit, RefreshToken: v.refresh.unit },
    ExplicitAuthFlows: [
      ...(c.ExplicitAuthFlows ?? []).filter((f) => !OFFERED_FLOWS.has(f)),
      ...(v.ExplicitAuthFlows as ExplicitAuthFlowsType[]),
    ],
    ReadAttributes: list(v.ReadAttributes),
    WriteAttributes: list(v.WriteAttributes),
    PreventUserExistenceErrors: v.PreventUserExistenceErrors,
    EnableTokenRevocation: v.EnableTokenRevocation,
    RefreshTokenRotation: v.RefreshTokenRotation
      ? { Feature: "ENABLED", RetryGracePeriodSeconds: v.RetryGracePeriodSeconds }
      : c.RefreshTokenRotation
        ? { Feature: "DISABLED" }
        : undefined,
  };
  return withoutAbsent({ ...current, ...edited });
}

/** "60 minutes", for the details list. */
export function validityText(value: number | undefined, unit: TimeUnitsType | undefined, fallback: string): string {
  return value === undefined ? fallback : `${value} ${unit ?? "hours"}`;
}
