import { describe, expect, it, vi, beforeEach } from "vitest";
import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";

vi.mock("@tauri-apps/api/core", () => ({ invoke: vi.fn() }));

import { invoke } from "@tauri-apps/api/core";
import { ToastProvider } from "../../components/Toast";
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

beforeEach(() => {
  calls = [];
  failSet = false;
  invokeMock.mockReset();
  invokeMock.mockImplementation(async (_cmd, args) => {
    const { target, input } = args as { target: string; input: any };
    calls.push({ target, input });
    switch (target) {
      case "AWSCognitoIdentityService.GetIdentityPoolRoles":
        return structuredClone(saved);
      case "AWSCognitoIdentityProviderService.DescribeUserPool":
        return { UserPool: { Id: "us-east-1_A", SchemaAttributes: [{ Name: "custom:tier" }] } };
      case "AWSCognitoIdentityProviderService.ListUsers":
        return { Users: [] };
      case "AWSCognitoIdentityService.SetIdentityPoolRoles":
        if (failSet) throw { code: "InvalidParameterException", message: "Role ARN is not valid" };
        return {};
      case "PoolDesk.SimulateRoleMapping":
        return {
          RoleArn: role("alice"),
          Reason: "RuleMatched",
          Description: "email StartsWith alice",
          PrincipalTags: { username: "alice" },
          RuleIndex: 1,
        };
      default:
        throw { code: "UnknownOperationException", message: target };
    }
  });
});

function renderEditor() {
  const qc = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <QueryClientProvider client={qc}>
      <ToastProvider>
        <RolesEditor pool={pool} />
      </ToastProvider>
    </QueryClientProvider>,
  );
}

describe("RolesEditor + simulator", () => {
  it("loads the saved mapping and simulates against it, highlighting the matched rule", async () => {
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
    await user.click(screen.getByTestId("sim-run"));

    expect(await screen.findByTestId("sim-role")).toHaveTextContent(role("alice"));
    expect(screen.getByTestId("sim-rule")).toHaveTextContent("Rule 2");
    const sim = calls.find((c) => c.target === "PoolDesk.SimulateRoleMapping")!;
    expect(sim.input).toEqual({ IdentityPoolId: "us-east-1:pool", Provider: A, Claims: { email: "alice@example.com" } });
    const rows = screen.getAllByTestId("rule-row");
    expect(rows[1]).toHaveAttribute("data-matched", "true");
    expect(rows[0]).not.toHaveAttribute("data-matched");
  });

  it("blocks simulation while there are unsaved changes, and saving sends Roles + every provider's mapping", async () => {
    const user = userEvent.setup();
    renderEditor();
    await screen.findAllByTestId("rule-row");
    expect(screen.getByTestId("sim-run")).toBeEnabled();

    await user.click(screen.getByRole("button", { name: "Move rule 2 up" }));
    expect(screen.getByTestId("sim-run")).toBeDisabled();
    expect(screen.getByText("Unsaved changes: save to simulate")).toBeInTheDocument();

    await user.click(screen.getByTestId("mapping-save"));
    await waitFor(() => expect(screen.getByTestId("sim-run")).toBeEnabled());
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
    // Still unsaved: the simulator must not pretend the server has these rules.
    expect(screen.getByTestId("sim-run")).toBeDisabled();
  });
});
