import { useState, type FocusEvent, type ReactNode } from "react";
import * as RadixDialog from "@radix-ui/react-dialog";

/**
 * A modal dialog (Radix): focus moves in on open (to `[data-autofocus]` if there is one) and back
 * on close, Tab stays inside, Escape and a click outside close. The header stays put and only the
 * body scrolls, so a field focused on submit is never hidden under the title.
 */
export function Dialog({
  title,
  onClose,
  children,
  wide,
  testId,
}: {
  title: string;
  onClose: () => void;
  children: ReactNode;
  wide?: boolean;
  testId?: string;
}) {
  const returnFocus = useReturnFocus();
  return (
    <RadixDialog.Root open onOpenChange={(open) => !open && onClose()}>
      <RadixDialog.Portal>
        <RadixDialog.Overlay className="backdrop">
          <RadixDialog.Content
            className={wide ? "dialog dialog-wide" : "dialog"}
            data-testid={testId}
            aria-describedby={undefined}
            onOpenAutoFocus={(e) => focusAutofocus(e, e.currentTarget as HTMLElement)}
            onCloseAutoFocus={returnFocus}
            // Escape belongs to this dialog: screens under it must not also act on it.
            onKeyDown={(e) => e.key === "Escape" && e.stopPropagation()}
          >
            <header className="dialog-header">
              <RadixDialog.Title>{title}</RadixDialog.Title>
              <RadixDialog.Close className="icon-button" aria-label="Close dialog">
                ×
              </RadixDialog.Close>
            </header>
            <div className="dialog-body" onFocus={revealWithLabel}>
              {children}
            </div>
          </RadixDialog.Content>
        </RadixDialog.Overlay>
      </RadixDialog.Portal>
    </RadixDialog.Root>
  );
}

/** Radix focuses the first focusable element; a form may name a better one with data-autofocus. */
export function focusAutofocus(e: Event, content: HTMLElement | null) {
  const preferred = content?.querySelector<HTMLElement>("[data-autofocus]");
  if (preferred) {
    e.preventDefault();
    preferred.focus();
  }
}

/**
 * Radix gives focus back to a Dialog.Trigger; these dialogs are opened from code, so focus goes
 * back to whatever had it when the dialog opened (the button that opened it).
 */
export function useReturnFocus(): (e: Event) => void {
  const [previous] = useState(() => document.activeElement as HTMLElement | null);
  return (e) => {
    e.preventDefault();
    if (previous?.isConnected) previous.focus();
  };
}

/**
 * A focused control (Tab, or the first invalid field on submit) is shown whole with its label:
 * the browser only scrolls the control itself to the body's edge.
 */
function revealWithLabel(e: FocusEvent<HTMLElement>) {
  const target = e.target as HTMLElement;
  const field = target.closest<HTMLElement>(".field, .check-field") ?? target;
  const body = e.currentTarget.getBoundingClientRect();
  const box = field.getBoundingClientRect();
  if (box.top < body.top || box.bottom > body.bottom) field.scrollIntoView({ block: "nearest" });
}
