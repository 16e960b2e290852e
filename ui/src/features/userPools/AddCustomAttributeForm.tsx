import { FormProvider, useForm } from "react-hook-form";
import { zodResolver } from "@hookform/resolvers/zod";
import { z } from "zod";
import { useQueryClient } from "@tanstack/react-query";
import { useApi } from "../../api/connection";
import { useToast } from "../../components/Toast";
import { ErrorBox, Spinner } from "../../components/bits";
import { CheckboxField, SelectField, TextField, useSubmitError } from "../../components/form";
import { customAttributeSchema, customToSchema } from "./createPoolForm";

type V = z.input<typeof customAttributeSchema>;
const EMPTY: V = { name: "", type: "String", mutable: true, min: "", max: "" };
const TYPES = ["String", "Number", "DateTime", "Boolean"].map((t) => ({ value: t, label: t }));

/** AddCustomAttributes on an existing pool: custom attributes can be added, never changed or removed. */
export function AddCustomAttributeForm({ poolId }: { poolId: string }) {
  const api = useApi();
  const qc = useQueryClient();
  const toast = useToast();
  const submit = useSubmitError();
  const form = useForm<V, unknown, z.output<typeof customAttributeSchema>>({
    resolver: zodResolver(customAttributeSchema),
    defaultValues: EMPTY,
  });

  const onAdd = async (v: z.output<typeof customAttributeSchema>) => {
    try {
      await api.idp("AddCustomAttributes", { UserPoolId: poolId, CustomAttributes: [customToSchema(v)] });
    } catch (e) {
      submit.setError(e);
      return;
    }
    toast.ok(`Added custom:${v.name}`);
    form.reset(EMPTY);
    await qc.invalidateQueries({ queryKey: [api.connection, "DescribeUserPool", poolId] });
  };

  return (
    <FormProvider {...form}>
      <form
        className="card subsection"
        onSubmit={submit.clearingFirst(form.handleSubmit(onAdd))}
        noValidate
        aria-labelledby="add-attribute-title"
      >
        <h3 id="add-attribute-title">Add a custom attribute</h3>
        <p className="muted small-text">Stored as custom:name. Once added it cannot be renamed, changed or removed.</p>
        <div className="row-inline">
          <TextField<V> name="name" label="Name" testId="custom-attr-name" autoComplete="off" spellCheck={false} />
          <SelectField<V> name="type" label="Type" testId="custom-attr-type" options={TYPES} />
          <TextField<V> name="min" label="Min (length / value)" testId="custom-attr-min" inputMode="numeric" className="narrow" />
          <TextField<V> name="max" label="Max (length / value)" testId="custom-attr-max" inputMode="numeric" className="narrow" />
          <CheckboxField<V> name="mutable" label="Mutable" testId="custom-attr-mutable" />
          <button type="submit" data-testid="custom-attr-add" disabled={form.formState.isSubmitting}>
            {form.formState.isSubmitting ? <Spinner label="Adding" /> : null} Add attribute
          </button>
        </div>
        <ErrorBox error={submit.error} testId="custom-attr-error" />
      </form>
    </FormProvider>
  );
}
