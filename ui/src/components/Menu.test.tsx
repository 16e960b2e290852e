import { describe, expect, it, vi } from "vitest";
import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useState } from "react";
import { Menu, MenuCheckboxItem, MenuItem } from "./Menu";

function Harness({ onAction }: { onAction: (name: string) => void }) {
  const [on, setOn] = useState(false);
  return (
    <Menu label="More" testId="more">
      <MenuItem testId="first" onSelect={() => onAction("first")}>
        First
      </MenuItem>
      <MenuItem testId="second" onSelect={() => onAction("second")}>
        Second
      </MenuItem>
      <MenuCheckboxItem testId="toggle" checked={on} onCheckedChange={setOn}>
        Toggle
      </MenuCheckboxItem>
    </Menu>
  );
}

describe("Menu", () => {
  it("acts on a chosen item and closes, focus back on its button", async () => {
    const user = userEvent.setup();
    const onAction = vi.fn();
    render(<Harness onAction={onAction} />);
    await user.click(screen.getByTestId("more"));
    expect(screen.getAllByRole("menuitem").map((i) => i.textContent)).toEqual(["First", "Second"]);
    await user.click(screen.getByTestId("second"));
    expect(onAction).toHaveBeenCalledWith("second");
    expect(screen.queryByRole("menu")).toBeNull();
    await waitFor(() => expect(screen.getByTestId("more")).toHaveFocus());
  });

  it("opens from the keyboard; Escape closes it", async () => {
    const user = userEvent.setup();
    const onAction = vi.fn();
    render(<Harness onAction={onAction} />);
    screen.getByTestId("more").focus();
    await user.keyboard("{Enter}");
    expect(await screen.findByRole("menu")).toBeInTheDocument();
    await user.keyboard("{Escape}");
    expect(screen.queryByRole("menu")).toBeNull();
    expect(onAction).not.toHaveBeenCalled();
  });

  it("keeps the menu open while a checkbox item is changed", async () => {
    const user = userEvent.setup();
    render(<Harness onAction={() => {}} />);
    await user.click(screen.getByTestId("more"));
    await user.click(screen.getByTestId("toggle"));
    expect(screen.getByTestId("toggle")).toHaveAttribute("aria-checked", "true");
    await user.click(screen.getByTestId("toggle"));
    expect(screen.getByTestId("toggle")).toHaveAttribute("aria-checked", "false");
  });
});
