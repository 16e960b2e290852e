import { useId, useState } from "react";
import { useForm } from "react-hook-form";
import { zodResolver } from "@hookform/resolvers/zod";
import { useQueryClient } from "@tanstack/react-query";
import { connectionAdd, type ConnectionCheck } from "../../api/tauri";
import { Dialog } from "../../components/Dialog";
import { useToast } from "../../components/Toast";
import { FieldError, Spinner } from "../../components/bits";
import { ConnectionErrorBox } from "./ConnectionErrorBox";
import {
  addedMessage,
  connectionDefaults,
  connectionSchema,
  toNewConnection,
  type ConnectionPrefill,
  type ConnectionValues,
} from "./connectionForm";

/**
 * "Add a server": the Rust side tests the server with the key and saves nothing if that fails.
 * The secret lives only in this form's state: it is sent once (not through a mutation, whose
 * variables TanStack keeps) and cleared on success.
 */
export function AddConnectionDialog({
  prefill,
  onClose,
  onAdded,
}: {
  prefill?: ConnectionPrefill;
  onClose: () => void;
  onAdded: (c: ConnectionCheck) => void;
}) {
  const qc = useQueryClient();
  const toast = useToast();
  const hintId = useId();
  const [error, setError] = useState<unknown>(null);
  const { register, handleSubmit, setValue, formState } = useForm<ConnectionValues>({
    resolver: zodResolver(connectionSchema),
    defaultValues: { ...connectionDefaults, ...prefill },
  });
  const e = formState.errors;

  const onSubmit = async (v: ConnectionValues) => {
    setError(null);
    let check: ConnectionCheck;
    try {
      check = await connectionAdd(toNewConnection(v));
    } catch (err) {
      setError(err);
      return;
    }
    setValue("secretAccessKey", "");
    const name = check.connection.name;
    // A replaced connection may point at another server: drop what was cached for the name.
    void qc.resetQueries({ queryKey: [name] });
    void qc.invalidateQueries({ queryKey: ["connections"], exact: true });
    toast.ok(addedMessage(check));
    onAdded(check);
  };

  return (
    <Dialog title="Add a server" onClose={onClose} testId="add-connection-dialog">
      <form className="form" onSubmit={handleSubmit(onSubmit)} noValidate aria-label="Add a server">
        <label className="field">
          <span>Name</span>
          <input data-testid="connection-name" data-autofocus autoComplete="off" spellCheck={false} aria-invalid={!!e.name} {...register("name")} />
          <FieldError message={e.name?.message} />
        </label>
        <label className="field">
          <span>Endpoint URL</span>
          <input
            data-testid="connection-endpoint"
            type="url"
            placeholder="https://cognito.example.com"
            autoComplete="off"
            spellCheck={false}
            aria-invalid={!!e.endpoint}
            aria-describedby={hintId}
            {...register("endpoint")}
          />
          <span className="muted small-text" id={hintId}>
            The address <code>pooldesk serve</code> prints on the server.
          </span>
          <FieldError message={e.endpoint?.message} />
        </label>
        <label className="field">
          <span>Region</span>
          <input data-testid="connection-region" autoComplete="off" spellCheck={false} aria-invalid={!!e.region} {...register("region")} />
          <FieldError message={e.region?.message} />
        </label>
        <label className="field">
          <span>Access key id</span>
          <input
            data-testid="connection-access-key-id"
            autoComplete="off"
            spellCheck={false}
            aria-invalid={!!e.accessKeyId}
            {...register("accessKeyId")}
          />
          <FieldError message={e.accessKeyId?.message} />
        </label>
        <label className="field">
          <span>Secret access key</span>
          <input
            data-testid="connection-secret"
            type="password"
            autoComplete="off"
            spellCheck={false}
            aria-invalid={!!e.secretAccessKey}
            {...register("secretAccessKey")}
          />
          <FieldError message={e.secretAccessKey?.message} />
        </label>
        <label className="check">
          <input type="checkbox" data-testid="connection-replace" {...register("replace")} /> Replace an existing connection
          with this name
        </label>
        <ConnectionErrorBox error={error} testId="connection-error" />
        <div className="dialog-actions">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="primary" data-testid="connection-submit" disabled={formState.isSubmitting}>
            {formState.isSubmitting ? (
              <>
                <Spinner label="Testing the server" /> Testing…
              </>
            ) : (
              "Test and add"
            )}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
