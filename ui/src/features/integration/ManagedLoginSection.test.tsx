import { beforeEach, describe, expect, it, vi } from "vitest";
import { fireEvent, render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";

vi.mock("@tauri-apps/api/core", () => ({ invoke: vi.fn() }));

import { invoke } from "@tauri-apps/api/core";
import { ConfirmProvider } from "../../components/Confirm";
import { ToastProvider } from "../../components/Toast";
import { ManagedLoginSection } from "./ManagedLoginSection";

const POOL = "us-east-1_M";
const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

let calls: { op: string; input: any }[];
/** The styles the fake server holds, per client id. */
let styles: Record<string, any>;
let n: number;

const sent = (op: string) => calls.filter((c) => c.op === op).map((c) => c.input);
const byId = (id: string) => Object.values(styles).find((s) => s.ManagedLoginBrandingId === id);

beforeEach(() => {
  calls = [];
  styles = {};
  n = 0;
  vi.mocked(invoke).mockReset();
  vi.mocked(invoke).mockImplementation(async (cmd, args) => {
    if (cmd !== "call") throw { code: "UnknownCommand", message: cmd };
    const { target, input } = args as { target: string; input: any };
    const op = target.split(".")[1]!;
    calls.push({ op, input });
    switch (op) {
      case "ListUserPoolClients":
        return {
          UserPoolClients: [
            { ClientId: "c1", ClientName: "web", UserPoolId: POOL },
            { ClientId: "c2", ClientName: "mobile", UserPoolId: POOL },
          ],
        };
      case "DescribeManagedLoginBrandingByClient": {
        const s = styles[input.ClientId];
        if (!s) throw { code: "ResourceNotFoundException", message: "Managed login branding not found" };
        return { ManagedLoginBranding: structuredClone(s) };
      }
      case "CreateManagedLoginBranding": {
        if (styles[input.ClientId]) throw { code: "ManagedLoginBrandingExistsException", message: "exists" };
        if (!!input.UseCognitoProvidedValues === (input.Settings !== undefined)) {
          throw { code: "InvalidParameterException", message: "useCognitoProvidedValues or settings should be specified (but not both)" };
        }
        const s = {
          ManagedLoginBrandingId: `mlb-${++n}`,
          UserPoolId: POOL,
          UseCognitoProvidedValues: !!input.UseCognitoProvidedValues,
          Settings: input.Settings ?? {},
          Assets: input.Assets ?? [],
          CreationDate: 1_700_000_000,
          LastModifiedDate: 1_700_000_000,
        };
        styles[input.ClientId] = s;
        return { ManagedLoginBranding: structuredClone(s) };
      }
      case "UpdateManagedLoginBranding": {
        const s = byId(input.ManagedLoginBrandingId);
        if (!s) throw { code: "ResourceNotFoundException", message: "no such style" };
        if (input.Settings !== undefined) Object.assign(s, { Settings: input.Settings, UseCognitoProvidedValues: false });
        if (input.Assets !== undefined) s.Assets = input.Assets;
        s.LastModifiedDate = 1_700_000_100;
        return { ManagedLoginBranding: structuredClone(s) };
      }
      case "DeleteManagedLoginBranding": {
        for (const [k, s] of Object.entries(styles)) if (s.ManagedLoginBrandingId === input.ManagedLoginBrandingId) delete styles[k];
        return {};
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
        <ConfirmProvider>
          <ManagedLoginSection poolId={POOL} />
        </ConfirmProvider>
      </ToastProvider>
    </QueryClientProvider>,
  );
}

/** Typed as is: user-event reads { and [ as key descriptors. */
async function typeJson(user: ReturnType<typeof userEvent.setup>, json: string) {
  const box = screen.getByTestId("mlb-json");
  await user.clear(box);
  await user.click(box);
  await user.paste(json);
}

async function setText(user: ReturnType<typeof userEvent.setup>, testId: string, value: string) {
  const box = screen.getByTestId(testId);
  await user.clear(box);
  if (value) await user.type(box, value);
}

/** What the preview's shadow root holds (in this DOM, its styles as <style> elements). */
const mlbPreviewHtml = () => screen.getByTestId("mlb-preview").shadowRoot?.innerHTML ?? "";

const jsonBox = () => JSON.parse((screen.getByTestId("mlb-json") as HTMLTextAreaElement).value);

describe("managed login style", () => {
  it("says a client without a style has none (ResourceNotFoundException), and says which keys PoolDesk renders", async () => {
    renderSection();
    expect(await screen.findByTestId("mlb-none")).toHaveTextContent("This client has no managed login style");
    expect(screen.queryByTestId("error")).toBeNull();
    expect(sent("DescribeManagedLoginBrandingByClient")).toEqual([{ UserPoolId: POOL, ClientId: "c1" }]);
    expect(screen.getByTestId("mlb-section")).toHaveTextContent("managed login version 2");
    expect(screen.getByTestId("mlb-section")).toHaveTextContent("version 1");
    expect(screen.getByTestId("mlb-honoured")).toHaveTextContent("Other settings are kept");
    expect(screen.getByLabelText("App client")).toHaveValue("c1");
  });

  it("shows other errors as failures", async () => {
    const inner = vi.mocked(invoke).getMockImplementation()!;
    vi.mocked(invoke).mockImplementation(async (cmd, args) => {
      if ((args as any)?.target?.endsWith(".DescribeManagedLoginBrandingByClient")) throw { code: "NotAuthorizedException", message: "No." };
      return inner(cmd, args);
    });
    renderSection();
    expect(await screen.findByTestId("error")).toHaveTextContent("No.");
    expect(screen.queryByTestId("mlb-none")).toBeNull();
  });

  it("creates a style with Cognito's defaults", async () => {
    const user = userEvent.setup();
    renderSection();
    await screen.findByTestId("mlb-none");
    expect(screen.getByLabelText("Cognito's defaults")).toBeChecked();
    await user.click(screen.getByRole("button", { name: "Create style" }));
    await waitFor(() => expect(sent("CreateManagedLoginBranding")).toEqual([{ UserPoolId: POOL, ClientId: "c1", UseCognitoProvidedValues: true }]));
    expect(await screen.findByTestId("mlb-summary")).toHaveTextContent("This client has a style with Cognito's defaults");
    expect(await screen.findByTestId("toast-ok")).toHaveTextContent("Style for web created");
  });

  it("creates a custom style with a colour, normalised to RRGGBBff and shown in the JSON", async () => {
    const user = userEvent.setup();
    renderSection();
    await screen.findByTestId("mlb-none");
    await user.click(screen.getByLabelText("Custom colours and logo"));
    await user.click(screen.getByRole("button", { name: "Create style" }));
    await user.type(await screen.findByTestId("mlb-light-buttonBackground"), "0972D3");
    await user.selectOptions(screen.getByLabelText("Colour scheme"), "DYNAMIC");
    expect(jsonBox()).toEqual({
      components: { primaryButton: { lightMode: { defaults: { backgroundColor: "0972d3ff" } } } },
      categories: { global: { colorSchemeMode: "DYNAMIC" } },
    });
    await user.click(screen.getByTestId("mlb-save"));
    await waitFor(() =>
      expect(sent("CreateManagedLoginBranding")).toEqual([
        {
          UserPoolId: POOL,
          ClientId: "c1",
          Settings: {
            components: { primaryButton: { lightMode: { defaults: { backgroundColor: "0972d3ff" } } } },
            categories: { global: { colorSchemeMode: "DYNAMIC" } },
          },
        },
      ]),
    );
    expect(await screen.findByTestId("mlb-summary")).toHaveTextContent("This client has a style");
    expect(screen.getByTestId("mlb-light-buttonBackground")).toHaveValue("0972d3ff");
  });

  it("labels every colour box and its picker; the picker writes the colour with the alpha kept", async () => {
    styles.c1 = { ManagedLoginBrandingId: "m1", UserPoolId: POOL, Settings: { components: { pageBackground: { darkMode: { color: "11223380" } } } }, Assets: [] };
    renderSection();
    const box = await screen.findByLabelText("Page background", { selector: "[data-testid='mlb-dark-pageBackground']" });
    expect(box).toHaveValue("11223380");
    const picker = screen.getByLabelText("Pick Page background, dark mode");
    expect(picker).toHaveValue("#112233");
    fireEvent.change(picker, { target: { value: "#abcdef" } });
    expect(box).toHaveValue("abcdef80");
    expect(jsonBox().components.pageBackground.darkMode.color).toBe("abcdef80");
    for (const el of screen.getAllByRole("textbox")) expect((el as HTMLInputElement).labels?.length).toBeGreaterThan(0);
  });

  it("updates a style, keeping the keys PoolDesk does not render and the assets it was not asked to change", async () => {
    const favicon = { Category: "FAVICON_ICO", ColorMode: "LIGHT", Extension: "ICO", Bytes: "AAAB" };
    styles.c2 = {
      ManagedLoginBrandingId: "m2",
      UserPoolId: POOL,
      UseCognitoProvidedValues: false,
      Settings: {
        categories: { global: { colorSchemeMode: "LIGHT", spacingDensity: "COMPACT" }, form: { displayGraphics: true } },
        components: { form: { lightMode: { backgroundColor: "ffffffff" }, borderRadius: 8 } },
      },
      Assets: [favicon],
    };
    const user = userEvent.setup();
    renderSection();
    await screen.findByRole("option", { name: "mobile (c2)" });
    await user.selectOptions(screen.getByLabelText("App client"), "c2");
    const border = await screen.findByTestId("mlb-light-formBorder");
    expect(screen.getByTestId("mlb-light-formBackground")).toHaveValue("ffffffff");
    expect(screen.getByLabelText("Colour scheme")).toHaveValue("LIGHT");
    await user.type(border, "#ff0000");
    await user.click(screen.getByRole("button", { name: "Save style for mobile" }));
    await waitFor(() =>
      expect(sent("UpdateManagedLoginBranding")).toEqual([
        {
          UserPoolId: POOL,
          ManagedLoginBrandingId: "m2",
          Settings: {
            categories: { global: { colorSchemeMode: "LIGHT", spacingDensity: "COMPACT" }, form: { displayGraphics: true } },
            components: { form: { lightMode: { backgroundColor: "ffffffff", borderColor: "ff0000ff" }, borderRadius: 8 } },
          },
        },
      ]),
    );
    expect(await screen.findByTestId("toast-ok")).toHaveTextContent("Style for mobile saved");
    expect(styles.c2.Assets).toEqual([favicon]);
  });

  it("takes keys typed in the JSON, and the boxes follow", async () => {
    styles.c1 = { ManagedLoginBrandingId: "m1", UserPoolId: POOL, Settings: {}, Assets: [] };
    const user = userEvent.setup();
    renderSection();
    await screen.findByTestId("mlb-json");
    await typeJson(user, '{"components":{"pageText":{"lightMode":{"headingColor":"00000080"}}},"future":{"x":1}}');
    expect(screen.getByTestId("mlb-light-heading")).toHaveValue("00000080");
    await user.click(screen.getByTestId("mlb-save"));
    await waitFor(() =>
      expect(sent("UpdateManagedLoginBranding")[0].Settings).toEqual({
        components: { pageText: { lightMode: { headingColor: "00000080" } } },
        future: { x: 1 },
      }),
    );
  });

  it("refuses an invalid colour and invalid JSON before any call", async () => {
    styles.c1 = { ManagedLoginBrandingId: "m1", UserPoolId: POOL, Settings: {}, Assets: [] };
    const user = userEvent.setup();
    renderSection();
    await screen.findByTestId("mlb-dark-link");
    await setText(user, "mlb-dark-link", "blue");
    await user.click(screen.getByTestId("mlb-save"));
    expect(await screen.findByTestId("mlb-dark-link-error")).toHaveTextContent("6 or 8 hex digits");
    expect(screen.getByTestId("mlb-dark-link")).toHaveAttribute("aria-invalid", "true");

    await setText(user, "mlb-dark-link", "");
    await typeJson(user, '{"components": ');
    await user.click(screen.getByTestId("mlb-save"));
    expect(await screen.findByTestId("mlb-json-error")).toHaveTextContent("Not valid JSON");
    expect(screen.queryByTestId("mlb-dark-link-error")).toBeNull();

    await typeJson(user, "[1, 2]");
    await user.click(screen.getByTestId("mlb-save"));
    await waitFor(() => expect(screen.getByTestId("mlb-json-error")).toHaveTextContent("The settings must be a JSON object"));
    expect(sent("UpdateManagedLoginBranding")).toEqual([]);
  });

  it("adds the logo as a FORM_LOGO asset, and removes a saved one", async () => {
    const favicon = { Category: "FAVICON_SVG", ColorMode: "DYNAMIC", Extension: "SVG", Bytes: "PHN2Zy8+" };
    styles.c1 = { ManagedLoginBrandingId: "m1", UserPoolId: POOL, Settings: {}, Assets: [favicon] };
    const user = userEvent.setup();
    renderSection();
    const input = await screen.findByLabelText(/Form logo/);
    await user.upload(input, new File([new Uint8Array([0x47, 0x49, 0x46, 0x38])], "x.gif", { type: "image/png" }));
    expect(await screen.findByTestId("mlb-logo-error")).toHaveTextContent("The logo must be a PNG, JPEG, SVG or WEBP image");
    await user.upload(input, new File([new Uint8Array(PNG)], "logo.png", { type: "image/png" }));
    expect(await screen.findByTestId("mlb-logo-chosen")).toHaveTextContent("logo.png (8 bytes)");
    await user.click(screen.getByTestId("mlb-save"));
    const logo = { Category: "FORM_LOGO", ColorMode: "DYNAMIC", Extension: "PNG", Bytes: "iVBORw0KGgo=" };
    await waitFor(() => expect(sent("UpdateManagedLoginBranding")).toEqual([{ UserPoolId: POOL, ManagedLoginBrandingId: "m1", Settings: {}, Assets: [favicon, logo] }]));

    // Saved now: shown as such, and removing it sends the other assets only.
    expect(await screen.findByTestId("mlb-logo-chosen")).toHaveTextContent("Saved logo (PNG)");
    await user.click(screen.getByRole("button", { name: "Remove logo" }));
    expect(screen.getByTestId("mlb-logo-removed")).toBeInTheDocument();
    await user.click(screen.getByTestId("mlb-save"));
    await waitFor(() => expect(sent("UpdateManagedLoginBranding")[1]).toEqual({ UserPoolId: POOL, ManagedLoginBrandingId: "m1", Settings: {}, Assets: [favicon] }));
  });

  it("previews the sign-in page with the colours being typed, Cognito's defaults for the empty ones, and the logo", async () => {
    styles.c1 = { ManagedLoginBrandingId: "m1", UserPoolId: POOL, Settings: { components: { form: { darkMode: { backgroundColor: "22334455" } } } }, Assets: [] };
    const user = userEvent.setup();
    renderSection();
    const box = await screen.findByTestId("mlb-light-pageBackground");
    // An empty box shows the default it leaves, in its placeholder and its picker.
    expect(box).toHaveAttribute("placeholder", "ffffffff");
    expect(screen.getByTestId("mlb-dark-pageBackground")).toHaveAttribute("placeholder", "0f1b2aff");
    expect(screen.getByLabelText("Pick Button background, light mode")).toHaveValue("#0972d3");
    expect(screen.getByLabelText("Pick Form background, dark mode")).toHaveValue("#223344");

    const preview = screen.getByTestId("mlb-preview");
    expect(preview).toHaveAccessibleName("Preview of the sign-in page, light mode");
    await waitFor(() => expect(mlbPreviewHtml()).toContain('<div class="preview-body background-customizable">'));
    expect(mlbPreviewHtml()).toContain("PoolDesk's managed login pages");
    expect(mlbPreviewHtml()).toContain(".preview-body {");
    expect(mlbPreviewHtml()).toContain(":host { color-scheme: light; --page-bg: #ffffffff; --form-bg: #ffffffff;");
    expect(preview.shadowRoot!.querySelector(".preview-body")!.closest("[inert]")).not.toBeNull();

    await user.type(box, "112233");
    await waitFor(() => expect(mlbPreviewHtml()).toContain(":host { color-scheme: light; --page-bg: #112233ff; --form-bg: #ffffffff;"));

    // Dark: the dark boxes, with defaults where they are empty.
    await user.selectOptions(screen.getByLabelText("Colour scheme"), "DARK");
    await waitFor(() => expect(mlbPreviewHtml()).toContain(":host { color-scheme: dark; --page-bg: #0f1b2aff; --form-bg: #22334455;"));
    expect(preview).toHaveAccessibleName("Preview of the sign-in page, dark mode");
    expect(screen.queryByTestId("mlb-preview-light")).toBeNull();

    // Following the browser: the preview's toggle picks the mode drawn.
    await user.selectOptions(screen.getByLabelText("Colour scheme"), "DYNAMIC");
    await waitFor(() => expect(mlbPreviewHtml()).toContain("--page-bg: #112233ff;"));
    expect(screen.getByRole("button", { name: "Light" })).toHaveAttribute("aria-pressed", "true");
    await user.click(screen.getByRole("button", { name: "Dark" }));
    await waitFor(() => expect(mlbPreviewHtml()).toContain(":host { color-scheme: dark; --page-bg: #0f1b2aff; --form-bg: #22334455;"));
    expect(screen.getByRole("button", { name: "Dark" })).toHaveAttribute("aria-pressed", "true");

    await user.upload(screen.getByLabelText(/Form logo/), new File([new Uint8Array(PNG)], "logo.png", { type: "image/png" }));
    await waitFor(() => expect(mlbPreviewHtml()).toContain('<img class="logo-customizable" src="data:image/png;base64,iVBORw0KGgo="'));
    // Settings that turn the form logo off hide it, as on the pages.
    await typeJson(user, '{"components":{"form":{"logo":{"enabled":false}}}}');
    await waitFor(() => expect(mlbPreviewHtml()).not.toContain("logo-customizable"));
    expect(mlbPreviewHtml()).not.toMatch(/<script/i);
    expect(sent("UpdateManagedLoginBranding")).toEqual([]);
  });

  it("deletes a style after confirmation", async () => {
    styles.c1 = { ManagedLoginBrandingId: "m1", UserPoolId: POOL, Settings: {}, Assets: [] };
    const user = userEvent.setup();
    renderSection();
    await user.click(await screen.findByRole("button", { name: "Delete style" }));
    await user.click(await screen.findByTestId("confirm-cancel"));
    expect(sent("DeleteManagedLoginBranding")).toEqual([]);
    await user.click(screen.getByRole("button", { name: "Delete style" }));
    await user.click(await screen.findByTestId("confirm-ok"));
    await waitFor(() => expect(sent("DeleteManagedLoginBranding")).toEqual([{ UserPoolId: POOL, ManagedLoginBrandingId: "m1" }]));
    expect(await screen.findByTestId("mlb-none")).toBeInTheDocument();
  });

  it("shows the server's refusal", async () => {
    const inner = vi.mocked(invoke).getMockImplementation()!;
    vi.mocked(invoke).mockImplementation(async (cmd, args) => {
      if ((args as any)?.target?.endsWith(".CreateManagedLoginBranding")) throw { code: "ManagedLoginBrandingExistsException", message: "A style exists for this client." };
      return inner(cmd, args);
    });
    const user = userEvent.setup();
    renderSection();
    await screen.findByTestId("mlb-none");
    await user.click(screen.getByRole("button", { name: "Create style" }));
    expect(await screen.findByTestId("mlb-error")).toHaveTextContent("ManagedLoginBrandingExistsException A style exists for this client.");
  });
});
