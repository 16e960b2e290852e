import { describe, expect, it } from "vitest";
import { MANAGED_LOGIN_COLOUR_PATHS } from "../../generated/rules";
import {
  COLOUR_FIELDS,
  COLOUR_PROPERTIES,
  DEFAULT_COLOURS,
  assetsError,
  assetsFor,
  colourError,
  colourPath,
  createDefaultsInput,
  createInput,
  fieldsFromSettings,
  formFromStyle,
  formLogoFromBytes,
  getPath,
  imageExtension,
  managedLoginSchema,
  normaliseColour,
  parseSettings,
  pickedColour,
  pickerValue,
  previewCss,
  schemeMode,
  setPath,
  showsFormLogo,
  settingsFromForm,
  updateInput,
  type ManagedLoginFormValues,
} from "./managedLoginForm";

describe("the colour fields", () => {
  it("label every colour the server renders, once", () => {
    expect(COLOUR_FIELDS.map((f) => f.path)).toEqual([...MANAGED_LOGIN_COLOUR_PATHS]);
    expect(colourPath("buttonHover", "dark")).toEqual(["components", "primaryButton", "darkMode", "hover", "backgroundColor"]);
  });
});

const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const bytes = (head: number[], size = head.length) => {
  const b = new Uint8Array(size);
  b.set(head);
  return b;
};
const text = (s: string) => new TextEncoder().encode(s);

describe("deep get and set", () => {
  const doc = { a: { b: { c: "x" }, keep: 1 }, other: [1, 2] };

  it("reads a path, undefined where there is none", () => {
    expect(getPath(doc, ["a", "b", "c"])).toBe("x");
    expect(getPath(doc, ["a", "missing", "c"])).toBeUndefined();
    expect(getPath(doc, ["other", "0"])).toBeUndefined();
    expect(getPath(undefined, ["a"])).toBeUndefined();
  });

  it("sets a path, making objects on the way and keeping every other key, without changing the original", () => {
    const out = setPath(doc, ["a", "b", "d"], "y");
    expect(out).toEqual({ a: { b: { c: "x", d: "y" }, keep: 1 }, other: [1, 2] });
    expect(doc.a.b).toEqual({ c: "x" });
    expect(setPath({}, ["p", "q", "r"], 1)).toEqual({ p: { q: { r: 1 } } });
    expect(setPath({ p: "scalar" }, ["p", "q"], 1)).toEqual({ p: { q: 1 } });
  });

  it("removes a key when the value is undefined, and makes nothing for a missing one", () => {
    expect(setPath(doc, ["a", "b", "c"], undefined)).toEqual({ a: { b: {}, keep: 1 }, other: [1, 2] });
    expect(setPath({ x: 1 }, ["p", "q"], undefined)).toEqual({ x: 1 });
  });
});

describe("colours", () => {
  it("normalises RRGGBB to RRGGBBff and takes #, upper case and RRGGBBAA", () => {
    expect(normaliseColour("0972d3")).toBe("0972d3ff");
    expect(normaliseColour("#0972D3")).toBe("0972d3ff");
    expect(normaliseColour(" 0972d380 ")).toBe("0972d380");
    expect(normaliseColour("09f")).toBeUndefined();
    expect(normaliseColour("0972d3f")).toBeUndefined();
    expect(normaliseColour("red")).toBeUndefined();
  });

  it("says why a colour is refused; empty is not set", () => {
    expect(colourError("")).toBeUndefined();
    expect(colourError("0972d3")).toBeUndefined();
    expect(colourError("zz72d3")).toMatch(/6 or 8 hex digits/);
  });

  it("maps text to the picker and back, keeping the alpha", () => {
    expect(pickerValue("0972d380")).toBe("#0972d3");
    expect(pickerValue("nope")).toBe("#000000");
    expect(pickerValue("", "0972d3ff")).toBe("#0972d3");
    expect(pickerValue("nope", DEFAULT_COLOURS.dark.pageBackground)).toBe("#0f1b2a");
    expect(pickerValue("11223344", "0972d3ff")).toBe("#112233");
    expect(pickedColour("0972d380", "#FF0000")).toBe("ff000080");
    expect(pickedColour("", "#ff0000")).toBe("ff0000ff");
  });

  it("knows where each colour sits", () => {
    expect(colourPath("buttonHover", "dark")).toEqual(["components", "primaryButton", "darkMode", "hover", "backgroundColor"]);
    expect(colourPath("link", "light")).toEqual(["componentClasses", "link", "lightMode", "defaults", "textColor"]);
  });
});

describe("settings JSON", () => {
  it("takes an object, refuses other JSON and broken text", () => {
    expect(parseSettings('{"a":1}')).toEqual({ settings: { a: 1 } });
    expect(parseSettings("  ")).toEqual({ settings: {} });
    expect(parseSettings("[1]")).toEqual({ error: "The settings must be a JSON object ({ … })" });
    expect(parseSettings("{")).toMatchObject({ error: expect.stringMatching(/^Not valid JSON/) });
  });

  const settings = {
    categories: { global: { colorSchemeMode: "DARK", spacingDensity: "COMPACT" } },
    components: { pageBackground: { lightMode: { color: "ffffffff" }, darkMode: { color: "000000ff" }, image: { enabled: false } } },
  };

  it("fills the form from a style, the whole document in the JSON box", () => {
    const v = formFromStyle({ ManagedLoginBrandingId: "m", Settings: settings });
    expect(JSON.parse(v.json)).toEqual(settings);
    expect(v.scheme).toBe("DARK");
    expect(v.colours.light.pageBackground).toBe("ffffffff");
    expect(v.colours.dark.pageBackground).toBe("000000ff");
    expect(v.colours.light.buttonText).toBe("");
    expect(formFromStyle(null)).toMatchObject({ json: "{}", scheme: "" });
  });

  it("puts the colour boxes and the scheme over the JSON, keeping every other key", () => {
    const v: ManagedLoginFormValues = formFromStyle({ Settings: settings });
    v.colours.light.buttonBackground = "#0972D3";
    v.colours.dark.pageBackground = "";
    v.scheme = "DYNAMIC";
    expect(settingsFromForm(v)).toEqual({
      categories: { global: { colorSchemeMode: "DYNAMIC", spacingDensity: "COMPACT" } },
      components: {
        pageBackground: { lightMode: { color: "ffffffff" }, darkMode: {}, image: { enabled: false } },
        primaryButton: { lightMode: { defaults: { backgroundColor: "0972d3ff" } } },
      },
    });
    v.scheme = "";
    expect(getPath(settingsFromForm(v), ["categories", "global"])).toEqual({ spacingDensity: "COMPACT" });
  });

  it("validates the JSON and every colour box", () => {
    const v = formFromStyle(null);
    v.json = "[]";
    v.colours.dark.link = "blue";
    const r = managedLoginSchema.safeParse(v);
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => i.path.join("."))).toEqual(["json", "colours.dark.link"]);
  });

  it("reads the boxes of a document with odd values as text", () => {
    expect(fieldsFromSettings({ components: { form: { lightMode: { borderColor: 12 } } } }).colours.light.formBorder).toBe("12");
  });
});

describe("the form logo", () => {
  it("recognises PNG, JPEG, WEBP and SVG by their bytes", () => {
    expect(imageExtension(bytes(PNG))).toBe("PNG");
    expect(imageExtension(bytes([0xff, 0xd8, 0xff, 0xe0]))).toBe("JPEG");
    expect(imageExtension(text("RIFF\0\0\0\0WEBPVP8 "))).toBe("WEBP");
    expect(imageExtension(text('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>'))).toBe("SVG");
    expect(imageExtension(text("<svg viewBox='0 0 1 1'></svg>"))).toBe("SVG");
    expect(imageExtension(text("GIF89a"))).toBeUndefined();
    expect(imageExtension(text("<html></html>"))).toBeUndefined();
  });

  it("makes a DYNAMIC FORM_LOGO asset, at most 1,000,000 bytes", () => {
    expect(formLogoFromBytes("l.png", bytes(PNG))).toEqual({
      logo: { name: "l.png", size: 8, asset: { Category: "FORM_LOGO", ColorMode: "DYNAMIC", Extension: "PNG", Bytes: "iVBORw0KGgo=" } },
    });
    expect(formLogoFromBytes("big.png", bytes(PNG, 1_000_001))).toEqual({ error: "The logo must be at most 1,000,000 bytes; this file is 1,000,001 bytes" });
    expect(formLogoFromBytes("x.gif", text("GIF89a"))).toEqual({ error: "The logo must be a PNG, JPEG, SVG or WEBP image" });
  });

  const favicon = { Category: "FAVICON_ICO", ColorMode: "LIGHT", Extension: "ICO", Bytes: "AAAB" } as const;
  const oldLogo = { Category: "FORM_LOGO", ColorMode: "LIGHT", Extension: "PNG", Bytes: "old" } as const;
  const logo = (formLogoFromBytes("l.png", bytes(PNG)) as any).logo;

  it("sends no assets when the logo is left alone, else the others and the new logo", () => {
    expect(assetsFor([favicon, oldLogo], { kind: "keep" })).toBeUndefined();
    expect(assetsFor([favicon, oldLogo], { kind: "remove" })).toEqual([favicon]);
    expect(assetsFor([favicon, oldLogo], { kind: "set", logo })).toEqual([favicon, logo.asset]);
    expect(assetsError(Array(41).fill(favicon))).toMatch(/at most 40 assets/);
    expect(assetsError([favicon])).toBeUndefined();
  });

  it("builds the requests", () => {
    const v = formFromStyle(null);
    v.colours.light.pageBackground = "abcdef";
    expect(createDefaultsInput("p", "c")).toEqual({ UserPoolId: "p", ClientId: "c", UseCognitoProvidedValues: true });
    expect(createInput("p", "c", v, { kind: "keep" })).toEqual({
      UserPoolId: "p",
      ClientId: "c",
      Settings: { components: { pageBackground: { lightMode: { color: "abcdefff" } } } },
    });
    expect(createInput("p", "c", v, { kind: "set", logo }).Assets).toEqual([logo.asset]);
    expect(updateInput("p", { ManagedLoginBrandingId: "m", Assets: [favicon] }, v, { kind: "keep" })).toEqual({
      UserPoolId: "p",
      ManagedLoginBrandingId: "m",
      Settings: { components: { pageBackground: { lightMode: { color: "abcdefff" } } } },
    });
    expect(updateInput("p", { ManagedLoginBrandingId: "m", Assets: [favicon, oldLogo] }, v, { kind: "remove" }).Assets).toEqual([favicon]);
  });
});

const empty = () => Object.fromEntries(COLOUR_FIELDS.map((f) => [f.id, ""])) as ManagedLoginFormValues["colours"]["light"];
const previewValues = (scheme: ManagedLoginFormValues["scheme"], light = empty(), dark = empty()) => ({ scheme, colours: { light, dark } });

describe("the preview's stylesheet", () => {
  it("names login.css's custom properties in the server's order", () => {
    expect(COLOUR_FIELDS.map((f) => COLOUR_PROPERTIES[f.id])).toEqual([
      "--page-bg",
      "--form-bg",
      "--form-border",
      "--button-bg",
      "--button-text",
      "--button-hover-bg",
      "--heading",
      "--body-text",
      "--link",
      "--input-bg",
      "--input-border",
    ]);
  });

  it("draws Cognito's light defaults for an empty style with no scheme, as the server renders them", () => {
    expect(previewCss(previewValues(""))).toBe(
      ":host { color-scheme: light; --page-bg: #ffffffff; --form-bg: #ffffffff; --form-border: #c6c6cdff; --button-bg: #0972d3ff;" +
        " --button-text: #ffffffff; --button-hover-bg: #033160ff; --heading: #000716ff; --body-text: #414d5cff; --link: #0972d3ff;" +
        " --input-bg: #ffffffff; --input-border: #7d8998ff; }\n",
    );
  });

  it("takes the boxes of the scheme's mode, normalised, with defaults for empty or unfinished boxes", () => {
    const light = { ...empty(), pageBackground: "#112233", heading: "abc" };
    const dark = { ...empty(), pageBackground: "44556680", buttonText: "" };
    const lightCss = previewCss(previewValues("LIGHT", light, dark));
    expect(lightCss).toMatch(/^:host \{ color-scheme: light; --page-bg: #112233ff; /);
    expect(lightCss).toContain("--heading: #000716ff;");
    const darkCss = previewCss(previewValues("DARK", light, dark));
    expect(darkCss).toMatch(/^:host \{ color-scheme: dark; --page-bg: #44556680; --form-bg: #0f1b2aff; /);
    expect(darkCss).toContain("--button-text: #000716ff;");
    expect(darkCss).toContain("--input-border: #5f6b7aff; }");
    // DARK ignores the toggle; DYNAMIC follows it.
    expect(previewCss(previewValues("DARK", light, dark), "light")).toBe(darkCss);
    expect(previewCss(previewValues("DYNAMIC", light, dark))).toBe(lightCss);
    expect(previewCss(previewValues("DYNAMIC", light, dark), "dark")).toBe(darkCss);
  });

  it("gives every property one colour", () => {
    for (const mode of ["light", "dark"] as const) {
      const css = previewCss(previewValues(mode === "dark" ? "DARK" : ""));
      expect(css.match(/--[a-z-]+: #[0-9a-f]{8};/g)).toHaveLength(COLOUR_FIELDS.length);
      for (const f of COLOUR_FIELDS) expect(css).toContain(`${COLOUR_PROPERTIES[f.id]}: #${DEFAULT_COLOURS[mode][f.id]};`);
    }
  });

  it("knows the mode a scheme draws, and whether the logo is shown", () => {
    expect(schemeMode("", "dark")).toBe("light");
    expect(schemeMode("LIGHT", "dark")).toBe("light");
    expect(schemeMode("DARK", "light")).toBe("dark");
    expect(schemeMode("DYNAMIC", "dark")).toBe("dark");
    expect(showsFormLogo({})).toBe(true);
    expect(showsFormLogo({ components: { form: { logo: { enabled: true } } } })).toBe(true);
    expect(showsFormLogo({ components: { form: { logo: { enabled: false } } } })).toBe(false);
  });
});
