import { useRef, useState } from "react";
import { useApi } from "../../api/connection";
import { Dialog } from "../../components/Dialog";
import { ErrorBox, Spinner } from "../../components/bits";
import { downloadText } from "../../lib/files";
import { exportUsers, type ExportFormat } from "./exportUsers";

/** The users screen's "Export users" button and its dialog. */
export function ExportUsersButton({ poolId }: { poolId: string }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button type="button" data-testid="export-users" onClick={() => setOpen(true)}>
        Export users
      </button>
      {open && <ExportUsersDialog poolId={poolId} onClose={() => setOpen(false)} />}
    </>
  );
}

/** Every user of the pool to a file in Downloads, with progress, and a cancel that stops it. */
export function ExportUsersDialog({ poolId, onClose }: { poolId: string; onClose: () => void }) {
  const api = useApi();
  const [format, setFormat] = useState<ExportFormat>("csv");
  const [progress, setProgress] = useState<number | null>(null);
  const [done, setDone] = useState<{ count: number; fileName: string } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const abort = useRef<AbortController | null>(null);
  const busy = progress !== null && done === null && error === null;

  const run = async () => {
    abort.current = new AbortController();
    setError(null);
    setDone(null);
    setProgress(0);
    try {
      const { text, count } = await exportUsers(api, poolId, format, setProgress, abort.current.signal);
      const fileName = `${poolId}-users.${format}`;
      downloadText(fileName, text, format === "csv" ? "text/csv" : "application/json");
      setDone({ count, fileName });
    } catch (e) {
      if (e instanceof DOMException && e.name === "AbortError") {
        setProgress(null);
      } else {
        setError(e);
      }
    }
  };

  const close = () => {
    abort.current?.abort();
    onClose();
  };

  return (
    <Dialog title="Export users" onClose={close} testId="export-users-dialog">
      <div className="form">
        <fieldset disabled={busy}>
          <legend>Format</legend>
          <label className="row-inline">
            <input type="radio" name="export-format" checked={format === "csv"} onChange={() => setFormat("csv")} data-testid="export-format-csv" />
            CSV: Cognito&apos;s user-import file, which Import users loads again
          </label>
          <label className="row-inline">
            <input type="radio" name="export-format" checked={format === "json"} onChange={() => setFormat("json")} data-testid="export-format-json" />
            JSON: attributes, status and groups
          </label>
        </fieldset>
        <p className="muted small-text">Passwords are not exported: users imported from the file set a new one.</p>
        {progress !== null && (
          <p role="status" data-testid="export-progress">
            {done ? `Exported ${done.count} users to ${done.fileName} in Downloads.` : `Exported ${progress} users so far…`}
          </p>
        )}
        <ErrorBox error={error} testId="export-error" />
        <div className="dialog-actions">
          <button
            type="button"
            data-testid="export-cancel"
            onClick={() => (busy ? abort.current?.abort() : close())}
          >
            {busy ? "Stop" : done ? "Close" : "Cancel"}
          </button>
          <button type="button" className="primary" data-testid="export-submit" disabled={busy} onClick={() => void run()}>
            {busy ? <Spinner label="Exporting" /> : null} Export
          </button>
        </div>
      </div>
    </Dialog>
  );
}
