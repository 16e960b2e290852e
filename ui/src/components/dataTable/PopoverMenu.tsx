// A button that opens a small panel of controls (a disclosure): closes on Escape, on a click
// outside and after an action inside asks it to. Small on purpose; a primitives library's menu
// can replace it without changing its callers.
import { useEffect, useId, useRef, useState, type ReactNode } from "react";

export function PopoverMenu({
  label,
  testId,
  disabled,
  align = "end",
  children,
}: {
  label: ReactNode;
  testId?: string;
  disabled?: boolean;
  align?: "start" | "end";
  /** The panel's content; call `close()` after an action. */
  children: (close: () => void) => ReactNode;
}) {
  const [open, setOpen] = useState(false);
  const ref = useRef<HTMLDivElement>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const id = useId();

  useEffect(() => {
    if (!open) return;
    const onDown = (e: MouseEvent) => {
      if (!ref.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener("mousedown", onDown);
    return () => document.removeEventListener("mousedown", onDown);
  }, [open]);

  const close = () => {
    setOpen(false);
    buttonRef.current?.focus();
  };

  return (
    <div
      className="popover-menu"
      ref={ref}
      onKeyDown={(e) => {
        if (e.key === "Escape" && open) {
          e.stopPropagation();
          close();
        }
      }}
    >
      <button
        ref={buttonRef}
        type="button"
        aria-expanded={open}
        aria-controls={id}
        data-testid={testId}
        disabled={disabled}
        onClick={() => setOpen((o) => !o)}
      >
        {label} <span aria-hidden="true">▾</span>
      </button>
      {open && (
        <div id={id} className={`popover-panel popover-${align}`}>
          {children(close)}
        </div>
      )}
    </div>
  );
}
