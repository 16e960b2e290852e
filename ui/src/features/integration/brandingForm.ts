// The login pages' branding (SetUICustomization): the server's rules for the stylesheet and the
// logo, checked before anything is sent, the request, and the sign-in page the preview renders.
import { z } from "zod";
import type { SetUICustomizationRequest, UICustomizationType } from "../../generated/cognito-idp";
import { CUSTOMIZABLE_SELECTORS, FORBIDDEN_IN_CSS } from "../../generated/rules";

// The server's own lists (crates/core/src/user_pools/branding.rs), generated.
export { CUSTOMIZABLE_SELECTORS, FORBIDDEN_IN_CSS } from "../../generated/rules";

/** The largest logo the server takes, in bytes. */
export const MAX_LOGO_BYTES = 100 * 1024;

/** `ALL` is the pool's branding, for every client without its own. */
export const ALL_CLIENTS = "ALL";

/** The CSS without its comments, or why it cannot be read (a comment left open). */
export function stripCssComments(css: string): { css: string } | { error: string } {
  let out = "";
  let rest = css;
  for (let start = rest.indexOf("/*"); start >= 0; start = rest.indexOf("/*")) {
    out += rest.slice(0, start);
    const end = rest.indexOf("*/", start + 2);
    if (end < 0) return { error: "A comment is not closed (/* without */)" };
    rest = rest.slice(end + 2);
  }
  return { css: out + rest };
}

/**
 * Why the server would refuse this stylesheet, or undefined: rules of `selector, … { … }` whose
 * selectors are all customizable classes, one level of braces, and declarations without
 * `url(`, `@`, `expression(`, `\`, `<` or `javascript:`. Comments are allowed anywhere.
 */
export function cssError(css: string): string | undefined {
  const stripped = stripCssComments(css);
  if ("error" in stripped) return stripped.error;
  let rest = stripped.css;
  for (;;) {
    rest = rest.trimStart();
    if (rest === "") return undefined;
    const open = rest.indexOf("{");
    if (open < 0) {
      const start = rest.split(/\s/, 1)[0]!;
      if (start.startsWith("@")) return `At-rules such as ${start} are not allowed; only rules for the customizable classes`;
      if (rest.includes("}")) return "A } closes no rule (are the braces balanced?)";
      return `"${rest.trim().slice(0, 40)}" is not a rule: a rule is .class-customizable { property: value; }`;
    }
    const close = rest.indexOf("}", open);
    if (close < 0) return "A rule has no closing } (are the braces balanced?)";
    const body = rest.slice(open + 1, close);
    if (body.includes("{")) return "Nested rules and at-rules are not allowed: one { … } per rule";
    for (const selector of rest.slice(0, open).split(",").map((s) => s.trim())) {
      if (selector.includes("}")) return "A } closes no rule (are the braces balanced?)";
      if (selector.startsWith("@")) return `At-rules such as ${selector.split(/\s/, 1)[0]} are not allowed; only rules for the customizable classes`;
      if (!(CUSTOMIZABLE_SELECTORS as readonly string[]).includes(selector)) {
        return `${selector === "" ? "An empty selector" : `"${selector}"`} is not allowed: only the customizable classes, such as .banner-customizable or .submitButton-customizable:hover`;
      }
    }
    const lower = body.toLowerCase();
    const bad = FORBIDDEN_IN_CSS.find((t) => lower.includes(t));
    if (bad) return `"${bad}" is not allowed in the CSS (nothing may be loaded from elsewhere)`;
    rest = rest.slice(close + 1);
  }
}

export type LogoType = "image/png" | "image/jpeg";

/** What a logo is, by its first bytes: PNG (89 50 4E 47 0D 0A 1A 0A) or JPEG (FF D8 FF). */
export function logoType(bytes: Uint8Array): LogoType | undefined {
  const starts = (magic: number[]) => magic.every((b, i) => bytes[i] === b);
  if (starts([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return "image/png";
  if (starts([0xff, 0xd8, 0xff])) return "image/jpeg";
  return undefined;
}

const kb = (n: number) => `${Math.ceil(n / 1024)} KB`;

/** Why the server would refuse this logo, or undefined. */
export function logoError(bytes: Uint8Array): string | undefined {
  if (!logoType(bytes)) return "The logo must be a PNG or JPEG image";
  if (bytes.length > MAX_LOGO_BYTES) return `The logo must be at most 100 KB; this file is ${kb(bytes.length)}`;
  return undefined;
}

export function bytesToBase64(bytes: Uint8Array): string {
  let binary = "";
  const CHUNK = 0x8000;
  for (let i = 0; i < bytes.length; i += CHUNK) binary += String.fromCharCode(...bytes.subarray(i, i + CHUNK));
  return btoa(binary);
}

/** A logo chosen in the form: its bytes as base64 (what ImageFile carries) and as a data: URL. */
export interface ChosenLogo {
  name: string;
  size: number;
  type: LogoType;
  base64: string;
}

/** A chosen file's bytes as a logo, or why it cannot be one. */
export function logoFromBytes(name: string, bytes: Uint8Array): { logo: ChosenLogo } | { error: string } {
  const error = logoError(bytes);
  if (error) return { error };
  return { logo: { name, size: bytes.length, type: logoType(bytes)!, base64: bytesToBase64(bytes) } };
}

export const logoDataUrl = (logo: ChosenLogo) => `data:${logo.type};base64,${logo.base64}`;

export const brandingSchema = z
  .object({ css: z.string() })
  .superRefine((v, ctx) => {
    const message = cssError(v.css);
    if (message) ctx.addIssue({ code: "custom", path: ["css"], message });
  });

export type BrandingFormValues = z.infer<typeof brandingSchema>;

/** SetUICustomization replaces both the CSS and the logo of the (pool, client). */
export function toSetUICustomizationInput(poolId: string, scope: string, css: string, logo: ChosenLogo | null): SetUICustomizationRequest {
  return {
    UserPoolId: poolId,
    ClientId: scope,
    ...(css.trim() ? { CSS: css } : {}),
    ...(logo ? { ImageFile: logo.base64 } : {}),
  };
}

/** What GetUICustomization answered, for the scope asked about. */
export type SavedBranding =
  | { kind: "none" }
  | { kind: "own"; css?: string; logo: boolean; modified?: number }
  | { kind: "inherited"; css?: string; logo: boolean; modified?: number };

export function savedBranding(c: UICustomizationType | undefined, scope: string): SavedBranding {
  if (!c || (c.CSS === undefined && !c.ImageUrl && c.LastModifiedDate === undefined)) return { kind: "none" };
  const what = { css: c.CSS, logo: !!c.ImageUrl, modified: c.LastModifiedDate };
  return scope !== ALL_CLIENTS && c.ClientId === ALL_CLIENTS ? { kind: "inherited", ...what } : { kind: "own", ...what };
}

const escapeHtml = (s: string) => s.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/**
 * The sign-in page's markup as the server renders it, with the logo when there is one, for
 * the preview's shadow root: its `.preview-body` stands for the page's `<body>`.
 */
export function previewMarkup(logoUrl?: string): string {
  const banner = logoUrl ? `<div class="banner-customizable"><img class="logo-customizable" src="${escapeHtml(logoUrl)}" alt="Logo"></div>` : "";
  return (
    `<div class="preview-body background-customizable"><main>${banner}<h1>Sign in</h1>` +
    `<form><label class="label-customizable">Username</label><input class="inputField-customizable" type="text">` +
    `<label class="label-customizable">Password</label><input class="inputField-customizable" type="password">` +
    `<button class="submitButton-customizable" type="button">Sign in</button></form>` +
    `<p class="links redirect-customizable"><a>Forgot your password?</a></p></main></div>`
  );
}

/**
 * The login pages' stylesheet aimed at the preview's shadow root instead of a whole page:
 * `:root` is the shadow host, `body` the `.preview-body` stand-in, at the preview's height.
 */
export function previewBaseCss(baseCss: string): string {
  const aimed = baseCss.replace(/:root\b/g, ":host").replace(/(^|[\s,}])body\b/g, "$1.preview-body");
  return `${aimed}\n.preview-body { min-height: 26rem; }`;
}
