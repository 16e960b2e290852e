// What the simulator sends and shows: the draft on screen as SimulateRoleMapping's input, each
// rule's outcome, and the server's reasons in plain words.
import type { RoleMapping } from "../../generated/cognito-identity";
import type { SimulateRoleMappingRequest, SimulateRoleMappingResponse, SimulationReason } from "../../api/pooldesk";
import { toSetIdentityPoolRolesInput, type RolesDraft } from "./rolesState";

// provisional: the draft fields and per-rule outcomes of SimulateRoleMapping, until the
// generated types land on main (then use SimulateRoleMappingRequest/Response and RuleOutcome).
export type RuleOutcomeKind = "Matched" | "NotMatched" | "NotReached";
// provisional
export interface RuleOutcome {
  /** 0-based. */
  Index: number;
  Outcome: RuleOutcomeKind;
  Claim: string;
  MatchType: string;
  Value: string;
  RoleARN: string;
  /** The claim's value as compared; absent when the token lacks the claim. */
  ClaimValue?: string;
}
// provisional
export type DraftSimulationRequest = SimulateRoleMappingRequest & {
  Roles?: Record<string, string>;
  RoleMappings?: Record<string, RoleMapping>;
};
// provisional
export type DraftSimulationResponse = SimulateRoleMappingResponse & {
  Rules?: RuleOutcome[];
  Claims?: Record<string, unknown>;
};

/** The simulator's input with the roles and mappings as they are on screen, saved or not. */
export function withDraft(input: SimulateRoleMappingRequest, draft: RolesDraft): DraftSimulationRequest {
  const { Roles, RoleMappings } = toSetIdentityPoolRolesInput(input.IdentityPoolId, draft);
  return { ...input, Roles, RoleMappings };
}

/** Every SimulationReason as a sentence a person reads (the enum names are for programs). */
export const REASON_SENTENCES: Record<SimulationReason, string> = {
  GuestRole: "A guest (someone not signed in) gets the pool's guest role.",
  DefaultRole: "This sign-in provider has no role mapping, so everyone who signs in through it gets the pool's authenticated role.",
  RuleMatched: "A rule matched: rules are checked from the top and the first one that matches decides.",
  PreferredRole: "The token names a preferred role (cognito:preferred_role, from the user's group with the lowest precedence).",
  OnlyRoleInToken: "The token lists exactly one role (cognito:roles), so that role is used.",
  CustomRoleFromToken: "The app asked for this role (custom role ARN), and the token lists it among the user's roles.",
  AmbiguousFellBackToAuthenticatedRole:
    "No role could be chosen from the mapping, so the pool's authenticated role applies (the mapping says to use it when no role can be chosen).",
};

export function reasonSentence(reason: SimulationReason): string {
  return REASON_SENTENCES[reason] ?? reason;
}

/**
 * One outcome per rule on screen. The server's `Rules` when it sent them; otherwise (an older
 * server) only the deciding rule is known, from `RuleIndex`.
 */
export function ruleOutcomes(response: DraftSimulationResponse | null): Map<number, RuleOutcome> {
  const out = new Map<number, RuleOutcome>();
  if (!response) return out;
  if (response.Rules) {
    for (const r of response.Rules) out.set(r.Index, r);
  } else if (response.RoleArn !== null && typeof response.RuleIndex === "number") {
    out.set(response.RuleIndex, {
      Index: response.RuleIndex,
      Outcome: "Matched",
      Claim: "",
      MatchType: "",
      Value: "",
      RoleARN: response.RoleArn,
    });
  }
  return out;
}

/** What happened to one rule, in words. */
export function outcomeSentence(o: RuleOutcome, decidedBy: number | undefined): string {
  switch (o.Outcome) {
    case "Matched":
      return "Matched: this rule chooses the role.";
    case "NotMatched":
      return o.ClaimValue === undefined
        ? `Did not match: the token has no ${o.Claim} claim.`
        : `Did not match: ${o.Claim} is ${JSON.stringify(o.ClaimValue)}.`;
    case "NotReached":
      return decidedBy === undefined ? "Not reached: an earlier rule matched first." : `Not reached: rule ${decidedBy + 1} matched first.`;
  }
}

/** The index of the rule that decided, if one did. */
export function decidingRule(outcomes: Map<number, RuleOutcome>): number | undefined {
  for (const o of outcomes.values()) if (o.Outcome === "Matched") return o.Index;
  return undefined;
}

/** A warning when the user could not sign in to get a token at all, or could only partly. */
export function userStateWarning(user: { Enabled?: boolean; UserStatus?: string }): string | null {
  const problems: string[] = [];
  if (user.Enabled === false) problems.push("is disabled, so they cannot sign in and would get no token at all");
  switch (user.UserStatus) {
    case undefined:
    case "CONFIRMED":
    case "EXTERNAL_PROVIDER":
      break;
    case "UNCONFIRMED":
      problems.push("has not confirmed their account, so they cannot sign in yet");
      break;
    case "FORCE_CHANGE_PASSWORD":
      problems.push("must set a new password at their first sign-in before they get a token");
      break;
    case "RESET_REQUIRED":
      problems.push("must reset their password before they can sign in");
      break;
    default:
      problems.push(`has the status ${user.UserStatus} and may not be able to sign in`);
  }
  return problems.length ? `This user ${problems.join(", and ")}. The role below is what they would get once they can.` : null;
}
