import { useId, useState, type ReactNode } from "react";
import { readFileAsText } from "../lib/files";
import { FieldError } from "./bits";

/** What a SAML identity provider's metadata file may be called or typed as. */
export const SAML_METADATA_ACCEPT = ".xml,application/xml,text/xml,application/samlmetadata+xml";

/**
 * A file input that reads the chosen file as text and hands it on (`onText`), then says what it
 * read (`pickedMessage`) or why the file could not be read.
 */
export function TextFilePicker({
  label,
  accept,
  testId,
  pickedTestId,
  pickedMessage,
  onText,
}: {
  label: ReactNode;
  accept?: string;
  testId?: string;
  pickedTestId?: string;
  pickedMessage: (fileName: string) => ReactNode;
  onText: (text: string, fileName: string) => void;
}) {
  const id = useId();
  const [picked, setPicked] = useState<{ name: string } | { error: string } | null>(null);

  const pick = async (file: File | undefined) => {
    if (!file) return;
    try {
      const text = await readFileAsText(file);
      onText(text, file.name);
      setPicked({ name: file.name });
    } catch (e) {
      setPicked({ error: `${file.name} could not be read: ${e instanceof Error ? e.message : String(e)}` });
    }
  };

  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input id={id} type="file" accept={accept} data-testid={testId} onChange={(e) => void pick(e.target.files?.[0])} />
      {picked && "name" in picked && (
        <span className="field-hint" data-testid={pickedTestId}>
          {pickedMessage(picked.name)}
        </span>
      )}
      <FieldError message={picked && "error" in picked ? picked.error : undefined} />
    </div>
  );
}
