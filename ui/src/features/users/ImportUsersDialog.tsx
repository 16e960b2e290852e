import { useMemo, useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { useApi } from "../../api/connection";
import { Dialog } from "../../components/Dialog";
import { copyText, ErrorBox, Spinner } from "../../components/bits";
import { readFileAsText } from "../../lib/files";
import { useUserPool } from "../userPools/queries";
import { headerCsv, headerFit, importUsers, requiredColumns, type HeaderFit, type ImportUsersResponse } from "./importUsers";
import "./userForms.css";

/** The users screen's "Import users" button and its dialog. */
export function ImportUsersButton({ poolId, onImported }: { poolId: string; onImported: () => void }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button type="button" data-testid="import-users" onClick={() => setOpen(true)}>
        Import users
      </button>
      {open && <ImportUsersDialog poolId={poolId} onClose={() => setOpen(false)} onImported={onImported} />}
    </>
  );
}

interface PickedFile {
  name: string;
  csv: string;
}

export function ImportUsersDialog({ poolId, onClose, onImported }: { poolId: string; onClose: () => void; onImported: () => void }) {
  const api = useApi();
  const pool = useUserPool(poolId);
  const header = useQuery({
    queryKey: [api.connection, "GetCSVHeader", poolId],
    queryFn: () => api.idp("GetCSVHeader", { UserPoolId: poolId }),
    select: (r) => r.CSVHeader ?? [],
  });
  const [file, setFile] = useState<PickedFile | null>(null);
  const [readError, setReadError] = useState<unknown>(null);
  const [report, setReport] = useState<ImportUsersResponse | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const required = useMemo(() => requiredColumns(pool.data), [pool.data]);
  // A file of 20,000 users is split once, not on every render.
  const fit = useMemo(() => (file && header.data ? headerFit(file.csv, header.data, required) : null), [file, header.data, required]);

  const pick = async (picked: File | undefined) => {
    setReport(null);
    setError(null);
    setReadError(null);
    setFile(null);
    if (!picked) return;
    try {
      setFile({ name: picked.name, csv: await readFileAsText(picked) });
    } catch (e) {
      setReadError(e);
    }
  };

  const run = async () => {
    if (!file) return;
    setBusy(true);
    setError(null);
    try {
      const r = await importUsers(api, { UserPoolId: poolId, Csv: file.csv });
      setReport(r);
      if (r.Imported > 0) onImported();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog title="Import users" onClose={onClose} wide testId="import-users-dialog">
      <div className="form">
        <p className="notice" data-testid="import-reset-required">
          Imported users have no password: they start in <strong>RESET_REQUIRED</strong>, and their first sign-in asks them to
          set one with a code sent to their e-mail or phone (ForgotPassword).
        </p>
        <section aria-labelledby="import-header-title">
          <h3 id="import-header-title">The columns this pool expects</h3>
          {header.isPending && <Spinner label="Loading the pool's CSV header" />}
          <ErrorBox error={header.error} onRetry={() => void header.refetch()} />
          {header.data && <ExpectedHeader header={header.data} />}
        </section>
        <label className="field">
          <span>CSV file (first line: the header; column order does not matter)</span>
          <input type="file" accept=".csv,text/csv" data-testid="import-file" onChange={(e) => void pick(e.target.files?.[0])} />
        </label>
        <ErrorBox error={readError} />
        {file && fit && <FitReport fileName={file.name} fit={fit} />}
        <ErrorBox error={error} testId="import-error" />
        {report && <ImportReport report={report} />}
        <div className="dialog-actions">
          <button type="button" onClick={onClose}>
            {report ? "Close" : "Cancel"}
          </button>
          <button
            type="button"
            className="primary"
            data-testid="import-submit"
            disabled={!fit?.ok || busy || report !== null}
            onClick={() => void run()}
          >
            {busy ? <Spinner label="Importing" /> : null} Import {fit ? `${fit.rows} ${fit.rows === 1 ? "line" : "lines"}` : "users"}
          </button>
        </div>
      </div>
    </Dialog>
  );
}

/**
 * GetCSVHeader's columns and a template to copy.
 */
function ExpectedHeader({ header }: { header: string[] }) {
  return (
    <>
      <pre className="import-header mono" data-testid="import-expected-header">
        {header.join(",")}
      </pre>
      <div className="row-inline">
        <CopyTemplateButton csv={headerCsv(header)} />
        <span className="muted small-text">Copies the header line: paste it into an empty .csv file and add one user per line.</span>
      </div>
    </>
  );
}

function CopyTemplateButton({ csv }: { csv: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <button
      type="button"
      data-testid="import-template"
      data-copied={copied}
      onClick={async () => {
        if (await copyText(csv)) {
          setCopied(true);
          setTimeout(() => setCopied(false), 2000);
        }
      }}
    >
      {copied ? "Template copied" : "Copy CSV template"}
    </button>
  );
}

function FitReport({ fileName, fit }: { fileName: string; fit: HeaderFit }) {
  return (
    <div className={fit.ok ? "import-fit ok" : "import-fit bad"} data-testid="import-fit" data-ok={fit.ok} role="status">
      <strong>{fileName}</strong>:{" "}
      {fit.ok ? (
        <>
          the header fits this pool; {fit.rows} {fit.rows === 1 ? "line" : "lines"} to import.
        </>
      ) : (
        <>the header does not fit this pool.</>
      )}
      <ul>
        {fit.noUsername && <li>No cognito:username column: every user needs one.</li>}
        {fit.unknown.length > 0 && (
          <li>
            Not attributes of this pool: <span className="mono">{fit.unknown.join(", ")}</span>
          </li>
        )}
        {fit.missingRequired.length > 0 && (
          <li>
            Required by this pool but missing: <span className="mono">{fit.missingRequired.join(", ")}</span>
          </li>
        )}
      </ul>
    </div>
  );
}

/** How many users were imported and every refused line with its reason. */
function ImportReport({ report }: { report: ImportUsersResponse }) {
  const failed = report.Failed;
  return (
    <div className={failed.length ? "import-report has-failures" : "import-report"} role="status" data-testid="import-report">
      <strong data-testid="import-summary">
        Imported {report.Imported} {report.Imported === 1 ? "user" : "users"}
        {failed.length > 0 ? `; ${failed.length} ${failed.length === 1 ? "line" : "lines"} failed` : ""}.
      </strong>
      {failed.length > 0 && (
        <ul className="import-failures">
          {failed.map((f) => (
            <li key={f.Line} data-testid="import-failure" data-line={f.Line}>
              Line {f.Line}: {f.Message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
