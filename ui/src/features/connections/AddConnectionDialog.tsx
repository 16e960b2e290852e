import { FormProvider, useForm } from "react-hook-form";
import { zodResolver } from "@hookform/resolvers/zod";
import { useQueryClient } from "@tanstack/react-query";
import { connectionAdd, type ConnectionCheck } from "../../api/tauri";
import { Dialog } from "../../components/Dialog";
import { useToast } from "../../components/Toast";
import { Spinner } from "../../components/bits";
import { CheckboxField, TextField, useSubmitError } from "../../components/form";
import { ConnectionErrorBox } from "./ConnectionErrorBox";
import {
  addedMessage,
  connectionDefaults,
  connectionSchema,
  toNewConnection,
  type ConnectionPrefill,
  type ConnectionValues,
} from "./connectionForm";

type V = ConnectionValues;

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
  const submit = useSubmitError();
  const form = useForm<V>({
    resolver: zodResolver(connectionSchema),
    defaultValues: { ...connectionDefaults, ...prefill },
  });
  const { handleSubmit, setValue, formState } = form;

  const onSubmit = async (v: ConnectionValues) => {
    let check: ConnectionCheck;
    try {
      check = await connectionAdd(toNewConnection(v));
    } catch (err) {
      submit.setError(err);
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
      <FormProvider {...form}>
        <form className="form" onSubmit={submit.clearingFirst(handleSubmit(onSubmit))} noValidate aria-label="Add a server">
          <TextField<V> name="name" label="Name" testId="connection-name" autoFocus autoComplete="off" spellCheck={false} />
          <TextField<V>
            name="endpoint"
            label="Endpoint URL"
            testId="connection-endpoint"
            type="url"
            placeholder="https://cognito.example.com"
            autoComplete="off"
            spellCheck={false}
            hint={
              <>
                The address <code>pooldesk serve</code> prints on the server.
              </>
            }
          />
          <TextField<V> name="region" label="Region" testId="connection-region" autoComplete="off" spellCheck={false} />
          <TextField<V> name="accessKeyId" label="Access key id" testId="connection-access-key-id" autoComplete="off" spellCheck={false} />
          <TextField<V>
            name="secretAccessKey"
            label="Secret access key"
            testId="connection-secret"
            type="password"
            autoComplete="off"
            spellCheck={false}
          />
          <CheckboxField<V> name="replace" label="Replace an existing connection with this name" testId="connection-replace" />
          <ConnectionErrorBox error={submit.error} testId="connection-error" />
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
      </FormProvider>
    </Dialog>
  );
}
