import { useEffect, useRef } from "react";
import { FormProvider, set, useFieldArray, useForm, useFormContext, useWatch, type FieldErrors, type Resolver } from "react-hook-form";
import { useQuery } from "@tanstack/react-query";
import { useApi } from "../../api/connection";
import { ErrorBox, FieldError, Spinner } from "../../components/bits";
import { CheckboxField, SelectField, TextField, useSubmitError, type Option } from "../../components/form";
import { useUserPools } from "../userPools/queries";
import { validateIdentityPoolForm, type IdentityPoolFormValues } from "./identityPoolForm";
import { OtherProvidersFields } from "./OtherProvidersFields";

type V = IdentityPoolFormValues;

/** Errors of a whole list, not of one of its rows. */
const LIST_FIELDS = new Set(["providers", "loginProviders"]);

/** The form's own rules (shared with the wire mapping), as react-hook-form errors. */
function identityPoolResolver(developerNameSet: boolean): Resolver<V> {
  return async (values) => {
    const e = validateIdentityPoolForm(values, { developerNameSet });
    const errors: FieldErrors<V> = {};
    for (const [path, message] of Object.entries(e)) {
      set(errors, LIST_FIELDS.has(path) ? `${path}.root` : path, { type: "validate", message });
    }
    return Object.keys(e).length ? { values: {}, errors } : { values, errors: {} };
  };
}

export function IdentityPoolForm({
  initial,
  submitLabel,
  onSubmit,
  onCancel,
}: {
  initial: IdentityPoolFormValues;
  submitLabel: string;
  onSubmit: (v: IdentityPoolFormValues) => Promise<void>;
  onCancel?: () => void;
}) {
  const submit = useSubmitError();
  const developerNameSet = initial.developerProviderName !== "";
  const form = useForm<V>({ defaultValues: initial, resolver: identityPoolResolver(developerNameSet) });
  const providers = useFieldArray({ control: form.control, name: "providers" });
  const pools = useUserPools();
  const poolOptions: Option[] = [
    { value: "", label: "— none —" },
    ...(pools.data?.pages.flatMap((p) => p.UserPools ?? []) ?? []).map((p) => ({ value: p.Id!, label: `${p.Name ?? p.Id} (${p.Id})` })),
  ];

  const onValid = async (v: V) => {
    try {
      await onSubmit(v);
    } catch (err) {
      submit.setError(err);
    }
  };

  return (
    <FormProvider {...form}>
      <form className="form" noValidate onSubmit={submit.clearingFirst(form.handleSubmit(onValid))}>
        <TextField<V> name="name" label="Identity pool name" testId="identity-pool-name" autoFocus autoComplete="off" />
        <CheckboxField<V> name="allowUnauthenticated" label="Allow guest (unauthenticated) identities" testId="identity-pool-allow-unauth" />
        <CheckboxField<V> name="allowClassicFlow" label="Allow the classic (basic) flow" testId="identity-pool-classic-flow" />
        <fieldset>
          <legend>User pools that can sign in</legend>
          {/* The pickers are uncontrolled selects: they appear once their options are known. */}
          {pools.isPending && <Spinner label="Loading user pools" />}
          {!pools.isPending && providers.fields.map((f, i) => (
            <ProviderRowEditor key={f.id} index={i} poolOptions={poolOptions} onRemove={() => providers.remove(i)} />
          ))}
          <button
            type="button"
            className="small"
            onClick={() => providers.append({ poolId: "", clientId: "", serverSideTokenCheck: false })}
          >
            Link another user pool
          </button>
          <FieldError message={form.formState.errors.providers?.root?.message} />
        </fieldset>
        <OtherProvidersFields developerNameSet={developerNameSet} />
        <ErrorBox error={submit.error} testId="identity-pool-error" />
        <div className="dialog-actions">
          {onCancel && (
            <button type="button" onClick={onCancel}>
              Cancel
            </button>
          )}
          <button type="submit" className="primary" data-testid="identity-pool-submit" disabled={form.formState.isSubmitting}>
            {form.formState.isSubmitting ? <Spinner label="Saving" /> : null} {submitLabel}
          </button>
        </div>
      </form>
    </FormProvider>
  );
}

function ProviderRowEditor({ index, poolOptions, onRemove }: { index: number; poolOptions: Option[]; onRemove: () => void }) {
  const api = useApi();
  const { setValue, getValues } = useFormContext<V>();
  const poolId = useWatch<V, `providers.${number}.poolId`>({ name: `providers.${index}.poolId` });
  const providerName = getValues(`providers.${index}.providerName`);
  const clients = useQuery({
    queryKey: [api.connection, "ListUserPoolClients", poolId, "picker"],
    queryFn: () => api.idp("ListUserPoolClients", { UserPoolId: poolId, MaxResults: 60 }),
    enabled: !!poolId,
  });
  const clientList = clients.data?.UserPoolClients ?? [];
  const clientOptions: Option[] = [
    { value: "", label: "— none —" },
    ...clientList.map((c) => ({ value: c.ClientId!, label: `${c.ClientName} (${c.ClientId})` })),
  ];

  // Another pool drops the old pool's client; a pool without a chosen client gets its first one.
  const firstClient = clientList[0]?.ClientId;
  const shownPool = useRef(poolId);
  useEffect(() => {
    const clientPath = `providers.${index}.clientId` as const;
    const poolChanged = shownPool.current !== poolId;
    shownPool.current = poolId;
    if (poolChanged) setValue(clientPath, "");
    const current = poolChanged ? "" : getValues(clientPath);
    if (poolId && !current && firstClient) setValue(clientPath, firstClient);
  }, [poolId, firstClient, index, setValue, getValues]);

  const n = index + 1;
  return (
    <div className="row-inline provider-row" role="group" aria-label={`Linked user pool ${n}`}>
      {providerName ? (
        <span className="mono">{providerName}</span>
      ) : (
        <SelectField<V>
          name={`providers.${index}.poolId`}
          label="User pool"
          aria-label={`User pool ${n}`}
          testId="identity-pool-provider-pool"
          options={poolOptions}
          className="inline"
        />
      )}
      {poolId && clients.isPending && <Spinner label="Loading app clients" />}
      {poolId && !clients.isPending && (
        <SelectField<V>
          name={`providers.${index}.clientId`}
          label="App client"
          aria-label={`App client of user pool ${n}`}
          testId="identity-pool-provider-client"
          options={clientOptions}
          className="inline"
        />
      )}
      <CheckboxField<V> name={`providers.${index}.serverSideTokenCheck`} label="Server-side token check" testId="identity-pool-token-check" />
      <button type="button" className="small" aria-label={`Unlink user pool ${n}`} onClick={onRemove}>
        Unlink
      </button>
    </div>
  );
}
