import { createContext, useCallback, useContext, useMemo, useRef, useState, type ReactNode } from "react";
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

export function ToastProvider({ children }: { children: ReactNode }) {
  const [items, setItems] = useState<ToastItem[]>([]);
  const next = useRef(0);

  const push = useCallback((item: Omit<ToastItem, "id">) => {
    const id = ++next.current;
    setItems((xs) => [...xs.slice(-4), { ...item, id }]);
    setTimeout(() => setItems((xs) => xs.filter((x) => x.id !== id)), item.kind === "error" ? 10000 : 4000);
  }, []);

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
      {children}
      <div className="toasts" role="status" aria-live="polite">
        {items.map((t) => (
          <div key={t.id} className={`toast toast-${t.kind}`} data-testid={`toast-${t.kind}`}>
            {t.title && <strong>{t.title}</strong>}
            <span>{t.text}</span>
            <button
              type="button"
              className="icon-button"
              aria-label="Dismiss notification"
              onClick={() => setItems((xs) => xs.filter((x) => x.id !== t.id))}
            >
              ×
            </button>
          </div>
        ))}
      </div>
    </ToastContext.Provider>
  );
}
