/** Terms documents' links as people edit them: one `language URL` per line. */

import { TERMS_LANGUAGES } from "../../generated/rules";

export const TERMS_KINDS = [
  { name: "terms-of-use", label: "Terms of use" },
  { name: "privacy-policy", label: "Privacy policy" },
] as const;

/** `{"cognito:default": url}` as the editor's text, `default` first. */
export function linksToText(links: Record<string, string> | undefined): string {
  const entries = Object.entries(links ?? {}).map(([k, v]) => [k.replace(/^cognito:/, ""), v] as const);
  entries.sort(([a], [b]) => (a === "default" ? -1 : b === "default" ? 1 : a.localeCompare(b)));
  return entries.map(([k, v]) => `${k} ${v}`).join("\n");
}

/** The editor's text as Links, or the first line that is not `language http(s)-URL`. */
export function textToLinks(text: string): { links: Record<string, string> } | { error: string } {
  const links: Record<string, string> = {};
  const lines = text.split("\n").map((l) => l.trim()).filter(Boolean);
  if (lines.length === 0) return { error: "Give at least one link, for example: default https://example.com/terms" };
  for (const [i, line] of lines.entries()) {
    const [language = "", url = "", ...rest] = line.split(/\s+/);
    if (!(TERMS_LANGUAGES as readonly string[]).includes(language)) {
      return { error: `Line ${i + 1}: "${language}" is not a language; use one of ${TERMS_LANGUAGES.join(", ")}` };
    }
    if (rest.length > 0 || !/^https?:\/\/[^\s/]+/.test(url)) return { error: `Line ${i + 1}: give the language, a space and an http(s) link` };
    if (`cognito:${language}` in links) return { error: `Line ${i + 1}: ${language} is given twice` };
    links[`cognito:${language}`] = url;
  }
  return { links };
}
