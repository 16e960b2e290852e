import { pemCertificate } from "../lib/certificates";
import { downloadText } from "../lib/files";
import { CopyButton } from "./bits";

/**
 * A certificate Cognito gives as base64 DER, shown as PEM (what identity providers take), with
 * Copy and Download. `label` names it in the buttons' accessible names.
 */
export function CertificateView({ base64Der, label, fileName, testId }: { base64Der: string; label: string; fileName: string; testId?: string }) {
  const pem = pemCertificate(base64Der);
  const extension = fileName.slice(fileName.lastIndexOf("."));
  return (
    <div className="certificate" data-testid={testId}>
      <pre className="certificate-pem mono" data-testid={testId ? `${testId}-pem` : undefined} tabIndex={0} aria-label={label}>
        {pem}
      </pre>
      <span className="row-actions">
        <CopyButton text={pem} label={label} testId={testId ? `${testId}-copy` : undefined} />
        <button
          type="button"
          className="small"
          aria-label={`Download ${label} as ${fileName}`}
          data-testid={testId ? `${testId}-download` : undefined}
          onClick={() => downloadText(fileName, pem, "application/x-pem-file")}
        >
          Download {extension}
        </button>
      </span>
    </div>
  );
}
