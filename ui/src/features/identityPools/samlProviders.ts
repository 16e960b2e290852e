// IAM's SAML providers as the identity pool screens use them: their names, what IAM takes as
// a name and a metadata document, and the registry of the current connection.
import { useQuery } from "@tanstack/react-query";
import { useApi } from "../../api/connection";

/** IAM's rule for a SAML provider's name: `[\w._-]+`, 1 to 128 characters. */
export const SAML_PROVIDER_NAME = { pattern: /^[\w.-]+$/, maxLength: 128, hint: "Letters, digits and . _ - only" } as const;
/** IAM's bounds on SAMLMetadataDocument. */
export const SAML_METADATA_DOCUMENT = { minLength: 1000, maxLength: 10_000_000 } as const;

export function samlProviderNameError(name: string): string | undefined {
  if (name === "") return "Name is required";
  if (name.length > SAML_PROVIDER_NAME.maxLength) return `At most ${SAML_PROVIDER_NAME.maxLength} characters`;
  if (!SAML_PROVIDER_NAME.pattern.test(name)) return SAML_PROVIDER_NAME.hint;
  return undefined;
}

export function samlMetadataError(xml: string): string | undefined {
  if (xml === "") return "Paste the identity provider's metadata XML or choose its file";
  if (xml.length < SAML_METADATA_DOCUMENT.minLength)
    return `At least ${SAML_METADATA_DOCUMENT.minLength.toLocaleString("en-US")} characters: the whole metadata document, with its signing certificate`;
  if (xml.length > SAML_METADATA_DOCUMENT.maxLength) return `At most ${SAML_METADATA_DOCUMENT.maxLength.toLocaleString("en-US")} characters`;
  if (!xml.trimStart().startsWith("<")) return "Not XML: the metadata is an <EntityDescriptor> document";
  return undefined;
}

/** `arn:aws:iam::<account>:saml-provider/<Name>` → `<Name>` (the ARN itself when it is not one). */
export function samlProviderNameOf(arn: string): string {
  const i = arn.indexOf(":saml-provider/");
  return i >= 0 ? arn.slice(i + ":saml-provider/".length) : arn;
}

export const samlProvidersKey = (connection: string) => [connection, "ListSAMLProviders"] as const;

/** The SAML providers registered on this connection (IAM's ListSAMLProviders: one page, all of them). */
export function useSamlProviders() {
  const api = useApi();
  return useQuery({
    queryKey: samlProvidersKey(api.connection),
    queryFn: () => api.iam("ListSAMLProviders", {}),
    select: (r) => r.SAMLProviderList ?? [],
  });
}
