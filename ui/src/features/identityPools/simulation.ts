// What the simulator sends and shows: the draft on screen as SimulateRoleMapping's input, each
// rule's outcome, and the server's reasons in plain words.
import type {
  RuleOutcome,
  SimulateRoleMappingRequest,
  SimulateRoleMappingResponse,
  SimulationReason,
} from "../../api/pooldesk";
import { toSetIdentityPoolRolesInput, type RolesDraft } from "./rolesState";

export type { RuleOutcome };

/** The simulator's input with the roles and mappings as they are on screen, saved or not. */
export function withDraft(input: SimulateRoleMappingRequest, draft: RolesDraft): SimulateRoleMappingRequest {
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

/** The server's outcome of each rule, by index (none when the mapping is not by rules). */
export function ruleOutcomes(response: SimulateRoleMappingResponse | null): Map<number, RuleOutcome> {
  return new Map((response?.Rules ?? []).map((r) => [r.Index, r]));
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
