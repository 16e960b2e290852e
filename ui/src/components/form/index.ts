export { CheckboxField, NumberField, SelectField, TextAreaField, TextField, type Option } from "./Field";
export { PasswordPolicyFields } from "./PasswordPolicyFields";
export { useSubmitError } from "./useSubmitError";
