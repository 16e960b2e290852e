// The IAM SAML providers panel of the identity pools screen: the registry listed, a provider
// added from pasted or chosen metadata, its metadata replaced, deleted after a confirm.
import { beforeEach, describe, expect, it, vi } from "vitest";
import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";

vi.mock("@tauri-apps/api/core", () => ({ invoke: vi.fn() }));

import { invoke } from "@tauri-apps/api/core";
import { ConfirmProvider } from "../../components/Confirm";
import { ToastProvider } from "../../components/Toast";
import { fakeBackend } from "../../test/fakeBackend";
import { IdentityPoolList } from "./IdentityPoolList";

const IAM = "AWSIdentityManagementV20100508";
const ARN = (name: string) => `arn:aws:iam::000000000000:saml-provider/${name}`;
/** Long enough for IAM (at least 1,000 characters); the fake backend reads nothing else. */
const METADATA = `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://idp.corp.example">${"<!-- padding -->".repeat(70)}</md:EntityDescriptor>`;

let backend: ReturnType<typeof fakeBackend>;
const call = (target: string, input: Record<string, unknown>) => backend.invoke("call", { connection: "local", target, input }) as Promise<any>;
const sent = (op: string) => backend.log.filter((c) => c.target === `${IAM}.${op}`).map((c) => c.input);

beforeEach(() => {
  backend = fakeBackend();
  vi.mocked(invoke).mockReset();
  vi.mocked(invoke).mockImplementation((cmd, args) => backend.invoke(cmd, args as Record<string, unknown>) as never);
});

function renderList() {
  render(
    <QueryClientProvider client={new QueryClient({ defaultOptions: { queries: { retry: false } } })}>
      <ToastProvider>
        <ConfirmProvider>
          <IdentityPoolList navigate={() => {}} />
        </ConfirmProvider>
      </ToastProvider>
    </QueryClientProvider>,
  );
}

describe("IAM SAML providers panel", () => {
  it("lists the registered providers by name, ARN and creation date", async () => {
    await call(`${IAM}.CreateSAMLProvider`, { Name: "CorpIdP", SAMLMetadataDocument: METADATA });
    await call(`${IAM}.CreateSAMLProvider`, { Name: "Partner.SSO", SAMLMetadataDocument: METADATA });
    renderList();
    const panel = await screen.findByTestId("saml-providers");
    await waitFor(() => expect(within(panel).getAllByTestId("saml-provider-row")).toHaveLength(2));
    const [first, second] = within(panel).getAllByTestId("saml-provider-row");
    expect(first).toHaveTextContent("CorpIdP");
    expect(first).toHaveTextContent(ARN("CorpIdP"));
    expect(within(first!).getByRole("button", { name: "Copy the ARN of CorpIdP" })).toBeInTheDocument();
    expect(second).toHaveTextContent(ARN("Partner.SSO"));
    expect(sent("ListSAMLProviders")).toEqual([{}]);
  });

  it("says so when none is registered", async () => {
    renderList();
    expect(await within(await screen.findByTestId("saml-providers")).findByText("No SAML providers yet")).toBeInTheDocument();
  });

  it("adds a provider from pasted metadata with CreateSAMLProvider", async () => {
    const user = userEvent.setup();
    renderList();
    await user.click(await screen.findByTestId("saml-provider-add"));
    await user.type(screen.getByTestId("saml-provider-name"), "CorpIdP");
    await user.click(screen.getByTestId("saml-provider-metadata"));
    await user.paste(METADATA);
    await user.click(screen.getByTestId("saml-provider-save"));

    await waitFor(() => expect(sent("CreateSAMLProvider")).toEqual([{ Name: "CorpIdP", SAMLMetadataDocument: METADATA }]));
    expect(await screen.findByTestId("saml-provider-row")).toHaveTextContent(ARN("CorpIdP"));
    expect(screen.queryByTestId("saml-provider-dialog")).not.toBeInTheDocument();
    expect(await screen.findByTestId("toast-ok")).toHaveTextContent("Added CorpIdP");
  });

  it("reads the metadata from a chosen file", async () => {
    const user = userEvent.setup();
    renderList();
    await user.click(await screen.findByTestId("saml-provider-add"));
    await user.type(screen.getByTestId("saml-provider-name"), "FromFile");
    await user.upload(screen.getByTestId("saml-provider-metadata-file"), new File([METADATA], "idp.xml", { type: "text/xml" }));
    await waitFor(() => expect(screen.getByTestId("saml-provider-metadata")).toHaveValue(METADATA));
    expect(screen.getByTestId("saml-provider-metadata-picked")).toHaveTextContent("idp.xml");
    await user.click(screen.getByTestId("saml-provider-save"));
    await waitFor(() => expect(sent("CreateSAMLProvider")).toEqual([{ Name: "FromFile", SAMLMetadataDocument: METADATA }]));
  });

  it("checks the name and the metadata's size before sending anything", async () => {
    const user = userEvent.setup();
    renderList();
    await user.click(await screen.findByTestId("saml-provider-add"));
    await user.type(screen.getByTestId("saml-provider-name"), "Corp IdP");
    await user.click(screen.getByTestId("saml-provider-metadata"));
    await user.paste("<EntityDescriptor/>");
    await user.click(screen.getByTestId("saml-provider-save"));

    await waitFor(() => expect(screen.getByTestId("saml-provider-name")).toHaveAttribute("aria-invalid", "true"));
    expect(screen.getByTestId("saml-provider-name")).toHaveAccessibleDescription(/Letters, digits and \. _ - only/);
    expect(screen.getByTestId("saml-provider-metadata")).toHaveAccessibleDescription(/At least 1,000 characters/);

    await user.clear(screen.getByTestId("saml-provider-name"));
    await user.type(screen.getByTestId("saml-provider-name"), "x".repeat(129));
    await user.click(screen.getByTestId("saml-provider-save"));
    await waitFor(() => expect(screen.getByTestId("saml-provider-name")).toHaveAccessibleDescription(/At most 128 characters/));
    expect(sent("CreateSAMLProvider")).toEqual([]);
  });

  it("shows the server's refusal in the dialog, which stays open", async () => {
    const user = userEvent.setup();
    vi.mocked(invoke).mockImplementation(async (cmd, args) => {
      const { target } = args as { target: string };
      if (cmd === "call" && target === `${IAM}.CreateSAMLProvider`) {
        throw { code: "InvalidParameterException", message: "The metadata has no IDPSSODescriptor with a signing certificate." };
      }
      return backend.invoke(cmd, args as Record<string, unknown>) as never;
    });
    renderList();
    await user.click(await screen.findByTestId("saml-provider-add"));
    await user.type(screen.getByTestId("saml-provider-name"), "CorpIdP");
    await user.click(screen.getByTestId("saml-provider-metadata"));
    await user.paste(METADATA);
    await user.click(screen.getByTestId("saml-provider-save"));

    const error = await screen.findByTestId("saml-provider-error");
    expect(error).toHaveTextContent("InvalidParameterException");
    expect(error).toHaveTextContent("The metadata has no IDPSSODescriptor with a signing certificate.");
    expect(screen.getByTestId("saml-provider-dialog")).toBeInTheDocument();
  });

  it("replaces a provider's metadata with UpdateSAMLProvider", async () => {
    const user = userEvent.setup();
    await call(`${IAM}.CreateSAMLProvider`, { Name: "CorpIdP", SAMLMetadataDocument: METADATA });
    renderList();
    await user.click(await screen.findByTestId("saml-provider-replace-CorpIdP"));
    expect(screen.getByTestId("saml-provider-name")).toHaveValue("CorpIdP");
    expect(screen.getByTestId("saml-provider-name")).toHaveAttribute("readonly");
    const next = METADATA.replace("https://idp.corp.example", "https://idp2.corp.example");
    await user.click(screen.getByTestId("saml-provider-metadata"));
    await user.paste(next);
    await user.click(screen.getByTestId("saml-provider-save"));
    await waitFor(() => expect(sent("UpdateSAMLProvider")).toEqual([{ SAMLProviderArn: ARN("CorpIdP"), SAMLMetadataDocument: next }]));
    expect(backend.samlProviders.get(ARN("CorpIdP"))!.SAMLMetadataDocument).toBe(next);
    expect(sent("CreateSAMLProvider")).toHaveLength(1);
  });

  it("deletes a provider only once the delete is confirmed", async () => {
    const user = userEvent.setup();
    await call(`${IAM}.CreateSAMLProvider`, { Name: "CorpIdP", SAMLMetadataDocument: METADATA });
    renderList();
    await user.click(await screen.findByTestId("saml-provider-delete-CorpIdP"));
    expect(within(screen.getByTestId("confirm-dialog")).getByText(/Delete CorpIdP\?/)).toBeInTheDocument();
    await user.click(screen.getByTestId("confirm-cancel"));
    expect(sent("DeleteSAMLProvider")).toEqual([]);

    await user.click(screen.getByTestId("saml-provider-delete-CorpIdP"));
    await user.click(screen.getByTestId("confirm-ok"));
    await waitFor(() => expect(sent("DeleteSAMLProvider")).toEqual([{ SAMLProviderArn: ARN("CorpIdP") }]));
    await waitFor(() => expect(screen.queryByTestId("saml-provider-row")).not.toBeInTheDocument());
  });
});
