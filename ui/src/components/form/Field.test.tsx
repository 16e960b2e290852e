import { describe, expect, it } from "vitest";
import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { FormProvider, useForm } from "react-hook-form";
import { zodResolver } from "@hookform/resolvers/zod";
import { z } from "zod";
import { ErrorBox } from "../bits";
import { CheckboxField, NumberField, PasswordPolicyFields, SelectField, TextField, useSubmitError } from ".";
import { COGNITO_DEFAULT_POLICY, passwordPolicySchema } from "./passwordPolicy";

const schema = z.object({
  name: z.string().min(1, "Name is required"),
  size: z.number({ invalid_type_error: "Enter a number" }).min(1, "At least 1"),
  kind: z.enum(["a", "b"]),
  on: z.boolean(),
  passwordPolicy: passwordPolicySchema,
});
type V = z.infer<typeof schema>;

function Demo({ onValid }: { onValid: (v: V) => Promise<void> }) {
  const form = useForm<V>({
    resolver: zodResolver(schema),
    defaultValues: { name: "", size: 1, kind: "a", on: false, passwordPolicy: COGNITO_DEFAULT_POLICY },
  });
  const submit = useSubmitError();
  return (
    <FormProvider {...form}>
      <form
        noValidate
        onSubmit={submit.clearingFirst(
          form.handleSubmit(async (v) => {
            try {
              await onValid(v);
            } catch (e) {
              submit.setError(e);
            }
          }),
        )}
      >
        <TextField<V> name="name" label="Name" hint="Shown to people" />
        <NumberField<V> name="size" label="Size" testId="the-size" />
        <SelectField<V> name="kind" label="Kind" options={[{ value: "a", label: "A" }, { value: "b", label: "B" }]} />
        <CheckboxField<V> name="on" label="Turned on" />
        <PasswordPolicyFields<V> />
        <ErrorBox error={submit.error} testId="server-error" />
        <button type="submit">Save</button>
      </form>
    </FormProvider>
  );
}

describe("form fields", () => {
  it("label, hint, test id from the name, and the error wired to the control", async () => {
    const user = userEvent.setup();
    render(<Demo onValid={async () => {}} />);
    const name = screen.getByLabelText("Name");
    expect(name).toHaveAttribute("data-testid", "name");
    expect(name).toHaveAccessibleDescription("Shown to people");
    expect(screen.getByLabelText("Size")).toHaveAttribute("data-testid", "the-size");
    expect(screen.getByLabelText("Kind")).toHaveAttribute("data-testid", "kind");
    expect(screen.getByLabelText("Turned on")).toHaveAttribute("data-testid", "on");

    await user.clear(screen.getByLabelText("Size"));
    await user.click(screen.getByRole("button", { name: "Save" }));
    await waitFor(() => expect(name).toHaveAttribute("aria-invalid", "true"));
    expect(name).toHaveAccessibleDescription("Shown to people Name is required");
    expect(name).toHaveFocus();
    expect(screen.getByLabelText("Size")).toHaveAccessibleDescription("Enter a number");
  });

  it("password policy fields hold the policy and report its bounds", async () => {
    const user = userEvent.setup();
    let saved: V | undefined;
    render(<Demo onValid={async (v) => void (saved = v)} />);
    await user.type(screen.getByLabelText("Name"), "x");
    await user.clear(screen.getByTestId("policy-min-length"));
    await user.type(screen.getByTestId("policy-min-length"), "4");
    await user.click(screen.getByRole("button", { name: "Save" }));
    expect(await screen.findByText("At least 6")).toBeInTheDocument();
    await user.clear(screen.getByTestId("policy-min-length"));
    await user.type(screen.getByTestId("policy-min-length"), "12");
    await user.click(screen.getByTestId("policy-symbols"));
    await user.click(screen.getByRole("button", { name: "Save" }));
    await waitFor(() => expect(saved?.passwordPolicy).toEqual({ ...COGNITO_DEFAULT_POLICY, minLength: 12, requireSymbols: false }));
  });

  it("clears the server's old error as soon as a new submit starts, even an invalid one", async () => {
    const user = userEvent.setup();
    render(<Demo onValid={async () => Promise.reject({ code: "LimitExceededException", message: "Too many" })} />);
    await user.type(screen.getByLabelText("Name"), "x");
    await user.click(screen.getByRole("button", { name: "Save" }));
    expect(await screen.findByTestId("server-error")).toHaveTextContent("LimitExceededException");
    await user.clear(screen.getByLabelText("Name"));
    await user.click(screen.getByRole("button", { name: "Save" }));
    expect(await screen.findByText("Name is required")).toBeInTheDocument();
    expect(screen.queryByTestId("server-error")).toBeNull();
  });
});
