import { useFormContext, useWatch, type FieldValues, type Path } from "react-hook-form";
import { CheckboxField, SelectField } from "../../components/form/Field";
import { MFA_MODES, type MfaValues } from "./mfa";

/** The MFA choice for a form holding `MfaValues` under `prefix` (see mfaSchema). */
export function MfaFields<T extends FieldValues>({ prefix = "mfa", legend }: { prefix?: string; legend: string }) {
  const at = (k: keyof MfaValues) => `${prefix}.${k}` as Path<T>;
  const { control } = useFormContext<T>();
  const mode = useWatch({ control, name: at("mode") });
  return (
    <fieldset data-testid="mfa-fields">
      <legend>{legend}</legend>
      <SelectField<T> name={at("mode")} label="Multi-factor authentication" options={MFA_MODES} testId="mfa-mode" className="fit" />
      {mode !== "OFF" && (
        <div className="checks" role="group" aria-label="Ways to send sign-in codes">
          <span className="group-label">Codes come from:</span>
          <CheckboxField<T> name={at("totp")} label="Authenticator app (TOTP)" testId="mfa-totp" />
          <CheckboxField<T> name={at("sms")} label="SMS text message" testId="mfa-sms" />
          <CheckboxField<T> name={at("email")} label="E-mail message" testId="mfa-email" />
        </div>
      )}
    </fieldset>
  );
}
