import { describe, expect, it } from "vitest";
import {
  bytesToBase64,
  CUSTOMIZABLE_SELECTORS,
  cssError,
  logoError,
  logoFromBytes,
  logoType,
  MAX_LOGO_BYTES,
  previewBaseCss,
  previewMarkup,
  savedBranding,
  stripCssComments,
  toSetUICustomizationInput,
} from "./brandingForm";

const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const JPEG = [0xff, 0xd8, 0xff, 0xe0];
const bytes = (head: number[], size = head.length) => {
  const b = new Uint8Array(size);
  b.set(head);
  return b;
};

describe("branding CSS", () => {
  it("takes rules for the customizable classes, with comments, lists and pseudo-classes", () => {
    const good =
      "/* brand */ .banner-customizable { background-color: #123456; }\n" +
      ".submitButton-customizable, .submitButton-customizable:hover { color: white; font-size: 14px; }\n" +
      ".inputField-customizable:focus{border-color:red} /* trailing */";
    expect(cssError(good)).toBeUndefined();
    expect(cssError("")).toBeUndefined();
    expect(cssError("  /* only a comment */ ")).toBeUndefined();
    for (const s of CUSTOMIZABLE_SELECTORS) expect(cssError(`${s} { color: red }`)).toBeUndefined();
  });

  it("refuses selectors outside the list", () => {
    expect(cssError("body {}")).toMatch(/^"body" is not allowed: only the customizable classes/);
    expect(cssError(".label-customizable, h1 { color: red }")).toMatch(/^"h1" is not allowed/);
    expect(cssError(".label-customizable:hover { color: red }")).toMatch(/"\.label-customizable:hover" is not allowed/);
    expect(cssError(".label-customizable .logo-customizable { color: red }")).toMatch(/is not allowed/);
    expect(cssError(", .label-customizable { color: red }")).toMatch(/^An empty selector/);
  });

  it("refuses what loads or escapes: url(, @, expression(, backslash, <, javascript:", () => {
    expect(cssError(".banner-customizable { background: url(https://evil.example/x.png) }")).toBe(
      '"url(" is not allowed in the CSS (nothing may be loaded from elsewhere)',
    );
    expect(cssError(".banner-customizable { background: URL(x) }")).toMatch(/"url\("/);
    expect(cssError(".banner-customizable { color: red; @x }")).toMatch(/^"@" is not allowed/);
    expect(cssError(".banner-customizable { width: expression(1) }")).toMatch(/^"expression\(" is not allowed/);
    expect(cssError(".banner-customizable { content: '\\41' }")).toMatch(/^"\\" is not allowed/);
    expect(cssError(".label-customizable { content: '</style><script>' }")).toMatch(/^"<" is not allowed/);
    expect(cssError(".label-customizable { background: JavaScript:alert(1) }")).toMatch(/^"javascript:" is not allowed/);
    expect(cssError("@import 'https://evil.example/x.css';")).toMatch(/^At-rules such as @import are not allowed/);
    expect(cssError("@media screen { .label-customizable { color: red } }")).toMatch(/^At-rules|^Nested rules/);
    // In a comment these are only words.
    expect(cssError("/* url( @import < */ .label-customizable { color: red }")).toBeUndefined();
  });

  it("refuses unbalanced and nested braces, and open comments", () => {
    expect(cssError(".banner-customizable { color: red")).toMatch(/no closing \}/);
    expect(cssError(".banner-customizable { color: red } }")).toMatch(/closes no rule/);
    expect(cssError("} .banner-customizable { color: red }")).toMatch(/closes no rule/);
    expect(cssError(".banner-customizable { x: y } .logo-customizable { .a { } }")).toMatch(/^Nested rules/);
    expect(cssError(".label-customizable { color: red } /* unclosed")).toMatch(/comment is not closed/);
    expect(cssError(".label-customizable color: red")).toMatch(/is not a rule/);
  });

  it("strips comments", () => {
    expect(stripCssComments("a/* x */b/**/c")).toEqual({ css: "abc" });
    expect(stripCssComments("a /* x")).toEqual({ error: "A comment is not closed (/* without */)" });
  });
});

describe("branding logo", () => {
  it("tells PNG and JPEG by their first bytes, nothing else", () => {
    expect(logoType(bytes(PNG))).toBe("image/png");
    expect(logoType(bytes(JPEG))).toBe("image/jpeg");
    expect(logoType(bytes(PNG.slice(0, 7)))).toBeUndefined();
    expect(logoType(new TextEncoder().encode("<svg/>"))).toBeUndefined();
    expect(logoType(bytes([0x47, 0x49, 0x46, 0x38]))).toBeUndefined(); // GIF
    expect(logoType(new Uint8Array())).toBeUndefined();
  });

  it("takes up to 100 KB, refuses more", () => {
    expect(logoError(bytes(PNG, MAX_LOGO_BYTES))).toBeUndefined();
    expect(logoError(bytes(PNG, MAX_LOGO_BYTES + 1))).toBe("The logo must be at most 100 KB; this file is 101 KB");
    expect(logoError(bytes([0x47, 0x49, 0x46]))).toBe("The logo must be a PNG or JPEG image");
  });

  it("reads a logo's bytes into base64", () => {
    expect(bytesToBase64(new TextEncoder().encode("hello"))).toBe("aGVsbG8=");
    const big = bytes(JPEG, 70_000);
    expect(atob(bytesToBase64(big)).length).toBe(70_000);
    expect(logoFromBytes("l.png", bytes(PNG))).toEqual({ logo: { name: "l.png", size: 8, type: "image/png", base64: "iVBORw0KGgo=" } });
    expect(logoFromBytes("l.gif", bytes([0x47]))).toEqual({ error: "The logo must be a PNG or JPEG image" });
  });
});

describe("SetUICustomization input", () => {
  const logo = { name: "l.png", size: 8, type: "image/png" as const, base64: "iVBORw0KGgo=" };
  it("names the scope, and sends the CSS and the logo it has", () => {
    expect(toSetUICustomizationInput("p", "ALL", ".label-customizable{}", logo)).toEqual({
      UserPoolId: "p",
      ClientId: "ALL",
      CSS: ".label-customizable{}",
      ImageFile: "iVBORw0KGgo=",
    });
    expect(toSetUICustomizationInput("p", "c1", "  \n", null)).toEqual({ UserPoolId: "p", ClientId: "c1" });
  });
});

describe("saved branding", () => {
  it("tells a client's own branding from the pool's it inherits", () => {
    expect(savedBranding({ UserPoolId: "p", ClientId: "c1" }, "c1")).toEqual({ kind: "none" });
    expect(savedBranding({ UserPoolId: "p", ClientId: "ALL", CSS: "x", LastModifiedDate: 5 }, "c1")).toEqual({ kind: "inherited", css: "x", logo: false, modified: 5 });
    expect(savedBranding({ UserPoolId: "p", ClientId: "c1", CSS: "x", ImageUrl: "u", LastModifiedDate: 5 }, "c1")).toEqual({ kind: "own", css: "x", logo: true, modified: 5 });
    expect(savedBranding({ UserPoolId: "p", ClientId: "ALL", LastModifiedDate: 5 }, "ALL")).toEqual({ kind: "own", css: undefined, logo: false, modified: 5 });
  });
});

describe("preview", () => {
  it("is the sign-in page's markup with the logo", () => {
    const html = previewMarkup("data:image/png;base64,iVBORw0KGgo=");
    expect(html).toContain('<div class="preview-body background-customizable">');
    expect(html).toContain('<div class="banner-customizable"><img class="logo-customizable" src="data:image/png;base64,iVBORw0KGgo=" alt="Logo"></div>');
    expect(html).toContain('<button class="submitButton-customizable" type="button">Sign in</button>');
    expect(html).toContain('<p class="links redirect-customizable"><a>Forgot your password?</a></p>');
    expect(html).not.toContain("<script");
  });

  it("has no banner without a logo, and a logo URL cannot break out of its attribute", () => {
    expect(previewMarkup()).not.toContain("banner-customizable");
    expect(previewMarkup('data:x" onerror="alert(1)')).toContain('src="data:x&quot; onerror=&quot;alert(1)"');
  });

  it("aims the login pages' stylesheet at the preview instead of the whole page", () => {
    const css = previewBaseCss(":root { color-scheme: light; }\nbody { margin: 0; }\nmain, body .x { color: red; }");
    expect(css).toContain(":host { color-scheme: light; }");
    expect(css).toContain(".preview-body { margin: 0; }");
    expect(css).toContain("main, .preview-body .x { color: red; }");
    expect(css).not.toMatch(/(^|[\s,}])body\b/);
  });
});
