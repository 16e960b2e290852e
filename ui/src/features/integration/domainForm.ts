// A user pool's domain: the server's rules for prefix and custom domains, the create/edit form,
// and where the pages of a domain are served.
import { z } from "zod";
import type {
  CreateUserPoolDomainRequest,
  DomainDescriptionType,
  UpdateUserPoolDomainRequest,
} from "../../generated/cognito-idp";

export type DomainKind = "prefix" | "custom";

/** One DNS label: what a prefix domain is, and each label of a custom domain. */
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
export const RESERVED_WORDS = ["aws", "amazon", "cognito"] as const;
/** An ACM certificate: arn:aws:acm:<region>:<12-digit account>:certificate/<id>. */
const CERTIFICATE_ARN = /^arn:aws(?:-[a-z]+)*:acm:[a-z]{2}(?:-[a-z]+)+-\d+:\d{12}:certificate\/[A-Za-z0-9-]+$/;

/** Why a prefix domain is refused (as the server words it where it can), or undefined. */
export function prefixDomainError(prefix: string): string | undefined {
  if (prefix === "") return "Enter a domain prefix";
  if (prefix.length > 63) return "At most 63 characters";
  if (!LABEL.test(prefix)) return "Lowercase letters, digits and hyphens only, not starting or ending with a hyphen";
  const reserved = RESERVED_WORDS.find((w) => prefix.includes(w));
  if (reserved) return `Domain cannot contain reserved word: ${reserved}`;
  return undefined;
}

/** Why a custom domain (a host name such as auth.example.com) is refused, or undefined. */
export function customDomainError(domain: string): string | undefined {
  if (domain === "") return "Enter a host name, such as auth.example.com";
  if (domain.length > 253) return "At most 253 characters";
  const labels = domain.split(".");
  if (labels.length < 2) return "A host name with at least one dot, such as auth.example.com";
  if (labels.some((l) => !LABEL.test(l))) return "Lowercase letters, digits and hyphens between dots, such as auth.example.com";
  return undefined;
}

export function certificateArnError(arn: string): string | undefined {
  if (arn === "") return "A custom domain needs its certificate's ARN";
  if (!CERTIFICATE_ARN.test(arn)) return "An ACM certificate ARN: arn:aws:acm:<region>:<12-digit account>:certificate/<id>";
  return undefined;
}

/** A prefix is one label, a custom domain has dots: how DescribeUserPool's answer is told apart. */
export const kindOf = (domain: string): DomainKind => (domain.includes(".") ? "custom" : "prefix");

export const MANAGED_LOGIN_VERSIONS = [
  { value: "2", label: "Managed login (version 2)" },
  { value: "1", label: "Classic hosted UI (version 1)" },
] as const;

export function managedLoginText(version: number | undefined): string {
  if (version === 2) return "Managed login (2)";
  if (version === 1) return "Classic hosted UI (1)";
  return "—";
}

export const domainSchema = z
  .object({
    kind: z.enum(["prefix", "custom"]),
    prefix: z.string(),
    customDomain: z.string(),
    certificateArn: z.string(),
    managedLoginVersion: z.enum(["1", "2"]),
  })
  .superRefine((v, ctx) => {
    const issue = (path: string, message: string | undefined) => message && ctx.addIssue({ code: "custom", path: [path], message });
    if (v.kind === "prefix") issue("prefix", prefixDomainError(v.prefix.trim()));
    else {
      issue("customDomain", customDomainError(v.customDomain.trim()));
      issue("certificateArn", certificateArnError(v.certificateArn.trim()));
    }
  });

export type DomainFormValues = z.infer<typeof domainSchema>;

export function newDomainForm(kind: DomainKind): DomainFormValues {
  return { kind, prefix: "", customDomain: "", certificateArn: "", managedLoginVersion: "2" };
}

/** The form for editing an existing domain: its name is fixed, version and certificate change. */
export function formFromDomain(d: DomainDescriptionType, domain: string): DomainFormValues {
  const kind = kindOf(domain);
  return {
    kind,
    prefix: kind === "prefix" ? domain : "",
    customDomain: kind === "custom" ? domain : "",
    certificateArn: d.CustomDomainConfig?.CertificateArn ?? "",
    managedLoginVersion: d.ManagedLoginVersion === 1 ? "1" : "2",
  };
}

export const domainOf = (v: DomainFormValues) => (v.kind === "prefix" ? v.prefix : v.customDomain).trim();

export function toCreateDomainInput(poolId: string, v: DomainFormValues): CreateUserPoolDomainRequest {
  return {
    Domain: domainOf(v),
    UserPoolId: poolId,
    ManagedLoginVersion: Number(v.managedLoginVersion),
    ...(v.kind === "custom" ? { CustomDomainConfig: { CertificateArn: v.certificateArn.trim() } } : {}),
  };
}

export function toUpdateDomainInput(poolId: string, v: DomainFormValues): UpdateUserPoolDomainRequest {
  return toCreateDomainInput(poolId, v);
}

/**
 * Where a domain's pages are served: `<endpoint>/domains/<domain>`, or undefined when the
 * connection's endpoint is not known (This computer while not serving).
 */
export function domainBaseUrl(endpoint: string | undefined, domain: string): string | undefined {
  if (!endpoint) return undefined;
  return `${endpoint.replace(/\/+$/, "")}/domains/${domain}`;
}
