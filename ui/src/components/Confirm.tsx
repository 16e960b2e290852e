import { createContext, useCallback, useContext, useState, type ReactNode } from "react";
import { Dialog } from "./Dialog";

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

export function ConfirmProvider({ children }: { children: ReactNode }) {
  const [pending, setPending] = useState<{ options: ConfirmOptions; resolve: (ok: boolean) => void } | null>(null);
  const [typed, setTyped] = useState("");

  const confirm = useCallback<ConfirmFn>(
    (options) =>
      new Promise<boolean>((resolve) => {
        setTyped("");
        setPending({ options, resolve });
      }),
    [],
  );

  const close = (ok: boolean) => {
    pending?.resolve(ok);
    setPending(null);
  };

  const o = pending?.options;
  const blocked = !!o?.typeToConfirm && typed !== o.typeToConfirm;

  return (
    <ConfirmContext.Provider value={confirm}>
      {children}
      {o && (
        <Dialog title={o.title} onClose={() => close(false)} testId="confirm-dialog">
          <form
            onSubmit={(e) => {
              e.preventDefault();
              if (!blocked) close(true);
            }}
          >
            <div className="confirm-message">{o.message}</div>
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
              <button type="button" onClick={() => close(false)} data-testid="confirm-cancel" data-autofocus={o.typeToConfirm ? undefined : true}>
                Cancel
              </button>
              <button
                type="submit"
                className={o.danger ? "danger" : "primary"}
                disabled={blocked}
                data-testid="confirm-ok"
              >
                {o.confirmLabel ?? "Confirm"}
              </button>
            </div>
          </form>
        </Dialog>
      )}
    </ConfirmContext.Provider>
  );
}
