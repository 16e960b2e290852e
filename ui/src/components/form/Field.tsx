// Form fields that wrap react-hook-form: each renders its label, an optional hint and the
// field's error, wires aria-invalid / aria-describedby, and sets data-testid to the field name
// unless given one. They read the form from <FormProvider> (useFormContext).
import { useId, type InputHTMLAttributes, type ReactNode, type SelectHTMLAttributes } from "react";
import { get, useFormContext, type FieldValues, type Path, type RegisterOptions } from "react-hook-form";
import { FieldError } from "../bits";

interface BaseProps<T extends FieldValues> {
  name: Path<T>;
  label: ReactNode;
  hint?: ReactNode;
  /** Defaults to the field name. */
  testId?: string;
  /** Extra classes on the field's wrapper, e.g. "narrow" or "grow". */
  className?: string;
  /** Focused when its dialog opens. */
  autoFocus?: boolean;
  /** data-testid of the field's error message. */
  errorTestId?: string;
  /** Extra attributes on the field's wrapper, e.g. `{ "data-required": "true" }`. */
  frameAttributes?: Record<string, string | undefined>;
}

/** The error message of a (possibly nested) field, and the ids that describe the control. */
function useFieldState<T extends FieldValues>(name: Path<T>, hint: ReactNode) {
  const { formState } = useFormContext<T>();
  const id = useId();
  const error = (get(formState.errors, name) as { message?: string } | undefined)?.message;
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const describedBy = [hintId, errorId].filter(Boolean).join(" ") || undefined;
  return { id, error, hintId, errorId, a11y: { id, "aria-invalid": !!error, "aria-describedby": describedBy } };
}

/** Label, control, hint, error: only the label names the control; hint and error describe it. */
function FieldFrame({
  controlId,
  label,
  hint,
  hintId,
  error,
  errorId,
  errorTestId,
  className,
  attributes,
  children,
}: {
  controlId: string;
  label: ReactNode;
  hint?: ReactNode;
  hintId?: string;
  error?: string;
  errorId?: string;
  errorTestId?: string;
  className?: string;
  attributes?: Record<string, string | undefined>;
  children: ReactNode;
}) {
  return (
    <div className={className ? `field ${className}` : "field"} {...attributes}>
      <label htmlFor={controlId}>{label}</label>
      {children}
      {hint && (
        <span className="field-hint" id={hintId}>
          {hint}
        </span>
      )}
      <FieldError id={errorId} message={error} testId={errorTestId} />
    </div>
  );
}

type TextInputProps = Omit<InputHTMLAttributes<HTMLInputElement>, "name" | "type" | "autoFocus"> & {
  type?: "text" | "email" | "url" | "password" | "tel" | "search";
};

export function TextField<T extends FieldValues>({
  name,
  label,
  hint,
  testId,
  errorTestId,
  frameAttributes,
  className,
  autoFocus,
  type = "text",
  ...input
}: BaseProps<T> & TextInputProps) {
  const { register } = useFormContext<T>();
  const f = useFieldState<T>(name, hint);
  return (
    <FieldFrame controlId={f.id} label={label} hint={hint} hintId={f.hintId} error={f.error} errorId={f.errorId} errorTestId={errorTestId} attributes={frameAttributes} className={className}>
      <input type={type} data-testid={testId ?? name} data-autofocus={autoFocus || undefined} {...f.a11y} {...input} {...register(name)} />
    </FieldFrame>
  );
}

export function TextAreaField<T extends FieldValues>({
  name,
  label,
  hint,
  testId,
  errorTestId,
  frameAttributes,
  className,
  rows = 2,
  spellCheck,
  placeholder,
}: BaseProps<T> & { rows?: number; spellCheck?: boolean; placeholder?: string }) {
  const { register } = useFormContext<T>();
  const f = useFieldState<T>(name, hint);
  return (
    <FieldFrame controlId={f.id} label={label} hint={hint} hintId={f.hintId} error={f.error} errorId={f.errorId} errorTestId={errorTestId} attributes={frameAttributes} className={className}>
      <textarea rows={rows} data-testid={testId ?? name} spellCheck={spellCheck} placeholder={placeholder} {...f.a11y} {...register(name)} />
    </FieldFrame>
  );
}

/** A number box whose value reaches the form as a number (NaN when empty: the schema says why). */
export function NumberField<T extends FieldValues>({
  name,
  label,
  hint,
  testId,
  errorTestId,
  frameAttributes,
  className = "narrow",
  autoFocus,
  min,
  max,
}: BaseProps<T> & { min?: number; max?: number }) {
  const { register } = useFormContext<T>();
  const f = useFieldState<T>(name, hint);
  return (
    <FieldFrame controlId={f.id} label={label} hint={hint} hintId={f.hintId} error={f.error} errorId={f.errorId} errorTestId={errorTestId} attributes={frameAttributes} className={className}>
      <input
        type="number"
        min={min}
        max={max}
        data-testid={testId ?? name}
        data-autofocus={autoFocus || undefined}
        {...f.a11y}
        {...register(name, { valueAsNumber: true } as RegisterOptions<T, Path<T>>)}
      />
    </FieldFrame>
  );
}

export interface Option {
  value: string;
  label: string;
}

export function SelectField<T extends FieldValues>({
  name,
  label,
  hint,
  testId,
  errorTestId,
  frameAttributes,
  className,
  autoFocus,
  options,
  ...select
}: BaseProps<T> & { options: readonly Option[] } & Omit<SelectHTMLAttributes<HTMLSelectElement>, "name" | "autoFocus">) {
  const { register } = useFormContext<T>();
  const f = useFieldState<T>(name, hint);
  return (
    <FieldFrame controlId={f.id} label={label} hint={hint} hintId={f.hintId} error={f.error} errorId={f.errorId} errorTestId={errorTestId} attributes={frameAttributes} className={className}>
      <select data-testid={testId ?? name} data-autofocus={autoFocus || undefined} {...f.a11y} {...select} {...register(name)}>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </FieldFrame>
  );
}

/**
 * A checkbox with its label after it. With `value`, several checkboxes of one name make an
 * array of the ticked values (give each its own testId). A `disabled` box cannot be ticked and
 * adds nothing to the array; say why in its hint. With `groupError` the box leaves the error to
 * its group, which shows it once.
 */
export function CheckboxField<T extends FieldValues>({
  name,
  label,
  hint,
  testId,
  className,
  value,
  disabled,
  groupError,
}: Omit<BaseProps<T>, "autoFocus"> & { value?: string; disabled?: boolean; groupError?: boolean }) {
  const { register } = useFormContext<T>();
  const f = useFieldState<T>(name, hint);
  return (
    <span className={className ? `check-field ${className}` : "check-field"}>
      <label className="check">
        <input type="checkbox" value={value} disabled={disabled} data-testid={testId ?? name} {...f.a11y} {...(groupError ? { "aria-describedby": f.hintId } : {})} {...register(name)} /> {label}
      </label>
      {hint && (
        <span className="field-hint" id={f.hintId}>
          {hint}
        </span>
      )}
      {!groupError && <FieldError id={f.errorId} message={f.error} />}
    </span>
  );
}
