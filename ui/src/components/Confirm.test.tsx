// The Radix-based confirmation and notifications keep the app's contract: a promise that says
// yes or no, Escape cancels, focus goes back to the button that asked.
import { describe, expect, it } from "vitest";
import { act, render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useState } from "react";
import { ConfirmProvider, useConfirm, type ConfirmOptions } from "./Confirm";
import { ToastProvider, useToast } from "./Toast";
import { Dialog } from "./Dialog";

function Asker({ options }: { options: ConfirmOptions }) {
  const confirm = useConfirm();
  const [answer, setAnswer] = useState("none");
  return (
    <>
      <button type="button" onClick={async () => setAnswer(String(await confirm(options)))}>
        Delete it
      </button>
      <output data-testid="answer">{answer}</output>
    </>
  );
}

const renderAsker = (options: ConfirmOptions) =>
  render(
    <ConfirmProvider>
      <Asker options={options} />
    </ConfirmProvider>,
  );

describe("confirm", () => {
  it("is an alert dialog that Escape cancels, returning focus to the button that asked", async () => {
    const user = userEvent.setup();
    renderAsker({ title: "Delete group", message: "Delete admins?", danger: true, confirmLabel: "Delete" });
    const ask = screen.getByRole("button", { name: "Delete it" });
    await user.click(ask);
    const dialog = screen.getByRole("alertdialog", { name: "Delete group" });
    expect(dialog).toHaveAccessibleDescription("Delete admins?");
    expect(screen.getByTestId("confirm-cancel")).toHaveFocus();
    await user.keyboard("{Escape}");
    await waitFor(() => expect(screen.getByTestId("answer")).toHaveTextContent("false"));
    expect(screen.queryByRole("alertdialog")).toBeNull();
    await waitFor(() => expect(ask).toHaveFocus());
  });

  it("confirms with the keyboard: Tab to the red button, Enter", async () => {
    const user = userEvent.setup();
    renderAsker({ title: "Disable", message: "Disable alice?", danger: true, confirmLabel: "Disable" });
    await user.click(screen.getByRole("button", { name: "Delete it" }));
    await user.tab();
    expect(screen.getByTestId("confirm-ok")).toHaveFocus();
    expect(screen.getByTestId("confirm-ok")).toHaveClass("danger");
    await user.keyboard("{Enter}");
    await waitFor(() => expect(screen.getByTestId("answer")).toHaveTextContent("true"));
    await waitFor(() => expect(screen.getByRole("button", { name: "Delete it" })).toHaveFocus());
  });

  it("keeps the button disabled until the name is typed", async () => {
    const user = userEvent.setup();
    renderAsker({ title: "Delete pool", message: "Gone for good", typeToConfirm: "shop" });
    await user.click(screen.getByRole("button", { name: "Delete it" }));
    expect(screen.getByTestId("confirm-type")).toHaveFocus();
    expect(screen.getByTestId("confirm-ok")).toBeDisabled();
    await user.keyboard("sho{Enter}");
    expect(screen.getByTestId("answer")).toHaveTextContent("none");
    await user.keyboard("p{Enter}");
    await waitFor(() => expect(screen.getByTestId("answer")).toHaveTextContent("true"));
  });
});

describe("dialog", () => {
  it("focuses [data-autofocus], closes on Escape and gives focus back", async () => {
    const user = userEvent.setup();
    function Opener() {
      const [open, setOpen] = useState(false);
      return (
        <>
          <button type="button" onClick={() => setOpen(true)}>
            Open
          </button>
          {open && (
            <Dialog title="Create group" onClose={() => setOpen(false)} testId="group-dialog">
              <input aria-label="Other" />
              <input aria-label="Name" data-autofocus />
            </Dialog>
          )}
        </>
      );
    }
    render(<Opener />);
    await user.click(screen.getByRole("button", { name: "Open" }));
    expect(screen.getByRole("dialog", { name: "Create group" })).toHaveAttribute("data-testid", "group-dialog");
    expect(screen.getByLabelText("Name")).toHaveFocus();
    await user.keyboard("{Escape}");
    expect(screen.queryByRole("dialog")).toBeNull();
    await waitFor(() => expect(screen.getByRole("button", { name: "Open" })).toHaveFocus());
  });
});

describe("toast", () => {
  function Notifier() {
    const toast = useToast();
    return (
      <>
        <button type="button" onClick={() => toast.ok("Created shop")}>
          ok
        </button>
        <button type="button" onClick={() => toast.error({ code: "LimitExceededException", message: "Too many" }, "Save failed")}>
          fail
        </button>
      </>
    );
  }

  it("shows successes and errors (code and message) and can be dismissed", async () => {
    const user = userEvent.setup();
    render(
      <ToastProvider>
        <Notifier />
      </ToastProvider>,
    );
    await user.click(screen.getByRole("button", { name: "ok" }));
    expect(await screen.findByTestId("toast-ok")).toHaveTextContent("Created shop");
    await user.click(screen.getByRole("button", { name: "fail" }));
    const error = await screen.findByTestId("toast-error");
    expect(error).toHaveTextContent("Save failed: LimitExceededException");
    expect(error).toHaveTextContent("Too many");
    await user.click(screen.getAllByRole("button", { name: "Dismiss notification" })[1]!);
    await waitFor(() => expect(screen.queryByTestId("toast-error")).toBeNull());
    expect(screen.getByTestId("toast-ok")).toBeInTheDocument();
    // The notifications are a labelled region reachable with F8 (Radix's viewport).
    expect(screen.getByRole("region", { name: /Notification/ })).toBeInTheDocument();
    await act(async () => {});
  });
});
