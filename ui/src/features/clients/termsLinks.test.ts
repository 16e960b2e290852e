import { describe, expect, it } from "vitest";
import { linksToText, textToLinks } from "./termsLinks";

describe("terms links as text", () => {
  it("round-trips, the default first", () => {
    const links = { "cognito:spanish": "https://example.com/es", "cognito:default": "https://example.com/terms" };
    const text = linksToText(links);
    expect(text).toBe("default https://example.com/terms\nspanish https://example.com/es");
    expect(textToLinks(`  ${text}\n\n`)).toEqual({ links });
  });

  it("names the line that is wrong", () => {
    expect(textToLinks("")).toEqual({ error: expect.stringContaining("at least one link") });
    expect(textToLinks("default https://a.example\nklingon https://b.example")).toEqual({ error: expect.stringContaining('Line 2: "klingon"') });
    expect(textToLinks("default javascript:alert(1)")).toEqual({ error: expect.stringContaining("Line 1") });
    expect(textToLinks("default https://a.example extra")).toEqual({ error: expect.stringContaining("Line 1") });
    expect(textToLinks("default https://a.example\ndefault https://b.example")).toEqual({ error: "Line 2: default is given twice" });
  });
});
