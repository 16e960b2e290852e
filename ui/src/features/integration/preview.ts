// The login pages' previews (Branding and Managed login style): the sign-in page's markup drawn
// in a shadow root of its own, styled by the login pages' real stylesheet.
import loginCss from "../../../../assets/login/login.css?raw";
import { previewBaseCss } from "./brandingForm";

/** The login pages' stylesheet, aimed at a preview's shadow root (see previewBaseCss). */
export const loginPreviewCss = previewBaseCss(loginCss);

/**
 * Draws the preview in `host`'s shadow root, so the CSS being typed styles nothing of the app
 * and the app's styles nothing of it. Constructed stylesheets, because the app's
 * Content-Security-Policy (`style-src 'self'`) refuses inline `<style>` but not the CSSOM.
 * The page sits in an `inert` wrapper: its inputs, button and link are a picture, not controls
 * (nothing in it takes the focus or a click).
 */
export function drawPreview(host: HTMLElement, styles: string[], markup: string) {
  const root = host.shadowRoot ?? host.attachShadow({ mode: "open" });
  root.innerHTML = `<div class="preview-inert" inert>${markup}</div>`;
  if ("adoptedStyleSheets" in root && typeof CSSStyleSheet !== "undefined" && "replaceSync" in CSSStyleSheet.prototype) {
    root.adoptedStyleSheets = styles.map((text) => {
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(text);
      return sheet;
    });
  } else {
    // A DOM without constructed stylesheets (the unit tests') enforces no CSP either.
    for (const text of [...styles].reverse()) {
      const el = document.createElement("style");
      el.textContent = text;
      root.prepend(el);
    }
  }
}
