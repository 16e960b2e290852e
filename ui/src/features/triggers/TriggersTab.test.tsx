import { beforeEach, describe, expect, it, vi } from "vitest";
import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";

vi.mock("@tauri-apps/api/core", () => ({ invoke: vi.fn() }));

import { invoke } from "@tauri-apps/api/core";
import { ConfirmProvider } from "../../components/Confirm";
import { ToastProvider } from "../../components/Toast";
import { fakeBackend } from "../../test/fakeBackend";
import { TriggersTab } from "./TriggersTab";

const POOL = "us-east-1_T";
const PRE_SIGN_UP = "arn:aws:lambda:us-east-1:123456789012:function:pre-sign-up";
const TOKENS = "arn:aws:lambda:us-east-1:123456789012:function:tokens:live";
const POST_AUTH = "arn:aws:lambda:us-east-1:123456789012:function:post-auth";
const MAIL = "arn:aws:lambda:us-east-1:123456789012:function:mail";
const SMS = "arn:aws:lambda:us-east-1:123456789012:function:sms";
const KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";

let backend: ReturnType<typeof fakeBackend>;

/** The pool's settings other than its triggers: what a save of the triggers must send back unchanged. */
const OTHER_SETTINGS = {
  MfaConfiguration: "OPTIONAL",
  AutoVerifiedAttributes: ["email"],
  Policies: { PasswordPolicy: { MinimumLength: 12, RequireUppercase: true, RequireSymbols: false, TemporaryPasswordValidityDays: 3 } },
  DeletionProtection: "ACTIVE",
  EmailVerificationSubject: "Your shop code",
  AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
  AccountRecoverySetting: { RecoveryMechanisms: [{ Name: "verified_email", Priority: 1 }] },
  UserPoolTags: { team: "shop" },
};

function seedPool(lambdaConfig: Record<string, unknown> = {}) {
  backend.pools.set(POOL, {
    Id: POOL,
    Name: "shop",
    CreationDate: 1_700_000_000,
    SchemaAttributes: [{ Name: "sub" }, { Name: "email" }],
    ...structuredClone(OTHER_SETTINGS),
    LambdaConfig: lambdaConfig,
  });
}

const invocation = (Id: number, Trigger: string, over: Record<string, unknown> = {}) => ({
  UserPoolId: POOL,
  Id,
  Trigger,
  Source: `${Trigger}_SignUp`,
  Function: PRE_SIGN_UP,
  Time: 1_700_000_000_000 + Id * 1000,
  DurationMs: 20 + Id,
  Event: { triggerSource: `${Trigger}_SignUp`, userName: `user${Id}`, request: { userAttributes: { email: `user${Id}@example.com` } } },
  Response: { autoConfirmUser: Id % 2 === 0 },
  ...over,
});

const sent = (op: string) => backend.log.filter((c) => c.target.endsWith(`.${op}`)).map((c) => c.input);

beforeEach(() => {
  backend = fakeBackend();
  vi.mocked(invoke).mockReset();
  vi.mocked(invoke).mockImplementation((cmd, args) => backend.invoke(cmd, args as Record<string, unknown>) as never);
});

function renderTab() {
  const qc = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <QueryClientProvider client={qc}>
      <ToastProvider>
        <ConfirmProvider>
          <TriggersTab poolId={POOL} />
        </ConfirmProvider>
      </ToastProvider>
    </QueryClientProvider>,
  );
}

describe("configuration", () => {
  it("saves the typed functions as LambdaConfig and sends every other setting unchanged", async () => {
    const user = userEvent.setup();
    const federation = { LambdaVersion: "V1_0", LambdaArn: "arn:aws:lambda:us-east-1:123456789012:function:federation" };
    seedPool({ PostAuthentication: POST_AUTH, InboundFederation: federation });
    renderTab();
    const postAuth = await screen.findByTestId("trigger-arn-PostAuthentication");
    expect(postAuth).toHaveValue(POST_AUTH);
    expect(screen.getByTestId("trigger-when-PreSignUp")).toHaveTextContent("Before a user is created");

    await user.type(screen.getByTestId("trigger-arn-PreSignUp"), PRE_SIGN_UP);
    await user.type(screen.getByTestId("trigger-arn-PreTokenGeneration"), TOKENS);
    await user.selectOptions(screen.getByTestId("trigger-version-PreTokenGeneration"), "V2_0");
    await user.clear(postAuth);
    await user.click(screen.getByTestId("triggers-save"));

    expect(await screen.findByTestId("toast-ok")).toHaveTextContent("Triggers saved");
    const [req] = sent("UpdateUserPool");
    expect(req).toEqual({
      UserPoolId: POOL,
      PoolName: "shop",
      ...OTHER_SETTINGS,
      LambdaConfig: {
        PreSignUp: PRE_SIGN_UP,
        PreTokenGenerationConfig: { LambdaVersion: "V2_0", LambdaArn: TOKENS },
        InboundFederation: federation,
      },
    });
    // Read back from the pool: the saved triggers get their test buttons.
    expect(await screen.findByTestId("trigger-test-PreSignUp")).toBeInTheDocument();
    expect(screen.getByTestId("trigger-test-PreTokenGeneration")).toBeInTheDocument();
    expect(screen.queryByTestId("trigger-test-PostAuthentication")).not.toBeInTheDocument();
    expect(screen.getByTestId("trigger-version-PreTokenGeneration")).toHaveValue("V2_0");
  });

  it("saves a V1_0 pre token generation function both as PreTokenGeneration and PreTokenGenerationConfig", async () => {
    const user = userEvent.setup();
    seedPool();
    renderTab();
    await user.type(await screen.findByTestId("trigger-arn-PreTokenGeneration"), TOKENS);
    await user.click(screen.getByTestId("triggers-save"));
    await screen.findByTestId("toast-ok");
    expect(sent("UpdateUserPool")[0]!.LambdaConfig).toEqual({
      PreTokenGeneration: TOKENS,
      PreTokenGenerationConfig: { LambdaVersion: "V1_0", LambdaArn: TOKENS },
    });
  });

  it("edits the custom senders and their KMS key", async () => {
    const user = userEvent.setup();
    seedPool({ PreSignUp: PRE_SIGN_UP });
    renderTab();
    expect(await screen.findByTestId("trigger-senders")).toHaveTextContent("encryption context userpool-id");
    expect(screen.getByTestId("trigger-when-CustomSMSSender")).toHaveTextContent("text message");
    await user.type(screen.getByTestId("trigger-arn-CustomEmailSender"), MAIL);
    await user.type(screen.getByTestId("trigger-arn-CustomSMSSender"), SMS);
    await user.type(screen.getByTestId("trigger-kms-key"), KEY);
    await user.click(screen.getByTestId("triggers-save"));

    expect(await screen.findByTestId("toast-ok")).toHaveTextContent("Triggers saved");
    expect(sent("UpdateUserPool")[0]!.LambdaConfig).toEqual({
      PreSignUp: PRE_SIGN_UP,
      CustomEmailSender: { LambdaVersion: "V1_0", LambdaArn: MAIL },
      CustomSMSSender: { LambdaVersion: "V1_0", LambdaArn: SMS },
      KMSKeyID: KEY,
    });
    // Saved: the senders can be sent a test event too.
    expect(await screen.findByTestId("trigger-test-CustomEmailSender")).toBeInTheDocument();
    await user.click(screen.getByTestId("trigger-test-CustomSMSSender"));
    const result = await screen.findByTestId("trigger-test-result-CustomSMSSender");
    expect(within(result).getByTestId("trigger-test-outcome")).toHaveTextContent("OK");
    expect(sent("TestTrigger")).toEqual([{ UserPoolId: POOL, Trigger: "CustomSMSSender" }]);
  });

  it("wants a KMS key with a custom sender", async () => {
    const user = userEvent.setup();
    seedPool();
    renderTab();
    await user.type(await screen.findByTestId("trigger-arn-CustomSMSSender"), SMS);
    await user.click(screen.getByTestId("triggers-save"));
    expect(await screen.findByTestId("trigger-kms-key-error")).toHaveTextContent(
      "A KMS key is required with a custom sender: Cognito encrypts the codes it sends them with it.",
    );
    expect(screen.getByTestId("trigger-kms-key")).toHaveAttribute("aria-invalid", "true");
    await user.type(screen.getByTestId("trigger-kms-key"), "alias/codes");
    await user.click(screen.getByTestId("triggers-save"));
    expect(await screen.findByTestId("trigger-kms-key-error")).toHaveTextContent("A KMS key ARN: arn:aws:kms:");
    expect(sent("UpdateUserPool")).toHaveLength(0);
  });

  it("removes a cleared sender from LambdaConfig", async () => {
    const user = userEvent.setup();
    seedPool({
      CustomEmailSender: { LambdaVersion: "V1_0", LambdaArn: MAIL },
      CustomSMSSender: { LambdaVersion: "V1_0", LambdaArn: SMS },
      KMSKeyID: KEY,
    });
    renderTab();
    const mail = await screen.findByTestId("trigger-arn-CustomEmailSender");
    expect(mail).toHaveValue(MAIL);
    expect(screen.getByTestId("trigger-arn-CustomSMSSender")).toHaveValue(SMS);
    expect(screen.getByTestId("trigger-kms-key")).toHaveValue(KEY);
    await user.clear(mail);
    await user.click(screen.getByTestId("triggers-save"));
    await screen.findByTestId("toast-ok");
    expect(sent("UpdateUserPool")[0]!.LambdaConfig).toEqual({ CustomSMSSender: { LambdaVersion: "V1_0", LambdaArn: SMS }, KMSKeyID: KEY });
    await waitFor(() => expect(screen.queryByTestId("trigger-test-CustomEmailSender")).not.toBeInTheDocument());
    expect(screen.getByTestId("trigger-test-CustomSMSSender")).toBeInTheDocument();
  });

  it("refuses an ARN that is not a Lambda function's before sending anything", async () => {
    const user = userEvent.setup();
    seedPool();
    renderTab();
    await user.type(await screen.findByTestId("trigger-arn-PreSignUp"), "arn:aws:lambda:us-east-1:1234:function:short-account");
    await user.type(screen.getByTestId("trigger-arn-CustomMessage"), "my-function");
    await user.click(screen.getByTestId("triggers-save"));
    expect(await screen.findByTestId("trigger-arn-PreSignUp-error")).toHaveTextContent("Lambda function ARN");
    expect(screen.getByTestId("trigger-arn-CustomMessage-error")).toBeInTheDocument();
    expect(screen.getByTestId("trigger-arn-PreSignUp")).toHaveAttribute("aria-invalid", "true");
    expect(sent("UpdateUserPool")).toHaveLength(0);
  });

  it("shows the server's refusal of a save", async () => {
    const user = userEvent.setup();
    seedPool();
    vi.mocked(invoke).mockImplementation(async (cmd, args) => {
      const a = args as { target?: string };
      if (cmd === "call" && a.target?.endsWith(".UpdateUserPool")) throw { code: "InvalidParameterException", message: "Lambda ARN refused" };
      return backend.invoke(cmd, args as Record<string, unknown>) as never;
    });
    renderTab();
    await user.type(await screen.findByTestId("trigger-arn-PreSignUp"), PRE_SIGN_UP);
    await user.click(screen.getByTestId("triggers-save"));
    expect(await screen.findByTestId("triggers-error")).toHaveTextContent("Lambda ARN refused");
  });
});

describe("sending a test event", () => {
  it("shows the event sent and the function's response side by side, and the call lands in the inspector", async () => {
    const user = userEvent.setup();
    seedPool({ PreSignUp: PRE_SIGN_UP });
    backend.triggerAnswers.set("PreSignUp", { Response: { autoConfirmUser: true, autoVerifyEmail: false } });
    renderTab();
    expect(await screen.findByText("No invocations yet")).toBeInTheDocument();
    // Only configured triggers can be tested.
    expect(screen.queryByTestId("trigger-test-PostConfirmation")).not.toBeInTheDocument();

    await user.click(await screen.findByTestId("trigger-test-PreSignUp"));
    const result = await screen.findByTestId("trigger-test-result-PreSignUp");
    expect(sent("TestTrigger")).toEqual([{ UserPoolId: POOL, Trigger: "PreSignUp" }]);
    expect(within(result).getByTestId("trigger-test-outcome")).toHaveTextContent("OK");
    expect(JSON.parse(within(result).getByTestId("trigger-test-event").textContent!)).toMatchObject({ userName: "test-user", userPoolId: POOL });
    expect(within(result).getByTestId("trigger-test-response").textContent).toBe(JSON.stringify({ autoConfirmUser: true, autoVerifyEmail: false }, null, 2));
    await waitFor(() => expect(screen.getAllByTestId("trigger-invocation-row")).toHaveLength(1));
  });

  it("shows the function's error as the result, not as a failed call", async () => {
    const user = userEvent.setup();
    seedPool({ PreSignUp: PRE_SIGN_UP });
    backend.triggerAnswers.set("PreSignUp", { Error: "UserLambdaValidationException: PreSignUp failed with error Only example.com addresses." });
    renderTab();
    await user.click(await screen.findByTestId("trigger-test-PreSignUp"));
    const result = await screen.findByTestId("trigger-test-result-PreSignUp");
    expect(within(result).getByTestId("trigger-test-outcome")).toHaveTextContent("UserLambdaValidationException");
    expect(within(result).getByTestId("trigger-test-error")).toHaveTextContent("PreSignUp failed with error Only example.com addresses.");
    expect(within(result).getByTestId("trigger-test-event")).toBeInTheDocument();
    expect(within(result).queryByTestId("trigger-test-response")).not.toBeInTheDocument();
  });

  it("waits for an edited function to be saved before testing it", async () => {
    const user = userEvent.setup();
    seedPool({ PreSignUp: PRE_SIGN_UP });
    renderTab();
    const arn = await screen.findByTestId("trigger-arn-PreSignUp");
    await user.type(arn, "-v2");
    expect(screen.getByTestId("trigger-test-PreSignUp")).toBeDisabled();
    await user.clear(arn);
    await user.type(arn, PRE_SIGN_UP);
    expect(screen.getByTestId("trigger-test-PreSignUp")).toBeEnabled();
  });
});

describe("inspector", () => {
  it("lists the calls newest first and opens one with its event and response", async () => {
    const user = userEvent.setup();
    seedPool({ PreSignUp: PRE_SIGN_UP });
    backend.triggerInvocations.push(
      invocation(3, "PreSignUp", { Response: undefined, Error: "UserLambdaValidationException: PreSignUp failed with error No." }),
      invocation(2, "PostConfirmation", { Source: "PostConfirmation_ConfirmSignUp" }),
      invocation(1, "PreSignUp"),
      { ...invocation(9, "PreSignUp"), UserPoolId: "us-east-1_other" },
    );
    renderTab();
    await waitFor(() => expect(screen.getAllByTestId("trigger-invocation-row")).toHaveLength(3));
    const rows = screen.getAllByTestId("trigger-invocation-row");
    expect(rows[0]).toHaveTextContent("Pre sign-up");
    expect(rows[0]).toHaveTextContent("UserLambdaValidationException");
    expect(rows[1]).toHaveTextContent("PostConfirmation_ConfirmSignUp");
    expect(rows[1]).toHaveTextContent("22 ms");
    expect(rows[2]).toHaveTextContent("OK");
    expect(sent("ListTriggerInvocations")[0]).toEqual({ UserPoolId: POOL, MaxResults: 50 });

    await user.click(rows[1]!);
    const detail = await screen.findByTestId("trigger-invocation-detail");
    expect(within(detail).getByTestId("trigger-invocation-source")).toHaveTextContent("PostConfirmation_ConfirmSignUp");
    expect(within(detail).getByTestId("trigger-invocation-function")).toHaveTextContent(PRE_SIGN_UP);
    expect(within(detail).getByTestId("trigger-invocation-event").textContent).toBe(JSON.stringify(invocation(2, "PostConfirmation").Event, null, 2));
    expect(within(detail).getByTestId("trigger-invocation-response").textContent).toBe(JSON.stringify({ autoConfirmUser: true }, null, 2));

    await user.click(screen.getAllByTestId("trigger-invocation-row")[0]!);
    const failed = await screen.findByTestId("trigger-invocation-detail");
    expect(within(failed).getByTestId("trigger-invocation-error")).toHaveTextContent("PreSignUp failed with error No.");
    expect(within(failed).queryByTestId("trigger-invocation-response")).not.toBeInTheDocument();
    await user.click(within(failed).getByRole("button", { name: "Close invocation" }));
    expect(screen.queryByTestId("trigger-invocation-detail")).not.toBeInTheDocument();
  });

  it("filters by trigger and outcome on the server", async () => {
    const user = userEvent.setup();
    seedPool({ PreSignUp: PRE_SIGN_UP });
    backend.triggerInvocations.push(
      invocation(3, "PreSignUp", { Response: undefined, Error: "UserLambdaValidationException: PreSignUp failed with error No." }),
      invocation(2, "PostConfirmation"),
      invocation(1, "PreSignUp"),
    );
    renderTab();
    await waitFor(() => expect(screen.getAllByTestId("trigger-invocation-row")).toHaveLength(3));

    await user.selectOptions(screen.getByTestId("triggers-filter-trigger"), "PreSignUp");
    await waitFor(() => expect(screen.getAllByTestId("trigger-invocation-row")).toHaveLength(2));
    expect(sent("ListTriggerInvocations").at(-1)).toEqual({ UserPoolId: POOL, Trigger: "PreSignUp", MaxResults: 50 });

    await user.selectOptions(screen.getByTestId("triggers-filter-outcome"), "Failed");
    await waitFor(() => expect(screen.getAllByTestId("trigger-invocation-row")).toHaveLength(1));
    expect(sent("ListTriggerInvocations").at(-1)).toEqual({ UserPoolId: POOL, Trigger: "PreSignUp", Outcome: "Failed", MaxResults: 50 });
    expect(screen.getByTestId("trigger-invocation-row")).toHaveTextContent("UserLambdaValidationException");

    await user.selectOptions(screen.getByTestId("triggers-filter-trigger"), "PostConfirmation");
    expect(await screen.findByText("No invocation matches these filters")).toBeInTheDocument();
    expect(sent("ListTriggerInvocations").at(-1)).toEqual({ UserPoolId: POOL, Trigger: "PostConfirmation", Outcome: "Failed", MaxResults: 50 });

    // The custom senders are in the filter too.
    await user.selectOptions(screen.getByTestId("triggers-filter-trigger"), "Custom e-mail sender");
    await waitFor(() =>
      expect(sent("ListTriggerInvocations").at(-1)).toEqual({ UserPoolId: POOL, Trigger: "CustomEmailSender", Outcome: "Failed", MaxResults: 50 }),
    );
  });

  it("pages with NextToken and refreshes from the first page", async () => {
    const user = userEvent.setup();
    seedPool({ PreSignUp: PRE_SIGN_UP });
    for (let i = 8; i >= 1; i--) backend.triggerInvocations.push(invocation(i, "PreSignUp"));
    // A server that answers in short pages: the table, still short of the screen, asks for the next.
    vi.mocked(invoke).mockImplementation(async (cmd, args) => {
      const a = args as { target?: string; input?: Record<string, unknown> };
      if (cmd === "call" && a.target === "PoolDesk.ListTriggerInvocations") {
        backend.log.push({ connection: "local", target: a.target, input: a.input! });
        const start = Number(a.input!.NextToken ?? 0);
        const list = backend.triggerInvocations.filter((t) => t.UserPoolId === POOL);
        const page = list.slice(start, start + 5).map(({ UserPoolId: _p, ...t }) => t);
        return { Invocations: page, ...(start + 5 < list.length ? { NextToken: String(start + 5) } : {}) } as never;
      }
      return backend.invoke(cmd, args as Record<string, unknown>) as never;
    });
    renderTab();
    await waitFor(() => expect(screen.getAllByTestId("trigger-invocation-row")).toHaveLength(8));
    expect(sent("ListTriggerInvocations")).toEqual([
      { UserPoolId: POOL, MaxResults: 50 },
      { UserPoolId: POOL, MaxResults: 50, NextToken: "5" },
    ]);
    expect(screen.getAllByTestId("trigger-invocation-row").map((r) => r.textContent)[0]).toContain("28 ms");

    backend.triggerInvocations.unshift(invocation(9, "PreSignUp"));
    await user.click(screen.getByTestId("triggers-refresh"));
    await waitFor(() => expect(screen.getAllByTestId("trigger-invocation-row")).toHaveLength(9));
    expect(screen.getAllByTestId("trigger-invocation-row")[0]).toHaveTextContent("29 ms");
    expect(sent("ListTriggerInvocations").slice(2)).toEqual([
      { UserPoolId: POOL, MaxResults: 50 },
      { UserPoolId: POOL, MaxResults: 50, NextToken: "5" },
    ]);
  });

  it("says when no trigger is configured yet", async () => {
    seedPool();
    renderTab();
    expect(await screen.findByText("No triggers configured")).toBeInTheDocument();
    expect(screen.queryByTestId("trigger-test-PreSignUp")).not.toBeInTheDocument();
  });

  it("says the inspector needs a PoolDesk server when the server does not know the operation", async () => {
    seedPool({ PreSignUp: PRE_SIGN_UP });
    vi.mocked(invoke).mockImplementation(async (cmd, args) => {
      const a = args as { target?: string };
      if (cmd === "call" && a.target?.startsWith("PoolDesk.")) throw { code: "UnknownOperationException", message: a.target };
      return backend.invoke(cmd, args as Record<string, unknown>) as never;
    });
    renderTab();
    expect(await screen.findByTestId("triggers-needs-pooldesk")).toBeInTheDocument();
    expect(screen.getByText("The inspector needs a PoolDesk server")).toBeInTheDocument();
    expect(screen.queryByTestId("triggers-inspector-error")).not.toBeInTheDocument();
    // The configuration still works: it is Cognito's own UpdateUserPool.
    expect(await screen.findByTestId("trigger-arn-PreSignUp")).toHaveValue(PRE_SIGN_UP);
  });
});
