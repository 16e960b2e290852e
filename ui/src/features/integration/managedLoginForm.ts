// Managed login styles (Create/Describe/Update/DeleteManagedLoginBranding): the Settings document
// edited through the colours PoolDesk's login pages honour, or whole as JSON, and the form logo.
import { z } from "zod";
import type {
  AssetExtensionType,
  AssetType,
  CreateManagedLoginBrandingRequest,
  JsonValue,
  ManagedLoginBrandingType,
  UpdateManagedLoginBrandingRequest,
} from "../../generated/cognito-idp";
import { MANAGED_LOGIN_COLOUR_PATHS } from "../../generated/rules";
import { bytesToBase64 } from "./brandingForm";

export type JsonObject = { [key: string]: JsonValue };

/** The largest asset the server takes, in bytes, and how many assets a style may have. */
export const MAX_ASSET_BYTES = 1_000_000;
export const MAX_ASSETS = 40;

export const isObject = (v: JsonValue | undefined): v is JsonObject => typeof v === "object" && v !== null && !Array.isArray(v);

/** The value at `path`, or undefined where the document has no such key. */
export function getPath(doc: JsonValue | undefined, path: readonly string[]): JsonValue | undefined {
  let at: JsonValue | undefined = doc;
  for (const key of path) {
    if (!isObject(at) || !(key in at)) return undefined;
    at = at[key];
  }
  return at;
}

/**
 * A copy of `doc` with `value` at `path` (objects made on the way, anything else there replaced),
 * or without that key when `value` is undefined. Every other key is kept.
 */
export function setPath(doc: JsonValue | undefined, path: readonly string[], value: JsonValue | undefined): JsonObject {
  const base: JsonObject = isObject(doc) ? { ...doc } : {};
  if (path.length === 0) return base;
  const [key, ...rest] = path as [string, ...string[]];
  if (rest.length === 0) {
    if (value === undefined) delete base[key];
    else base[key] = value;
    return base;
  }
  if (value === undefined && !isObject(base[key])) return base;
  base[key] = setPath(base[key], rest, value);
  return base;
}

const HEX6 = /^[0-9a-f]{6}$/;
const HEX8 = /^[0-9a-f]{8}$/;

/** A colour as the Settings want it (RRGGBBAA, lower case), from RRGGBB or RRGGBBAA with or without #. */
export function normaliseColour(text: string): string | undefined {
  const s = text.trim().replace(/^#/, "").toLowerCase();
  if (HEX8.test(s)) return s;
  if (HEX6.test(s)) return `${s}ff`;
  return undefined;
}

/** Why this colour box's text cannot be saved, or undefined (empty means "not set"). */
export function colourError(text: string): string | undefined {
  if (text.trim() === "" || normaliseColour(text)) return undefined;
  return "A colour is 6 or 8 hex digits (RRGGBB or RRGGBBAA), such as 0972d3 or 0972d3ff";
}

/** What an `<input type="color">` shows for the text: #rrggbb, else the fallback's (black without one). */
export function pickerValue(text: string, fallback?: string): string {
  const c = normaliseColour(text) ?? (fallback !== undefined ? normaliseColour(fallback) : undefined);
  return c ? `#${c.slice(0, 6)}` : "#000000";
}

/** The text after picking `picked` (#rrggbb): the picked colour with the text's alpha kept. */
export function pickedColour(text: string, picked: string): string {
  const alpha = normaliseColour(text)?.slice(6) ?? "ff";
  return `${picked.replace(/^#/, "").toLowerCase()}${alpha}`;
}

export type Mode = "light" | "dark";
export const MODES: { mode: Mode; key: string; label: string }[] = [
  { mode: "light", key: "lightMode", label: "Light mode" },
  { mode: "dark", key: "darkMode", label: "Dark mode" },
];

/**
 * The colours PoolDesk's managed login pages render, labelled: `path` is where each sits in
 * Settings ({mode} is lightMode or darkMode), from the server's own list (MANAGED_LOGIN_COLOUR_PATHS).
 */
export const COLOUR_FIELDS = [
  { id: "pageBackground", label: "Page background", path: MANAGED_LOGIN_COLOUR_PATHS[0] },
  { id: "formBackground", label: "Form background", path: MANAGED_LOGIN_COLOUR_PATHS[1] },
  { id: "formBorder", label: "Form border", path: MANAGED_LOGIN_COLOUR_PATHS[2] },
  { id: "buttonBackground", label: "Button background", path: MANAGED_LOGIN_COLOUR_PATHS[3] },
  { id: "buttonText", label: "Button text", path: MANAGED_LOGIN_COLOUR_PATHS[4] },
  { id: "buttonHover", label: "Button background on hover", path: MANAGED_LOGIN_COLOUR_PATHS[5] },
  { id: "heading", label: "Heading text", path: MANAGED_LOGIN_COLOUR_PATHS[6] },
  { id: "body", label: "Body text", path: MANAGED_LOGIN_COLOUR_PATHS[7] },
  { id: "link", label: "Link text", path: MANAGED_LOGIN_COLOUR_PATHS[8] },
  { id: "inputBackground", label: "Input background", path: MANAGED_LOGIN_COLOUR_PATHS[9] },
  { id: "inputBorder", label: "Input border", path: MANAGED_LOGIN_COLOUR_PATHS[10] },
] as const;

export type ColourId = (typeof COLOUR_FIELDS)[number]["id"];

/**
 * What the login pages use for a colour the style leaves unset: Cognito's defaults, which the
 * server puts under every style's settings (managed_login_defaults.json).
 */
export const DEFAULT_COLOURS: Record<Mode, Record<ColourId, string>> = {
  light: {
    pageBackground: "ffffffff",
    formBackground: "ffffffff",
    formBorder: "c6c6cdff",
    buttonBackground: "0972d3ff",
    buttonText: "ffffffff",
    buttonHover: "033160ff",
    heading: "000716ff",
    body: "414d5cff",
    link: "0972d3ff",
    inputBackground: "ffffffff",
    inputBorder: "7d8998ff",
  },
  dark: {
    pageBackground: "0f1b2aff",
    formBackground: "0f1b2aff",
    formBorder: "424650ff",
    buttonBackground: "539fe5ff",
    buttonText: "000716ff",
    buttonHover: "89bdeeff",
    heading: "d1d5dbff",
    body: "b6bec9ff",
    link: "539fe5ff",
    inputBackground: "0f1b2aff",
    inputBorder: "5f6b7aff",
  },
};

/** The CSS custom property login.css reads for each colour, in COLOUR_FIELDS' order (the server's HONOURED). */
export const COLOUR_PROPERTIES: Record<ColourId, string> = {
  pageBackground: "--page-bg",
  formBackground: "--form-bg",
  formBorder: "--form-border",
  buttonBackground: "--button-bg",
  buttonText: "--button-text",
  buttonHover: "--button-hover-bg",
  heading: "--heading",
  body: "--body-text",
  link: "--link",
  inputBackground: "--input-bg",
  inputBorder: "--input-border",
};

export function colourPath(id: ColourId, mode: Mode): string[] {
  const f = COLOUR_FIELDS.find((c) => c.id === id)!;
  const modeKey = mode === "light" ? "lightMode" : "darkMode";
  return f.path.split(".").map((k) => (k === "{mode}" ? modeKey : k));
}

export const SCHEME_PATH = ["categories", "global", "colorSchemeMode"] as const;
export const SCHEMES = [
  { value: "", label: "Not set (light)" },
  { value: "LIGHT", label: "Light" },
  { value: "DARK", label: "Dark" },
  { value: "DYNAMIC", label: "Follow the browser" },
] as const;

/** The mode the pages draw for a scheme: DARK is dark, DYNAMIC the browser's (`dynamic`), anything else light. */
export function schemeMode(scheme: string, dynamic: Mode): Mode {
  return scheme === "DARK" ? "dark" : scheme === "DYNAMIC" ? dynamic : "light";
}

/**
 * The stylesheet the server renders for these colours, for the preview's shadow root (`:host`
 * for the page's `:root`): the scheme's mode, each box's colour as #rrggbbaa, or Cognito's
 * default where the box is empty or not yet a colour. DYNAMIC draws `dynamic`, the mode the
 * preview's Light / Dark toggle picks.
 */
export function previewCss(v: Pick<ManagedLoginFormValues, "scheme" | "colours">, dynamic: Mode = "light"): string {
  const mode = schemeMode(v.scheme, dynamic);
  const declarations = COLOUR_FIELDS.map((f) => {
    const colour = normaliseColour(v.colours[mode][f.id] ?? "") ?? DEFAULT_COLOURS[mode][f.id];
    return ` ${COLOUR_PROPERTIES[f.id]}: #${colour};`;
  }).join("");
  return `:host { color-scheme: ${mode};${declarations} }\n`;
}

/** Whether the pages show the form logo: the settings do not turn it off (components.form.logo.enabled false). */
export function showsFormLogo(doc: JsonObject): boolean {
  return getPath(doc, ["components", "form", "logo", "enabled"]) !== false;
}

/** Why the text is not a Settings document (a JSON object), or undefined. */
export function parseSettings(text: string): { settings: JsonObject } | { error: string } {
  if (text.trim() === "") return { settings: {} };
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    return { error: `Not valid JSON: ${e instanceof Error ? e.message : String(e)}` };
  }
  if (!isObject(v as JsonValue)) return { error: "The settings must be a JSON object ({ … })" };
  return { settings: v as JsonObject };
}

export const showSettings = (doc: JsonObject) => JSON.stringify(doc, null, 2);

const colourBoxes = z.object(Object.fromEntries(COLOUR_FIELDS.map((f) => [f.id, z.string()])) as Record<ColourId, z.ZodString>);

export const managedLoginSchema = z
  .object({
    json: z.string(),
    scheme: z.enum(["", "LIGHT", "DARK", "DYNAMIC"]),
    colours: z.object({ light: colourBoxes, dark: colourBoxes }),
  })
  .superRefine((v, ctx) => {
    const parsed = parseSettings(v.json);
    if ("error" in parsed) ctx.addIssue({ code: "custom", path: ["json"], message: parsed.error });
    for (const { mode } of MODES) {
      for (const f of COLOUR_FIELDS) {
        const message = colourError(v.colours[mode][f.id]);
        if (message) ctx.addIssue({ code: "custom", path: ["colours", mode, f.id], message });
      }
    }
  });

export type ManagedLoginFormValues = z.infer<typeof managedLoginSchema>;

const shown = (v: JsonValue | undefined) => (v === undefined || v === null ? "" : typeof v === "string" ? v : JSON.stringify(v));

/** The colour boxes and the scheme as the document has them. */
export function fieldsFromSettings(doc: JsonObject): Omit<ManagedLoginFormValues, "json"> {
  const boxes = (mode: Mode) => Object.fromEntries(COLOUR_FIELDS.map((f) => [f.id, shown(getPath(doc, colourPath(f.id, mode)))])) as Record<ColourId, string>;
  const scheme = getPath(doc, SCHEME_PATH);
  return {
    scheme: scheme === "LIGHT" || scheme === "DARK" || scheme === "DYNAMIC" ? scheme : "",
    colours: { light: boxes("light"), dark: boxes("dark") },
  };
}

/** The form for a saved style (its Settings as they are), or for a new one. */
export function formFromStyle(style: ManagedLoginBrandingType | null | undefined): ManagedLoginFormValues {
  const doc = isObject(style?.Settings) ? style.Settings : {};
  return { json: showSettings(doc), ...fieldsFromSettings(doc) };
}

/** The document with one colour box's text in it: normalised, or the key removed when empty. Other text is left out. */
export function withColour(doc: JsonObject, path: readonly string[], text: string): JsonObject {
  if (text.trim() === "") return setPath(doc, path, undefined);
  const c = normaliseColour(text);
  return c ? setPath(doc, path, c) : doc;
}

export function withScheme(doc: JsonObject, scheme: string): JsonObject {
  return setPath(doc, SCHEME_PATH, scheme === "" ? undefined : scheme);
}

/** The Settings to send: the JSON as typed, with the colour boxes and the scheme over it (every other key kept). */
export function settingsFromForm(v: ManagedLoginFormValues): JsonObject {
  const parsed = parseSettings(v.json);
  let doc = "settings" in parsed ? parsed.settings : {};
  for (const { mode } of MODES) for (const f of COLOUR_FIELDS) doc = withColour(doc, colourPath(f.id, mode), v.colours[mode][f.id]);
  return withScheme(doc, v.scheme);
}

// ---- The form logo ----

export type LogoExtension = Extract<AssetExtensionType, "PNG" | "JPEG" | "SVG" | "WEBP">;

const MIME: Record<AssetExtensionType, string> = { PNG: "image/png", JPEG: "image/jpeg", SVG: "image/svg+xml", WEBP: "image/webp", ICO: "image/x-icon" };

/** What an image is, by its bytes: PNG, JPEG, WEBP (RIFF….WEBP) or SVG (text with an <svg element). */
export function imageExtension(bytes: Uint8Array): LogoExtension | undefined {
  const starts = (magic: number[], at = 0) => magic.every((b, i) => bytes[at + i] === b);
  if (starts([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return "PNG";
  if (starts([0xff, 0xd8, 0xff])) return "JPEG";
  if (starts([0x52, 0x49, 0x46, 0x46]) && starts([0x57, 0x45, 0x42, 0x50], 8)) return "WEBP";
  const head = new TextDecoder("utf-8", { fatal: false }).decode(bytes.subarray(0, 4096)).replace(/^\uFEFF/, "").trimStart();
  if ((head.startsWith("<?xml") || head.startsWith("<svg") || head.startsWith("<!--") || head.startsWith("<!DOCTYPE svg")) && /<svg[\s>]/.test(head)) return "SVG";
  return undefined;
}

export interface ChosenFormLogo {
  name: string;
  size: number;
  asset: AssetType;
}

/** A chosen file as the FORM_LOGO asset (for both colour modes), or why it cannot be one. */
export function formLogoFromBytes(name: string, bytes: Uint8Array): { logo: ChosenFormLogo } | { error: string } {
  const ext = imageExtension(bytes);
  if (!ext) return { error: "The logo must be a PNG, JPEG, SVG or WEBP image" };
  if (bytes.length > MAX_ASSET_BYTES) return { error: `The logo must be at most 1,000,000 bytes; this file is ${bytes.length.toLocaleString("en-US")} bytes` };
  return { logo: { name, size: bytes.length, asset: { Category: "FORM_LOGO", ColorMode: "DYNAMIC", Extension: ext, Bytes: bytesToBase64(bytes) } } };
}

export const assetDataUrl = (a: AssetType) => (a.Bytes ? `data:${MIME[a.Extension]};base64,${a.Bytes}` : undefined);

/** What the form does to the saved logo: leave it, replace it with one chosen, or remove it. */
export type LogoChange = { kind: "keep" } | { kind: "set"; logo: ChosenFormLogo } | { kind: "remove" };

export const formLogos = (assets: AssetType[] | undefined) => (assets ?? []).filter((a) => a.Category === "FORM_LOGO");

/** The Assets to send: undefined when the logo is left alone (the server keeps them), else every other asset and the new logo. */
export function assetsFor(saved: AssetType[] | undefined, change: LogoChange): AssetType[] | undefined {
  if (change.kind === "keep") return undefined;
  const others = (saved ?? []).filter((a) => a.Category !== "FORM_LOGO");
  return change.kind === "set" ? [...others, change.logo.asset] : others;
}

/** Why these assets would be refused, or undefined. */
export function assetsError(assets: AssetType[] | undefined): string | undefined {
  if (assets && assets.length > MAX_ASSETS) return `A style has at most ${MAX_ASSETS} assets; this one would have ${assets.length}`;
  return undefined;
}

export function createDefaultsInput(poolId: string, clientId: string): CreateManagedLoginBrandingRequest {
  return { UserPoolId: poolId, ClientId: clientId, UseCognitoProvidedValues: true };
}

export function createInput(poolId: string, clientId: string, v: ManagedLoginFormValues, change: LogoChange): CreateManagedLoginBrandingRequest {
  const assets = assetsFor([], change);
  return { UserPoolId: poolId, ClientId: clientId, Settings: settingsFromForm(v), ...(assets?.length ? { Assets: assets } : {}) };
}

export function updateInput(poolId: string, style: ManagedLoginBrandingType, v: ManagedLoginFormValues, change: LogoChange): UpdateManagedLoginBrandingRequest {
  const assets = assetsFor(style.Assets, change);
  return {
    UserPoolId: poolId,
    ManagedLoginBrandingId: style.ManagedLoginBrandingId,
    Settings: settingsFromForm(v),
    ...(assets ? { Assets: assets } : {}),
  };
}
