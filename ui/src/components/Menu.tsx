// A button that opens a menu (Radix DropdownMenu): arrow keys move between the items, typing
// jumps to one, Escape and a click outside close it and focus goes back to the button. It is
// not modal, so an item may open a dialog without the page staying blocked behind it.
import type { ReactNode } from "react";
import * as DropdownMenu from "@radix-ui/react-dropdown-menu";
import "./menu.css";

export function Menu({
  label,
  testId,
  disabled,
  align = "end",
  children,
}: {
  label: ReactNode;
  /** data-testid of the button that opens the menu. */
  testId?: string;
  disabled?: boolean;
  align?: "start" | "end";
  /** MenuItem, MenuCheckboxItem, MenuLabel. */
  children: ReactNode;
}) {
  return (
    <DropdownMenu.Root modal={false}>
      <DropdownMenu.Trigger asChild disabled={disabled}>
        <button type="button" data-testid={testId} className="menu-button">
          {label} <span aria-hidden="true">▾</span>
        </button>
      </DropdownMenu.Trigger>
      <DropdownMenu.Portal>
        <DropdownMenu.Content className="menu" align={align} sideOffset={4} collisionPadding={8}>
          {children}
        </DropdownMenu.Content>
      </DropdownMenu.Portal>
    </DropdownMenu.Root>
  );
}

/** An action; the menu closes when it is chosen. */
export function MenuItem({ testId, onSelect, children }: { testId?: string; onSelect: () => void; children: ReactNode }) {
  return (
    <DropdownMenu.Item className="menu-item" data-testid={testId} onSelect={onSelect}>
      {children}
    </DropdownMenu.Item>
  );
}

/** A setting that is on or off; the menu stays open so several can be changed in a row. */
export function MenuCheckboxItem({
  testId,
  checked,
  disabled,
  onCheckedChange,
  children,
}: {
  testId?: string;
  checked: boolean;
  disabled?: boolean;
  onCheckedChange: (checked: boolean) => void;
  children: ReactNode;
}) {
  return (
    <DropdownMenu.CheckboxItem
      className="menu-item menu-check"
      data-testid={testId}
      checked={checked}
      disabled={disabled}
      onCheckedChange={onCheckedChange}
      onSelect={(e) => e.preventDefault()}
    >
      <span className="menu-check-mark" aria-hidden="true">
        <DropdownMenu.ItemIndicator>✓</DropdownMenu.ItemIndicator>
      </span>
      {children}
    </DropdownMenu.CheckboxItem>
  );
}

/** A heading over a menu's items. */
export function MenuLabel({ children }: { children: ReactNode }) {
  return <DropdownMenu.Label className="menu-label">{children}</DropdownMenu.Label>;
}
