import { createContext, useCallback, useContext, useMemo, useRef, useState, type ReactNode } from "react";
import * as RadixToast from "@radix-ui/react-toast";
import { describeError } from "../api/errors";

interface ToastItem {
  id: number;
  kind: "ok" | "error";
  title: string;
  text: string;
}

interface Toaster {
  ok: (text: string) => void;
  error: (e: unknown, title?: string) => void;
}

const ToastContext = createContext<Toaster>({ ok: () => {}, error: () => {} });

export function useToast(): Toaster {
  return useContext(ToastContext);
}

/** Errors stay longer: they are read, not glanced at. Hover or focus pauses the timer (Radix). */
const DURATION = { ok: 4000, error: 10000 } as const;
/** Older notifications give way so the corner never fills the window. */
const MAX_SHOWN = 5;

export function ToastProvider({ children }: { children: ReactNode }) {
  const [items, setItems] = useState<ToastItem[]>([]);
  const next = useRef(0);

  const push = useCallback((item: Omit<ToastItem, "id">) => {
    const id = ++next.current;
    setItems((xs) => [...xs.slice(-(MAX_SHOWN - 1)), { ...item, id }]);
  }, []);
  const dismiss = (id: number) => setItems((xs) => xs.filter((x) => x.id !== id));

  const toaster = useMemo<Toaster>(
    () => ({
      ok: (text) => push({ kind: "ok", title: "", text }),
      error: (e, title) => {
        const { code, message } = describeError(e);
        push({ kind: "error", title: title ? `${title}: ${code}` : code, text: message });
      },
    }),
    [push],
  );

  return (
    <ToastContext.Provider value={toaster}>
      <RadixToast.Provider label="Notification" swipeDirection="right">
        {children}
        {items.map((t) => (
          <RadixToast.Root
            key={t.id}
            className={`toast toast-${t.kind}`}
            data-testid={`toast-${t.kind}`}
            type={t.kind === "error" ? "foreground" : "background"}
            duration={DURATION[t.kind]}
            onOpenChange={(open) => !open && dismiss(t.id)}
          >
            <div className="toast-text">
              {t.title && <RadixToast.Title asChild><strong>{t.title}</strong></RadixToast.Title>}
              <RadixToast.Description asChild><span>{t.text}</span></RadixToast.Description>
            </div>
            <RadixToast.Close className="icon-button" aria-label="Dismiss notification">
              ×
            </RadixToast.Close>
          </RadixToast.Root>
        ))}
        <RadixToast.Viewport className="toasts" />
      </RadixToast.Provider>
    </ToastContext.Provider>
  );
}
