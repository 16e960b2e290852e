import type { FieldValues, Path } from "react-hook-form";
import { CheckboxField, NumberField } from "./Field";
import type { PasswordPolicyValues } from "./passwordPolicy";

/**
 * The password policy as a field set, for a form whose values hold `PasswordPolicyValues` under
 * `prefix` (see passwordPolicySchema).
 */
export function PasswordPolicyFields<T extends FieldValues>({
  prefix = "passwordPolicy",
  legend = "Password policy",
}: {
  prefix?: string;
  legend?: string;
}) {
  const at = (k: keyof PasswordPolicyValues) => `${prefix}.${k}` as Path<T>;
  return (
    <fieldset data-testid="password-policy">
      <legend>{legend}</legend>
      <NumberField<T> name={at("minLength")} label="Minimum length (6–99)" min={6} max={99} testId="policy-min-length" />
      <div className="checks" role="group" aria-label="Passwords must contain">
        <span className="group-label">Must contain:</span>
        <CheckboxField<T> name={at("requireUppercase")} label="Uppercase letter" testId="policy-uppercase" />
        <CheckboxField<T> name={at("requireLowercase")} label="Lowercase letter" testId="policy-lowercase" />
        <CheckboxField<T> name={at("requireNumbers")} label="Number" testId="policy-numbers" />
        <CheckboxField<T> name={at("requireSymbols")} label="Symbol" testId="policy-symbols" />
      </div>
      <NumberField<T>
        name={at("temporaryPasswordValidityDays")}
        label="Temporary passwords valid for (days)"
        min={0}
        max={365}
        testId="policy-temporary-days"
      />
    </fieldset>
  );
}
