import { describe, expect, it, vi, beforeEach } from "vitest";
import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";

vi.mock("@tauri-apps/api/core", () => ({ invoke: vi.fn() }));

import { invoke } from "@tauri-apps/api/core";
import { ConfirmProvider } from "../../components/Confirm";
import { ToastProvider } from "../../components/Toast";
import { mayLeave } from "../../lib/leaveGuard";
import { RolesEditor } from "./RolesEditor";
import type { IdentityPool } from "../../generated/cognito-identity";

const invokeMock = vi.mocked(invoke);
const A = "cognito-idp.us-east-1.amazonaws.com/us-east-1_A";
const B = "cognito-idp.us-east-1.amazonaws.com/us-east-1_B";
const role = (n: string) => `arn:aws:iam::123456789012:role/${n}`;

const pool: IdentityPool = {
  IdentityPoolId: "us-east-1:pool",
  IdentityPoolName: "ip",
  AllowUnauthenticatedIdentities: false,
  CognitoIdentityProviders: [{ ProviderName: A, ClientId: "clientA" }, { ProviderName: B, ClientId: "clientB" }],
};

const saved = {
  IdentityPoolId: "us-east-1:pool",
  Roles: { authenticated: role("auth") },
  RoleMappings: {
    [A]: {
      Type: "Rules",
      AmbiguousRoleResolution: "Deny",
      RulesConfiguration: {
        Rules: [
          { Claim: "cognito:groups", MatchType: "Contains", Value: "admins", RoleARN: role("admin") },
          { Claim: "email", MatchType: "StartsWith", Value: "alice", RoleARN: role("alice") },
        ],
      },
    },
    [B]: { Type: "Token", AmbiguousRoleResolution: "AuthenticatedRole" },
  },
};

let calls: { target: string; input: any }[] = [];
let failSet = false;
/** What SimulateRoleMapping answers; a test may replace it. */
let simulate: (input: any) => any;
let userPool: any;
let users: any[];
let user: any;

const wireRules = (input: any) => input.RoleMappings?.[A]?.RulesConfiguration?.Rules ?? [];

beforeEach(() => {
  calls = [];
  failSet = false;
  userPool = { Id: "us-east-1_A", SchemaAttributes: [{ Name: "custom:tier" }] };
  users = [];
  user = null;
  simulate = () => ({
    RoleArn: role("alice"),
    Reason: "RuleMatched",
    Description: "email StartsWith alice",
    PrincipalTags: { username: "alice" },
    RuleIndex: 1,
    Rules: [
      { Index: 0, Outcome: "NotMatched", Claim: "cognito:groups", MatchType: "Contains", Value: "admins", RoleARN: role("admin") },
      { Index: 1, Outcome: "Matched", Claim: "email", MatchType: "StartsWith", Value: "alice", RoleARN: role("alice"), ClaimValue: "alice@example.com" },
    ],
  });
  invokeMock.mockReset();
  invokeMock.mockImplementation(async (_cmd, args) => {
    const { target, input } = args as { target: string; input: any };
    calls.push({ target, input });
    switch (target) {
      case "AWSCognitoIdentityService.GetIdentityPoolRoles":
        return structuredClone(saved);
      case "AWSCognitoIdentityProviderService.DescribeUserPool":
        return { UserPool: userPool };
      case "AWSCognitoIdentityProviderService.ListUsers":
        return { Users: users };
      case "AWSCognitoIdentityProviderService.AdminGetUser":
        return user;
      case "AWSCognitoIdentityProviderService.AdminListGroupsForUser":
        return { Groups: [] };
      case "AWSCognitoIdentityService.SetIdentityPoolRoles":
        if (failSet) throw { code: "InvalidParameterException", message: "Role ARN is not valid" };
        return {};
      case "PoolDesk.SimulateRoleMapping":
        return simulate(input);
      default:
        throw { code: "UnknownOperationException", message: target };
    }
  });
});

function renderEditor(of: IdentityPool = pool) {
  const qc = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <QueryClientProvider client={qc}>
      <ToastProvider>
        <ConfirmProvider>
          <RolesEditor pool={of} />
        </ConfirmProvider>
      </ToastProvider>
    </QueryClientProvider>,
  );
}

describe("RolesEditor + simulator", () => {
  it("loads the saved mapping and simulates it, highlighting the matched rule", async () => {
    const user = userEvent.setup();
    renderEditor();
    expect(await screen.findAllByTestId("rule-row")).toHaveLength(2);
    expect(screen.getByTestId("role-authenticated")).toHaveValue(role("auth"));
    expect(screen.getByTestId("mapping-type")).toHaveValue("Rules");

    await user.selectOptions(screen.getByTestId("sim-mode"), "claims");
    const claims = screen.getByTestId("sim-claims");
    await user.clear(claims);
    await user.click(claims);
    await user.paste('{"email":"alice@example.com"}');

    // Live: no button press needed.
    expect(await screen.findByTestId("sim-role")).toHaveTextContent(role("alice"));
    expect(screen.getByTestId("sim-rule")).toHaveTextContent("Rule 2");
    expect(screen.getByTestId("sim-reason")).toHaveTextContent("first one that matches decides");
    const sim = calls.filter((c) => c.target === "PoolDesk.SimulateRoleMapping").at(-1)!;
    expect(sim.input).toEqual({
      IdentityPoolId: "us-east-1:pool",
      Provider: A,
      Claims: { email: "alice@example.com" },
      Roles: saved.Roles,
      RoleMappings: saved.RoleMappings,
    });
    await waitFor(() => expect(screen.getAllByTestId("rule-row")[1]).toHaveAttribute("data-matched", "true"));
    expect(screen.getAllByTestId("rule-row")[0]).not.toHaveAttribute("data-matched");
  });

  it("simulates the UNSAVED rules on screen and shows every rule's outcome", async () => {
    const u = userEvent.setup();
    simulate = (input) => {
      // Answers like the server: the first matching rule wins, later ones are not reached.
      const rules = wireRules(input);
      const email = input.Claims.email as string;
      let winner: number | undefined;
      const Rules = rules.map((r: any, Index: number) => {
        const ok = r.MatchType === "StartsWith" ? email.startsWith(r.Value) : r.MatchType === "Equals" ? email === r.Value : false;
        const Outcome = winner !== undefined ? "NotReached" : ok ? "Matched" : "NotMatched";
        if (Outcome === "Matched") winner = Index;
        return { Index, Outcome, Claim: r.Claim, MatchType: r.MatchType, Value: r.Value, RoleARN: r.RoleARN, ...(Outcome === "NotReached" || r.Claim !== "email" ? {} : { ClaimValue: email }) };
      });
      return winner === undefined
        ? { RoleArn: null, Error: { Code: "AccessDeniedException", Message: "No rule matched", Explanation: "No rule matched and the mapping denies." }, PrincipalTags: {}, Rules, Claims: input.Claims }
        : { RoleArn: rules[winner].RoleARN, Reason: "RuleMatched", Description: "", PrincipalTags: {}, RuleIndex: winner, Rules, Claims: input.Claims };
    };
    renderEditor();
    await screen.findAllByTestId("rule-row");
    await u.selectOptions(screen.getByTestId("sim-mode"), "claims");
    const claims = screen.getByTestId("sim-claims");
    await u.clear(claims);
    await u.click(claims);
    await u.paste('{"email":"alice@example.com"}');
    await waitFor(() => expect(screen.getByTestId("sim-role")).toHaveTextContent(role("alice")));

    // An unsaved edit: rule 1 now matches alice too. The simulator re-runs with the draft.
    const value = screen.getAllByTestId("rule-value")[0]!;
    const match = screen.getAllByTestId("rule-match")[0]!;
    await u.selectOptions(match, "StartsWith");
    await u.clear(value);
    await u.type(value, "ali");
    expect(screen.getByTestId("mapping-unsaved")).toBeInTheDocument();
    await waitFor(() => expect(screen.getByTestId("sim-role")).toHaveTextContent(role("admin")));

    const last = calls.filter((c) => c.target === "PoolDesk.SimulateRoleMapping").at(-1)!;
    expect(wireRules(last.input)[0]).toEqual({ Claim: "cognito:groups", MatchType: "StartsWith", Value: "ali", RoleARN: role("admin") });
    expect(last.input.Roles).toEqual({ authenticated: role("auth") });
    expect(calls.some((c) => c.target.endsWith("SetIdentityPoolRoles"))).toBe(false);

    await waitFor(() =>
      expect(screen.getAllByTestId("rule-row").map((r) => r.getAttribute("data-outcome"))).toEqual(["Matched", "NotReached"]),
    );
    const rows = screen.getAllByTestId("rule-row");
    expect(within(rows[1]!).getByTestId("rule-outcome")).toHaveTextContent("Not reached: rule 1 matched first.");
    expect(screen.getAllByTestId("sim-outcome").map((o) => o.getAttribute("data-outcome"))).toEqual(["Matched", "NotReached"]);
    expect(screen.getByTestId("sim-claims-used")).toHaveTextContent("alice@example.com");

    // A rule that fails says what the claim was.
    await u.clear(value);
    await u.type(value, "zed");
    await waitFor(() => expect(screen.getAllByTestId("rule-row")[0]).toHaveAttribute("data-outcome", "NotMatched"));
    expect(within(screen.getAllByTestId("rule-row")[1]!).getByTestId("rule-outcome")).toHaveTextContent("Matched");
  });

  it("clears the old answer as soon as the input changes, and a failed simulation's error with it", async () => {
    const u = userEvent.setup();
    simulate = (input) => {
      if (input.Claims.email === "bad") throw { code: "InvalidParameterException", message: "bad claims" };
      return { RoleArn: role("auth"), Reason: "AmbiguousFellBackToAuthenticatedRole", Description: "", PrincipalTags: {} };
    };
    renderEditor();
    await screen.findAllByTestId("rule-row");
    await u.selectOptions(screen.getByTestId("sim-mode"), "claims");
    const claims = screen.getByTestId("sim-claims");
    await u.clear(claims);
    await u.click(claims);
    await u.paste('{"email":"bad"}');
    expect(await screen.findByTestId("sim-error")).toHaveTextContent("bad claims");
    await u.type(claims, "{backspace}");
    expect(screen.queryByTestId("sim-error")).not.toBeInTheDocument();
    await u.clear(claims);
    await u.click(claims);
    await u.paste('{"email":"ok"}');
    expect(await screen.findByTestId("sim-reason")).toHaveTextContent("No role could be chosen from the mapping");
    await u.type(claims, "{backspace}");
    expect(screen.queryByTestId("sim-result")).not.toBeInTheDocument();
  });

  it("finds users by e-mail in an e-mail pool and warns that the user is disabled and unconfirmed", async () => {
    const u = userEvent.setup();
    userPool = { ...userPool, UsernameAttributes: ["email"] };
    const attrs = [{ Name: "sub", Value: "abc-123" }, { Name: "email", Value: "alice@example.com" }];
    users = [{ Username: "abc-123", Attributes: attrs, Enabled: false, UserStatus: "UNCONFIRMED" }];
    user = { Username: "abc-123", UserAttributes: attrs, Enabled: false, UserStatus: "UNCONFIRMED" };
    renderEditor();
    await screen.findAllByTestId("rule-row");
    expect(await screen.findByText("User's e-mail")).toBeInTheDocument();
    await u.type(screen.getByTestId("sim-user"), "ali");
    await waitFor(() => expect(calls.some((c) => c.input?.Filter === 'email ^= "ali"')).toBe(true));
    await waitFor(() =>
      expect([...document.querySelectorAll("#sim-user-list option")].map((o) => (o as HTMLOptionElement).value)).toEqual(["alice@example.com"]),
    );
    await u.clear(screen.getByTestId("sim-user"));
    await u.type(screen.getByTestId("sim-user"), "alice@example.com");
    await u.click(screen.getByTestId("sim-user-load"));
    const warning = await screen.findByTestId("sim-user-warning");
    expect(warning).toHaveTextContent("is disabled");
    expect(warning).toHaveTextContent("has not confirmed");
    // The username behind the e-mail is what AdminGetUser is asked for.
    expect(calls.find((c) => c.target.endsWith("AdminGetUser"))!.input.Username).toBe("abc-123");
    await waitFor(() => expect(calls.some((c) => c.target === "PoolDesk.SimulateRoleMapping" && c.input.Claims?.email === "alice@example.com")).toBe(true));
  });

  it("asks before leaving with unsaved rules, and not once they are saved", async () => {
    const u = userEvent.setup();
    renderEditor();
    await screen.findAllByTestId("rule-row");
    expect(await mayLeave()).toBe(true);

    await u.click(screen.getByRole("button", { name: "Move rule 2 up" }));
    let left: boolean | undefined;
    void mayLeave().then((ok) => (left = ok));
    await u.click(await screen.findByTestId("confirm-cancel"));
    await waitFor(() => expect(left).toBe(false));
    expect(screen.getByTestId("mapping-unsaved")).toBeInTheDocument();

    void mayLeave().then((ok) => (left = ok));
    await u.click(await screen.findByTestId("confirm-ok"));
    await waitFor(() => expect(left).toBe(true));

    await u.click(screen.getByTestId("mapping-save"));
    await waitFor(() => expect(screen.queryByTestId("mapping-unsaved")).not.toBeInTheDocument());
    expect(await mayLeave()).toBe(true);
  });

  it("saving sends Roles + every provider's mapping", async () => {
    const user = userEvent.setup();
    renderEditor();
    await screen.findAllByTestId("rule-row");
    await user.click(screen.getByRole("button", { name: "Move rule 2 up" }));
    await user.click(screen.getByTestId("mapping-save"));
    await waitFor(() => expect(screen.queryByTestId("mapping-unsaved")).not.toBeInTheDocument());
    const set = calls.find((c) => c.target === "AWSCognitoIdentityService.SetIdentityPoolRoles")!;
    expect(set.input).toEqual({
      IdentityPoolId: "us-east-1:pool",
      Roles: { authenticated: role("auth") },
      RoleMappings: {
        [A]: {
          Type: "Rules",
          AmbiguousRoleResolution: "Deny",
          RulesConfiguration: {
            Rules: [
              { Claim: "email", MatchType: "StartsWith", Value: "alice", RoleARN: role("alice") },
              { Claim: "cognito:groups", MatchType: "Contains", Value: "admins", RoleARN: role("admin") },
            ],
          },
        },
        [B]: { Type: "Token", AmbiguousRoleResolution: "AuthenticatedRole" },
      },
    });
  });

  it("does not save invalid rules and shows why on the rule", async () => {
    const user = userEvent.setup();
    renderEditor();
    await screen.findAllByTestId("rule-row");
    await user.click(screen.getByTestId("add-rule"));
    await user.click(screen.getByTestId("mapping-save"));
    const row = screen.getAllByTestId("rule-row")[2]!;
    expect(within(row).getByText("Claim is required")).toBeInTheDocument();
    expect(within(row).getByText("Role ARN is required")).toBeInTheDocument();
    expect(calls.some((c) => c.target.endsWith("SetIdentityPoolRoles"))).toBe(false);
  });

  it("shows a server error as code and message", async () => {
    const user = userEvent.setup();
    renderEditor();
    await screen.findAllByTestId("rule-row");
    failSet = true;
    await user.click(screen.getByRole("button", { name: "Move rule 2 up" }));
    await user.click(screen.getByTestId("mapping-save"));
    const err = await screen.findByTestId("mapping-error");
    expect(err).toHaveTextContent("InvalidParameterException");
    expect(err).toHaveTextContent("Role ARN is not valid");
    // Still unsaved.
    expect(screen.getByTestId("mapping-unsaved")).toBeInTheDocument();
  });
});

describe("RolesEditor with providers other than user pools", () => {
  const SAML = "arn:aws:iam::000000000000:saml-provider/Corp";
  const OIDC = "arn:aws:iam::123456789012:oidc-provider/idp.example.com";
  const mixed: IdentityPool = {
    ...pool,
    CognitoIdentityProviders: [{ ProviderName: A, ClientId: "clientA" }],
    SupportedLoginProviders: { "accounts.google.com": "g-client", "idp.example.com": "oidc-client" },
    OpenIdConnectProviderARNs: [OIDC],
    SamlProviderARNs: [SAML],
  };
  const typeOptions = () => [...screen.getByTestId("mapping-type").querySelectorAll("option")].map((o) => o.getAttribute("value"));

  it("lists every provider by a short name, and offers Token mappings only to user pools and SAML", async () => {
    const user = userEvent.setup();
    renderEditor(mixed);
    const select = await screen.findByTestId("mapping-provider");
    expect([...select.querySelectorAll("option")].map((o) => [o.getAttribute("value"), o.textContent])).toEqual([
      [A, "User pool: us-east-1_A"],
      ["accounts.google.com", "Google"],
      ["idp.example.com", "OIDC: idp.example.com"],
      [SAML, "SAML: Corp"],
      // B has a saved mapping though the pool no longer lists it: still shown, to keep or clear.
      [B, "User pool: us-east-1_B"],
    ]);
    expect(typeOptions()).toEqual(["", "Token", "Rules"]);

    await user.selectOptions(select, "accounts.google.com");
    expect(typeOptions()).toEqual(["", "Rules"]);
    expect(screen.getByTestId("mapping-type-note")).toHaveTextContent("No mapping: every signed-in user of this provider gets the authenticated role.");
    // No user pool behind it: nothing to look up, and no user to pick in the simulator.
    expect(new Set(calls.filter((c) => c.target.endsWith(".DescribeUserPool")).map((c) => c.input.UserPoolId))).toEqual(new Set(["us-east-1_A"]));
    expect(screen.getByRole("option", { name: "A user of the linked pool" })).toBeDisabled();

    await user.selectOptions(select, "idp.example.com");
    expect(typeOptions()).toEqual(["", "Rules"]);

    await user.selectOptions(select, SAML);
    expect(typeOptions()).toEqual(["", "Token", "Rules"]);
    expect(screen.getByTestId("mapping-type-note")).toHaveTextContent("https://aws.amazon.com/SAML/Attributes/Role");
  });

  it("saves rules keyed by the Google key and the SAML provider's ARN", async () => {
    const user = userEvent.setup();
    renderEditor(mixed);
    const select = await screen.findByTestId("mapping-provider");
    for (const [provider, claim, name] of [
      ["accounts.google.com", "email", "google"],
      [SAML, "https://aws.amazon.com/SAML/Attributes/RoleSessionName", "saml"],
    ] as const) {
      await user.selectOptions(select, provider);
      await user.selectOptions(screen.getByTestId("mapping-type"), "Rules");
      if (!screen.queryByTestId("rule-row")) await user.click(screen.getByTestId("add-rule"));
      const row = screen.getAllByTestId("rule-row")[0]!;
      await user.type(within(row).getByTestId("rule-claim"), claim);
      await user.type(within(row).getByTestId("rule-value"), "x");
      await user.type(within(row).getByTestId("rule-role"), role(name));
    }
    await user.click(screen.getByTestId("mapping-save"));
    await waitFor(() => expect(calls.some((c) => c.target.endsWith(".SetIdentityPoolRoles"))).toBe(true));
    const set = calls.find((c) => c.target.endsWith(".SetIdentityPoolRoles"))!.input;
    expect(Object.keys(set.RoleMappings).sort()).toEqual([A, B, "accounts.google.com", SAML].sort());
    expect(set.RoleMappings["accounts.google.com"]).toMatchObject({ Type: "Rules", RulesConfiguration: { Rules: [{ Claim: "email", RoleARN: role("google") }] } });
    expect(set.RoleMappings[SAML]).toMatchObject({ Type: "Rules", RulesConfiguration: { Rules: [{ RoleARN: role("saml") }] } });
    expect(set.RoleMappings).not.toHaveProperty("idp.example.com");
  });
});
