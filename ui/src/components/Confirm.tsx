import { createContext, useCallback, useContext, useState, type ReactNode } from "react";
import * as AlertDialog from "@radix-ui/react-alert-dialog";
import { focusAutofocus, useReturnFocus } from "./Dialog";

export interface ConfirmOptions {
  title: string;
  message: ReactNode;
  confirmLabel?: string;
  /** Destructive actions get a red button. */
  danger?: boolean;
  /** The user must type this text (e.g. the pool name) before confirming. */
  typeToConfirm?: string;
}

type ConfirmFn = (o: ConfirmOptions) => Promise<boolean>;

const ConfirmContext = createContext<ConfirmFn>(async () => false);

/** `const confirm = useConfirm(); if (await confirm({...})) ...` before every destructive action. */
export function useConfirm(): ConfirmFn {
  return useContext(ConfirmContext);
}

interface Pending {
  options: ConfirmOptions;
  resolve: (ok: boolean) => void;
}

/**
 * One alert dialog for the whole app (Radix AlertDialog): Escape cancels, a click outside does
 * nothing, focus starts on Cancel (or the type-to-confirm box) and returns where it was.
 */
export function ConfirmProvider({ children }: { children: ReactNode }) {
  const [pending, setPending] = useState<Pending | null>(null);

  const confirm = useCallback<ConfirmFn>(
    (options) => new Promise<boolean>((resolve) => setPending({ options, resolve })),
    [],
  );

  const close = (ok: boolean) => {
    pending?.resolve(ok);
    setPending(null);
  };

  return (
    <ConfirmContext.Provider value={confirm}>
      {children}
      <AlertDialog.Root open={!!pending} onOpenChange={(open) => !open && close(false)}>
        {pending && <ConfirmDialog options={pending.options} onClose={close} />}
      </AlertDialog.Root>
    </ConfirmContext.Provider>
  );
}

function ConfirmDialog({ options: o, onClose }: { options: ConfirmOptions; onClose: (ok: boolean) => void }) {
  const [typed, setTyped] = useState("");
  const blocked = !!o.typeToConfirm && typed !== o.typeToConfirm;
  const returnFocus = useReturnFocus();
  return (
    <AlertDialog.Portal>
      <AlertDialog.Overlay className="backdrop">
        <AlertDialog.Content
          className="dialog"
          data-testid="confirm-dialog"
          onOpenAutoFocus={(e) => focusAutofocus(e, e.currentTarget as HTMLElement)}
          onCloseAutoFocus={returnFocus}
          onKeyDown={(e) => e.key === "Escape" && e.stopPropagation()}
        >
          <header className="dialog-header">
            <AlertDialog.Title>{o.title}</AlertDialog.Title>
          </header>
          <form
            className="dialog-body"
            onSubmit={(e) => {
              e.preventDefault();
              if (!blocked) onClose(true);
            }}
          >
            <AlertDialog.Description asChild>
              <div className="confirm-message">{o.message}</div>
            </AlertDialog.Description>
            {o.typeToConfirm && (
              <label className="field">
                <span>
                  Type <strong className="mono">{o.typeToConfirm}</strong> to confirm
                </span>
                <input
                  data-autofocus
                  value={typed}
                  onChange={(e) => setTyped(e.target.value)}
                  aria-label={`Type ${o.typeToConfirm} to confirm`}
                  data-testid="confirm-type"
                  autoComplete="off"
                />
              </label>
            )}
            <div className="dialog-actions">
              <AlertDialog.Cancel type="button" data-testid="confirm-cancel">
                Cancel
              </AlertDialog.Cancel>
              <button type="submit" className={o.danger ? "danger" : "primary"} disabled={blocked} data-testid="confirm-ok">
                {o.confirmLabel ?? "Confirm"}
              </button>
            </div>
          </form>
        </AlertDialog.Content>
      </AlertDialog.Overlay>
    </AlertDialog.Portal>
  );
}
