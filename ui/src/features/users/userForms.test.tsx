// The user forms rendered against the in-memory backend: what a person sees and what is sent.
import { beforeEach, describe, expect, it, vi } from "vitest";
import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import type { ReactNode } from "react";

vi.mock("@tauri-apps/api/core", () => ({ invoke: vi.fn() }));

import { invoke } from "@tauri-apps/api/core";
import { ConfirmProvider } from "../../components/Confirm";
import { ToastProvider } from "../../components/Toast";
import { fakeBackend } from "../../test/fakeBackend";
import { CreateUserDialog } from "./CreateUserDialog";
import { ImportUsersDialog } from "./ImportUsersDialog";
import { UserDetails } from "./UserDetails";

type Json = Record<string, any>;
let backend: ReturnType<typeof fakeBackend>;
/** Operations this file needs beyond the shared fake, answered in the server's shapes. */
let extra: Record<string, (input: Json) => unknown>;
const POOL = "us-east-1_P1";

const SCHEMA = [
  { Name: "sub", AttributeDataType: "String", Mutable: false, Required: true },
  { Name: "email", AttributeDataType: "String", Mutable: true, Required: false },
  { Name: "given_name", AttributeDataType: "String", Mutable: true, Required: true },
  { Name: "phone_number", AttributeDataType: "String", Mutable: true, Required: false },
  { Name: "custom:employee_id", AttributeDataType: "String", Mutable: false, Required: false, StringAttributeConstraints: { MinLength: "3", MaxLength: "10" } },
  { Name: "custom:tier", AttributeDataType: "String", Mutable: true, Required: false },
];

function pool(patch: Json = {}) {
  backend.pools.set(POOL, {
    Id: POOL,
    Name: "staff",
    SchemaAttributes: SCHEMA,
    Policies: { PasswordPolicy: { MinimumLength: 10, RequireUppercase: true, RequireLowercase: true, RequireNumbers: true, RequireSymbols: true } },
    ...patch,
  });
  backend.users.set(POOL, backend.users.get(POOL) ?? []);
}

beforeEach(() => {
  backend = fakeBackend();
  extra = {};
  vi.mocked(invoke).mockImplementation(async (cmd, args) => {
    const a = args as Json;
    const op = cmd === "call" ? String(a.target).split(".")[1]! : "";
    if (extra[op]) {
      backend.log.push({ connection: a.connection, target: a.target, input: a.input });
      return structuredClone(extra[op]!(a.input)) as never;
    }
    return backend.invoke(cmd, a) as never;
  });
});

function renderWith(ui: ReactNode) {
  const qc = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <QueryClientProvider client={qc}>
      <ToastProvider>
        <ConfirmProvider>{ui}</ConfirmProvider>
      </ToastProvider>
    </QueryClientProvider>,
  );
}

const sent = (op: string) => backend.log.filter((l) => l.target.endsWith(`.${op}`)).map((l) => l.input);

describe("creating a user in an e-mail-as-username pool", () => {
  it("has one e-mail field, marks required attributes, sets an immutable custom attribute", async () => {
    pool({ UsernameAttributes: ["email"] });
    const created = vi.fn();
    const user = userEvent.setup();
    renderWith(<CreateUserDialog poolId={POOL} onClose={() => {}} onCreated={created} />);

    const email = await screen.findByTestId("user-email");
    expect(screen.queryByTestId("user-username")).toBeNull();
    expect(screen.getAllByLabelText(/E-mail/)).toHaveLength(1);
    const given = screen.getByTestId("user-attr-given_name").closest(".field")!;
    expect(given).toHaveAttribute("data-required", "true");
    expect(given).toHaveTextContent("(required)");
    const employee = screen.getByTestId("user-attr-custom:employee_id").closest(".field")!;
    expect(employee).toHaveAttribute("data-immutable", "true");
    expect(employee).toHaveTextContent("cannot be changed after the user is created");

    await user.type(email, "alice@example.com");
    await user.type(screen.getByTestId("user-attr-given_name"), "Alice");
    await user.type(screen.getByTestId("user-attr-custom:employee_id"), "E-1001");
    await user.type(screen.getByTestId("user-temp-password"), "Temporary1!x");
    await user.click(screen.getByTestId("user-submit"));

    await waitFor(() => expect(created).toHaveBeenCalled());
    expect(sent("AdminCreateUser")).toEqual([
      {
        UserPoolId: POOL,
        Username: "alice@example.com",
        UserAttributes: [
          { Name: "given_name", Value: "Alice" },
          { Name: "custom:employee_id", Value: "E-1001" },
          { Name: "email", Value: "alice@example.com" },
          { Name: "email_verified", Value: "true" },
        ],
        TemporaryPassword: "Temporary1!x",
        MessageAction: "SUPPRESS",
      },
    ]);
    // The fake, like Cognito, gives an e-mail pool's user an internal id for a username.
    expect(created).toHaveBeenCalledWith(expect.stringMatching(/-aaaa-/), "alice@example.com");
    expect(await screen.findByTestId("toast-ok")).toHaveTextContent("Created alice@example.com");
  });

  it("names the person in the toast, not the id Cognito made the username", async () => {
    pool({ UsernameAttributes: ["email"] });
    // As the real server answers in such pools: Username is the sub.
    extra.AdminCreateUser = (i) => ({ User: { Username: "c679f929-0000", Attributes: [{ Name: "sub", Value: "c679f929-0000" }, ...i.UserAttributes] } });
    const created = vi.fn();
    const user = userEvent.setup();
    renderWith(<CreateUserDialog poolId={POOL} onClose={() => {}} onCreated={created} />);
    await user.type(await screen.findByTestId("user-email"), "bob@example.com");
    await user.type(screen.getByTestId("user-attr-given_name"), "Bob");
    await user.click(screen.getByTestId("user-submit"));
    expect(await screen.findByTestId("toast-ok")).toHaveTextContent("Created bob@example.com");
    expect(created).toHaveBeenCalledWith("c679f929-0000", "bob@example.com");
  });

  it("shows the policy and reports every failed rule and the missing required attribute before sending", async () => {
    pool({ UsernameAttributes: ["email"] });
    const user = userEvent.setup();
    renderWith(<CreateUserDialog poolId={POOL} onClose={() => {}} onCreated={() => {}} />);
    const rules = await screen.findAllByTestId("password-rule");
    expect(rules.map((r) => r.textContent)).toEqual([
      "• At least 10 characters",
      "• No space at the start or end",
      "• An uppercase letter",
      "• A lowercase letter",
      "• A number",
      "• A symbol, e.g. ! @ # $",
    ]);
    await user.type(screen.getByTestId("user-email"), "carol@example.com");
    await user.type(screen.getByTestId("user-temp-password"), "abc");
    await user.click(screen.getByTestId("user-submit"));
    expect(await screen.findByTestId("temp-password-error")).toHaveTextContent(
      "The pool's policy needs at least 10 characters, an uppercase letter, a number, a symbol",
    );
    expect(screen.getByTestId("user-attr-given_name").closest(".field")).toHaveTextContent("Given name is required by this pool");
    // The first invalid field (in the form's order) has the focus.
    await waitFor(() => expect(screen.getByTestId("user-attr-given_name")).toHaveFocus());
    expect(screen.getAllByTestId("password-rule").filter((r) => r.dataset.met === "false")).toHaveLength(4);
    expect(sent("AdminCreateUser")).toEqual([]);
  });
});

describe("the user details panel", () => {
  function addUser(u: Json) {
    backend.users.get(POOL)!.push({ Enabled: true, UserCreateDate: 1_700_000_000, ...u });
  }

  it("names the person, confirms an UNCONFIRMED user after asking", async () => {
    pool({ UsernameAttributes: ["email"] });
    addUser({ Username: "7f3e-id", UserStatus: "UNCONFIRMED", Attributes: [{ Name: "sub", Value: "7f3e-id" }, { Name: "email", Value: "dan@example.com" }] });
    extra.AdminConfirmSignUp = (i) => {
      backend.users.get(i.UserPoolId)!.find((u) => u.Username === i.Username)!.UserStatus = "CONFIRMED";
      return {};
    };
    const changed = vi.fn();
    const user = userEvent.setup();
    renderWith(<UserDetails poolId={POOL} username="7f3e-id" onClose={() => {}} onChanged={changed} navigate={() => {}} />);
    await waitFor(() => expect(screen.getByTestId("user-details-name")).toHaveTextContent("dan@example.com"));
    expect(screen.getByTestId("user-details-username")).toHaveTextContent("7f3e-id");

    await user.click(await screen.findByTestId("user-confirm"));
    expect(screen.getByTestId("confirm-dialog")).toHaveTextContent("Confirm dan@example.com");
    await user.click(screen.getByTestId("confirm-cancel"));
    expect(sent("AdminConfirmSignUp")).toEqual([]);

    await user.click(screen.getByTestId("user-confirm"));
    await user.click(screen.getByTestId("confirm-ok"));
    await waitFor(() => expect(screen.getByTestId("user-status")).toHaveTextContent("CONFIRMED"));
    expect(sent("AdminConfirmSignUp")).toEqual([{ UserPoolId: POOL, Username: "7f3e-id" }]);
    expect(screen.queryByTestId("user-confirm")).toBeNull();
    expect(changed).toHaveBeenCalled();
  });

  it("locks immutable attributes with the reason, edits mutable ones, suggests the schema's names", async () => {
    pool();
    addUser({
      Username: "erin",
      UserStatus: "CONFIRMED",
      Attributes: [
        { Name: "sub", Value: "s-1" },
        { Name: "given_name", Value: "Erin" },
        { Name: "custom:employee_id", Value: "E-7" },
      ],
    });
    extra.AdminUpdateUserAttributes = () => ({});
    const user = userEvent.setup();
    renderWith(<UserDetails poolId={POOL} username="erin" onClose={() => {}} onChanged={() => {}} navigate={() => {}} />);
    // A username pool: the header is the username, shown once.
    expect(await screen.findByTestId("user-details-name")).toHaveTextContent("erin");
    expect(screen.queryByTestId("user-details-username")).toBeNull();

    const row = (name: string) => screen.getAllByTestId("user-attribute").find((r) => r.dataset.name === name)!;
    await waitFor(() => expect(row("custom:employee_id")).toHaveAttribute("data-locked", "true"));
    expect(row("custom:employee_id")).toHaveTextContent("E-7");
    expect(row("custom:employee_id")).toHaveTextContent("Immutable: set only when the user is created");
    expect(within(row("custom:employee_id")).queryByRole("textbox")).toBeNull();
    expect(row("sub")).toHaveTextContent("Set by Cognito");

    const options = [...screen.getByTestId("user-new-attribute-names").querySelectorAll("option")].map((o) => o.value);
    expect(options[0]).toBe("custom:tier");
    expect(options).toEqual(expect.arrayContaining(["email", "phone_number"]));
    expect(options).not.toContain("custom:employee_id");
    expect(options).not.toContain("given_name");

    const given = within(row("given_name")).getByRole("textbox");
    await user.clear(given);
    await user.type(given, "Erin B");
    await user.type(screen.getByTestId("user-new-attribute"), "custom:tier");
    await user.type(screen.getByTestId("user-new-attribute-value"), "gold");
    await user.click(screen.getByTestId("user-save-attributes"));
    await waitFor(() =>
      expect(sent("AdminUpdateUserAttributes")).toEqual([
        {
          UserPoolId: POOL,
          Username: "erin",
          UserAttributes: [
            { Name: "given_name", Value: "Erin B" },
            { Name: "custom:tier", Value: "gold" },
          ],
        },
      ]),
    );
  });
});

describe("importing users from a CSV file", () => {
  const HEADER = ["given_name", "email", "custom:employee_id", "custom:tier", "cognito:mfa_enabled", "cognito:username"];

  it("shows the expected header, checks the file's, sends the CSV and reports every failed line", async () => {
    pool();
    extra.GetCSVHeader = (i) => ({ UserPoolId: i.UserPoolId, CSVHeader: HEADER });
    extra.ImportUsers = () => ({ Imported: 2, Failed: [{ Line: 3, Message: "Invalid email address format." }] });
    const imported = vi.fn();
    const user = userEvent.setup();
    renderWith(<ImportUsersDialog poolId={POOL} onClose={() => {}} onImported={imported} />);

    expect(await screen.findByTestId("import-expected-header")).toHaveTextContent(HEADER.join(","));
    expect(screen.getByTestId("import-reset-required")).toHaveTextContent("RESET_REQUIRED");
    const writeText = vi.fn(async () => {});
    Object.defineProperty(navigator, "clipboard", { configurable: true, value: { writeText } });
    await user.click(screen.getByTestId("import-template"));
    expect(writeText).toHaveBeenCalledWith(`${HEADER.join(",")}\n`);
    expect(screen.getByTestId("import-template")).toHaveTextContent("Template copied");
    expect(screen.getByTestId("import-submit")).toBeDisabled();

    // A header with a column the pool lacks is refused before anything is sent.
    await user.upload(screen.getByTestId("import-file"), new File(["cognito:username,given_name,shoe\nx,X,44\n"], "bad.csv", { type: "text/csv" }));
    expect(await screen.findByTestId("import-fit")).toHaveAttribute("data-ok", "false");
    expect(screen.getByTestId("import-fit")).toHaveTextContent("Not attributes of this pool: shoe");
    expect(screen.getByTestId("import-submit")).toBeDisabled();

    const csv = "cognito:username,given_name,email\nann,Ann,ann@example.com\nbad,Bad,not-an-email\nben,Ben,ben@example.com\n";
    await user.upload(screen.getByTestId("import-file"), new File([csv], "staff.csv", { type: "text/csv" }));
    await waitFor(() => expect(screen.getByTestId("import-fit")).toHaveAttribute("data-ok", "true"));
    expect(screen.getByTestId("import-submit")).toHaveTextContent("Import 3 lines");
    await user.click(screen.getByTestId("import-submit"));

    expect(await screen.findByTestId("import-summary")).toHaveTextContent("Imported 2 users; 1 line failed.");
    expect(screen.getAllByTestId("import-failure").map((f) => f.textContent)).toEqual(["Line 3: Invalid email address format."]);
    expect(sent("ImportUsers")).toEqual([{ UserPoolId: POOL, Csv: csv }]);
    expect(imported).toHaveBeenCalled();
  });
});
