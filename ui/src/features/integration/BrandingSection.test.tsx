import { beforeEach, describe, expect, it, vi } from "vitest";
import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";

vi.mock("@tauri-apps/api/core", () => ({ invoke: vi.fn() }));

import { invoke } from "@tauri-apps/api/core";
import { ToastProvider } from "../../components/Toast";
import { BrandingSection } from "./BrandingSection";

const POOL = "us-east-1_B";
const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

let calls: { op: string; input: any }[];
let pool: any;
/** What SetUICustomization stored, per client id ("ALL" for the pool's). */
let branding: Record<string, any>;

const sent = (op: string) => calls.filter((c) => c.op === op).map((c) => c.input);

beforeEach(() => {
  calls = [];
  pool = { Id: POOL, Name: "shop", Domain: "shop-login" };
  branding = {};
  vi.mocked(invoke).mockReset();
  vi.mocked(invoke).mockImplementation(async (cmd, args) => {
    if (cmd !== "call") throw { code: "UnknownCommand", message: cmd };
    const { target, input } = args as { target: string; input: any };
    const op = target.split(".")[1]!;
    calls.push({ op, input });
    switch (op) {
      case "DescribeUserPool":
        return { UserPool: structuredClone(pool) };
      case "ListUserPoolClients":
        return { UserPoolClients: [{ ClientId: "c1", ClientName: "web", UserPoolId: POOL }] };
      case "GetUICustomization": {
        const id = input.ClientId ?? "ALL";
        return { UICustomization: branding[id] ?? branding.ALL ?? { UserPoolId: POOL, ClientId: id } };
      }
      case "SetUICustomization": {
        const id = input.ClientId ?? "ALL";
        branding[id] = { UserPoolId: POOL, ClientId: id, CSS: input.CSS, ...(input.ImageFile ? { ImageUrl: "http://x/logo" } : {}), LastModifiedDate: 1_700_000_000 };
        return { UICustomization: branding[id] };
      }
      default:
        throw { code: "UnknownOperationException", message: target };
    }
  });
});

function renderSection() {
  const qc = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <QueryClientProvider client={qc}>
      <ToastProvider>
        <BrandingSection poolId={POOL} />
      </ToastProvider>
    </QueryClientProvider>,
  );
}

const file = (name: string, head: number[], size = head.length, type = "image/png") => {
  const b = new Uint8Array(size);
  b.set(head);
  return new File([b], name, { type });
};

/** Typed as is: user-event reads { and [ as key descriptors. */
async function typeCss(user: ReturnType<typeof userEvent.setup>, css: string) {
  const box = await screen.findByTestId("branding-css");
  await user.clear(box);
  await user.click(box);
  await user.paste(css);
}

/** What the preview's shadow root holds (in this DOM, its styles as <style> elements). */
const previewHtml = () => screen.getByTestId("branding-preview").shadowRoot?.innerHTML ?? "";

describe("branding", () => {
  it("saves the CSS and the logo for all clients", async () => {
    const user = userEvent.setup();
    renderSection();
    expect(await screen.findByTestId("branding-saved")).toHaveTextContent("Nothing saved for all clients");
    await typeCss(user, ".banner-customizable { background-color: #123456; }");
    await user.upload(screen.getByTestId("branding-logo"), file("logo.png", PNG));
    expect(await screen.findByTestId("branding-logo-chosen")).toHaveTextContent("logo.png");
    await user.click(screen.getByTestId("branding-save"));
    await waitFor(() =>
      expect(sent("SetUICustomization")).toEqual([
        { UserPoolId: POOL, ClientId: "ALL", CSS: ".banner-customizable { background-color: #123456; }", ImageFile: "iVBORw0KGgo=" },
      ]),
    );
    expect(await screen.findByTestId("toast-ok")).toHaveTextContent("Branding for all clients saved");
    await waitFor(() => expect(screen.getByTestId("branding-saved")).toHaveTextContent("Saved for all clients: CSS (51 characters), a logo"));
  });

  it("saves one client's branding under its id, and a removed logo is not sent", async () => {
    const user = userEvent.setup();
    renderSection();
    await screen.findByRole("option", { name: "web (c1)" });
    await user.selectOptions(screen.getByTestId("branding-scope"), "c1");
    await typeCss(user, ".submitButton-customizable:hover { color: white }");
    await user.upload(screen.getByTestId("branding-logo"), file("logo.png", PNG));
    await user.click(await screen.findByTestId("branding-logo-remove"));
    expect(screen.queryByTestId("branding-logo-chosen")).toBeNull();
    await user.click(screen.getByTestId("branding-save"));
    await waitFor(() =>
      expect(sent("SetUICustomization")).toEqual([{ UserPoolId: POOL, ClientId: "c1", CSS: ".submitButton-customizable:hover { color: white }" }]),
    );
    expect(await screen.findByTestId("toast-ok")).toHaveTextContent("Branding for web saved");
  });

  it("refuses CSS the server would refuse, before any call", async () => {
    const user = userEvent.setup();
    renderSection();
    await typeCss(user, "body {}");
    await user.click(screen.getByTestId("branding-save"));
    expect(await screen.findByTestId("branding-css-error")).toHaveTextContent('"body" is not allowed: only the customizable classes');
    expect(screen.getByTestId("branding-css")).toHaveAttribute("aria-invalid", "true");

    await typeCss(user, ".banner-customizable { background: url(https://evil.example/x.png) }");
    await user.click(screen.getByTestId("branding-save"));
    await waitFor(() => expect(screen.getByTestId("branding-css-error")).toHaveTextContent('"url(" is not allowed in the CSS'));
    expect(sent("SetUICustomization")).toEqual([]);
  });

  it("refuses a logo that is not a PNG or JPEG, and one over 100 KB", async () => {
    const user = userEvent.setup();
    renderSection();
    const input = await screen.findByTestId("branding-logo");
    // Named and typed as a PNG, but its bytes are a GIF's.
    await user.upload(input, file("logo.png", [0x47, 0x49, 0x46, 0x38, 0x39, 0x61]));
    expect(await screen.findByTestId("branding-logo-error")).toHaveTextContent("The logo must be a PNG or JPEG image");
    expect(screen.queryByTestId("branding-logo-chosen")).toBeNull();

    await user.upload(input, file("big.png", PNG, 100 * 1024 + 1));
    await waitFor(() => expect(screen.getByTestId("branding-logo-error")).toHaveTextContent("The logo must be at most 100 KB; this file is 101 KB"));
    expect(screen.queryByTestId("branding-logo-chosen")).toBeNull();
    expect(previewHtml()).not.toContain("logo-customizable");

    // A JPEG of exactly 100 KB is taken.
    await user.upload(input, file("ok.jpg", [0xff, 0xd8, 0xff, 0xe0], 100 * 1024, "image/jpeg"));
    expect(await screen.findByTestId("branding-logo-chosen")).toHaveTextContent("ok.jpg (100 KB)");
    expect(screen.queryByTestId("branding-logo-error")).toBeNull();
    expect(sent("SetUICustomization")).toEqual([]);
  });

  it("previews the sign-in page with the CSS being typed and the chosen logo", async () => {
    const user = userEvent.setup();
    renderSection();
    await screen.findByTestId("branding-preview");
    await waitFor(() => expect(previewHtml()).toContain('<div class="preview-body background-customizable">'));
    // The login pages' own stylesheet is the base, aimed at the preview.
    expect(previewHtml()).toContain("PoolDesk's managed login pages");
    expect(previewHtml()).toContain(".preview-body {");
    await typeCss(user, ".submitButton-customizable { background-color: #0f766e; }");
    await waitFor(() => expect(previewHtml()).toContain("<style>.submitButton-customizable { background-color: #0f766e; }</style>"));
    await user.upload(screen.getByTestId("branding-logo"), file("logo.png", PNG));
    await waitFor(() => expect(previewHtml()).toContain('<img class="logo-customizable" src="data:image/png;base64,iVBORw0KGgo="'));
    expect(previewHtml()).not.toMatch(/<script/i);
    // A picture of the page: its controls take no focus and no click.
    const page = screen.getByTestId("branding-preview").shadowRoot!.querySelector(".preview-body")!;
    expect(page.closest("[inert]")).not.toBeNull();
    expect(screen.getByRole("img", { name: "Preview of the sign-in page" })).toBe(screen.getByTestId("branding-preview"));
  });

  it("shows a client that inherits the pool's branding as such, starting from the pool's CSS", async () => {
    branding.ALL = { UserPoolId: POOL, ClientId: "ALL", CSS: ".label-customizable { color: teal }", LastModifiedDate: 1_700_000_000 };
    const user = userEvent.setup();
    renderSection();
    await waitFor(() => expect(screen.getByTestId("branding-saved")).toHaveTextContent("Saved for all clients: CSS (35 characters), no logo"));
    expect(screen.queryByTestId("branding-inherited")).toBeNull();
    await screen.findByRole("option", { name: "web (c1)" });
    await user.selectOptions(screen.getByTestId("branding-scope"), "c1");
    expect(await screen.findByTestId("branding-inherited")).toHaveTextContent("This client has no branding of its own: it uses the pool's (All clients).");
    await waitFor(() => expect(sent("GetUICustomization")).toContainEqual({ UserPoolId: POOL, ClientId: "c1" }));
    expect(screen.getByTestId("branding-css")).toHaveValue(".label-customizable { color: teal }");

    // Its own branding, once saved, is no longer the pool's.
    await typeCss(user, ".label-customizable { color: navy }");
    await user.click(screen.getByTestId("branding-save"));
    await waitFor(() => expect(screen.getByTestId("branding-saved")).toHaveTextContent("Saved for this client"));
    expect(screen.queryByTestId("branding-inherited")).toBeNull();
  });

  it("says a saved logo is replaced unless chosen again", async () => {
    branding.ALL = { UserPoolId: POOL, ClientId: "ALL", ImageUrl: "http://x/logo", LastModifiedDate: 1_700_000_000 };
    renderSection();
    expect(await screen.findByTestId("branding-logo-saved")).toHaveTextContent("choose the logo again to keep it");
  });

  it("offers no preview and no saving while the pool has no domain", async () => {
    pool = { Id: POOL, Name: "shop" };
    renderSection();
    expect(await screen.findByTestId("branding-preview-off")).toHaveTextContent("without a domain this pool has no login pages");
    expect(screen.queryByTestId("branding-preview")).toBeNull();
    expect(screen.getByTestId("branding-save")).toBeDisabled();
    expect(screen.getByTestId("branding-no-domain")).toBeInTheDocument();
  });

  it("shows the server's refusal", async () => {
    const inner = vi.mocked(invoke).getMockImplementation()!;
    vi.mocked(invoke).mockImplementation(async (cmd, args) => {
      if ((args as any)?.target?.endsWith(".SetUICustomization")) throw { code: "InvalidParameterException", message: "Invalid CSS: nope." };
      return inner(cmd, args);
    });
    const user = userEvent.setup();
    renderSection();
    await typeCss(user, ".label-customizable { color: red }");
    await user.click(screen.getByTestId("branding-save"));
    expect(await screen.findByTestId("branding-error")).toHaveTextContent("Invalid CSS: nope.");
  });
});
