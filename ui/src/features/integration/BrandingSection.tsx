import { useDeferredValue, useEffect, useId, useRef, useState } from "react";
import { FormProvider, useForm, useWatch } from "react-hook-form";
import { zodResolver } from "@hookform/resolvers/zod";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useApi } from "../../api/connection";
import { useToast } from "../../components/Toast";
import { ErrorBox, FieldError, Spinner } from "../../components/bits";
import { TextAreaField, useSubmitError } from "../../components/form";
import { readFileAsBytes } from "../../lib/files";
import { formatEpoch } from "../../lib/format";
import { usePoolClients, useUserPool } from "../userPools/queries";
import {
  ALL_CLIENTS,
  brandingSchema,
  logoDataUrl,
  logoFromBytes,
  previewMarkup,
  savedBranding,
  toSetUICustomizationInput,
  type BrandingFormValues,
  type ChosenLogo,
  type SavedBranding,
} from "./brandingForm";
import { drawPreview, loginPreviewCss } from "./preview";

type V = BrandingFormValues;

function useUICustomization(poolId: string, scope: string) {
  const api = useApi();
  return useQuery({
    queryKey: [api.connection, "GetUICustomization", poolId, scope],
    queryFn: () => api.idp("GetUICustomization", { UserPoolId: poolId, ClientId: scope }),
    select: (r) => r.UICustomization,
  });
}

/** The login pages' look (classic hosted UI branding): a stylesheet and a logo, for every client or one. */
export function BrandingSection({ poolId }: { poolId: string }) {
  const pool = useUserPool(poolId);
  const clients = usePoolClients(poolId);
  const [scope, setScope] = useState<string>(ALL_CLIENTS);
  const saved = useUICustomization(poolId, scope);
  const scopeId = useId();
  const list = clients.data?.pages.flatMap((p) => p.UserPoolClients ?? []) ?? [];
  const hasDomain = !!(pool.data?.Domain || pool.data?.CustomDomain);
  const scopeName = scope === ALL_CLIENTS ? "all clients" : (list.find((c) => c.ClientId === scope)?.ClientName ?? scope);

  return (
    <section className="card integration-section" aria-labelledby="branding-title" data-testid="branding-section">
      <header className="integration-section-header">
        <h2 id="branding-title">Branding</h2>
      </header>
      <p className="muted">
        The look of the classic hosted UI's login pages: CSS for Cognito's <code>*-customizable</code> classes and a logo, for every app
        client or for one, whose own branding replaces the pool's.
      </p>
      <div className="field branding-scope">
        <label htmlFor={scopeId}>Applies to</label>
        <select id={scopeId} data-testid="branding-scope" value={scope} onChange={(e) => setScope(e.target.value)}>
          <option value={ALL_CLIENTS}>All clients (the pool's branding)</option>
          {list.map((c) => (
            <option key={c.ClientId} value={c.ClientId}>
              {c.ClientName ?? c.ClientId} ({c.ClientId})
            </option>
          ))}
        </select>
      </div>
      {saved.isPending && <Spinner label="Loading branding" />}
      <ErrorBox error={saved.error} onRetry={() => saved.refetch()} />
      {saved.data && (
        <>
          <SavedSummary saved={savedBranding(saved.data, scope)} scope={scope} />
          {/* A new scope starts from what that scope shows now. */}
          <BrandingForm key={scope} poolId={poolId} scope={scope} scopeName={scopeName} saved={savedBranding(saved.data, scope)} hasDomain={hasDomain} />
        </>
      )}
    </section>
  );
}

function SavedSummary({ saved, scope }: { saved: SavedBranding; scope: string }) {
  if (saved.kind === "none") {
    return (
      <p className="muted" data-testid="branding-saved">
        Nothing saved{scope === ALL_CLIENTS ? " for all clients" : " for this client or the pool"}: the login pages keep their default look.
      </p>
    );
  }
  const what = [saved.css?.trim() ? `CSS (${saved.css.length} characters)` : "no CSS", saved.logo ? "a logo" : "no logo"].join(", ");
  return (
    <p data-testid="branding-saved">
      {saved.kind === "inherited" ? (
        <strong data-testid="branding-inherited">This client has no branding of its own: it uses the pool's (All clients). </strong>
      ) : (
        <>Saved {scope === ALL_CLIENTS ? "for all clients" : "for this client"}: </>
      )}
      {what}
      {saved.modified !== undefined && <span className="muted">, last changed {formatEpoch(saved.modified)}</span>}.
    </p>
  );
}

function BrandingForm({
  poolId,
  scope,
  scopeName,
  saved,
  hasDomain,
}: {
  poolId: string;
  scope: string;
  scopeName: string;
  saved: SavedBranding;
  hasDomain: boolean;
}) {
  const api = useApi();
  const qc = useQueryClient();
  const toast = useToast();
  const submit = useSubmitError();
  const form = useForm<V>({ resolver: zodResolver(brandingSchema), defaultValues: { css: saved.kind === "none" ? "" : (saved.css ?? "") } });
  const [logo, setLogo] = useState<ChosenLogo | null>(null);
  const [logoError, setLogoError] = useState<string>();
  const fileInput = useRef<HTMLInputElement>(null);
  const logoId = useId();
  const css = useDeferredValue(useWatch({ control: form.control, name: "css" }));

  const choose = async (file: File | undefined) => {
    setLogoError(undefined);
    if (!file) return;
    try {
      const r = logoFromBytes(file.name, await readFileAsBytes(file));
      if ("error" in r) {
        setLogoError(r.error);
        setLogo(null);
        if (fileInput.current) fileInput.current.value = "";
      } else setLogo(r.logo);
    } catch {
      setLogoError(`${file.name} could not be read`);
    }
  };
  const removeLogo = () => {
    setLogo(null);
    setLogoError(undefined);
    if (fileInput.current) fileInput.current.value = "";
  };

  const onValid = async (v: V) => {
    try {
      const r = await api.idp("SetUICustomization", toSetUICustomizationInput(poolId, scope, v.css, logo));
      qc.setQueryData([api.connection, "GetUICustomization", poolId, scope], r);
      // A client without its own branding shows the pool's: every scope may have changed.
      await qc.invalidateQueries({ queryKey: [api.connection, "GetUICustomization", poolId] });
      toast.ok(`Branding for ${scopeName} saved`);
    } catch (e) {
      submit.setError(e);
    }
  };

  return (
    <div className="branding-layout">
      <FormProvider {...form}>
        <form className="form branding-form" noValidate aria-label="Branding" onSubmit={submit.clearingFirst(form.handleSubmit(onValid))}>
          <TextAreaField<V>
            name="css"
            label="CSS"
            testId="branding-css"
            errorTestId="branding-css-error"
            className="branding-css"
            rows={10}
            spellCheck={false}
            placeholder={".banner-customizable { background-color: #1f2937; }\n.submitButton-customizable { background-color: #0f766e; }"}
            hint="Rules for the customizable classes only, such as .submitButton-customizable:hover; no url(), @-rules or nested braces."
          />
          <div className="field">
            <label htmlFor={logoId}>Logo (PNG or JPEG, at most 100 KB)</label>
            <input
              ref={fileInput}
              id={logoId}
              type="file"
              accept="image/png,image/jpeg"
              data-testid="branding-logo"
              aria-invalid={!!logoError}
              onChange={(e) => void choose(e.target.files?.[0])}
            />
            {logo && (
              <span className="branding-logo-chosen" data-testid="branding-logo-chosen">
                <img src={logoDataUrl(logo)} alt="" className="branding-logo-thumb" /> {logo.name} ({Math.ceil(logo.size / 1024)} KB)
                <button type="button" className="small" data-testid="branding-logo-remove" onClick={removeLogo}>
                  Remove logo
                </button>
              </span>
            )}
            {!logo && saved.kind === "own" && saved.logo && (
              <span className="field-hint" data-testid="branding-logo-saved">
                A logo is saved. Saving replaces the CSS and the logo together: choose the logo again to keep it, or save without one to remove
                it.
              </span>
            )}
            <FieldError message={logoError} testId="branding-logo-error" />
          </div>
          <ErrorBox error={submit.error} testId="branding-error" />
          {!hasDomain && (
            <p className="muted" data-testid="branding-no-domain">
              The pool needs a domain (above) before its login pages can be branded.
            </p>
          )}
          <div className="row-actions">
            <button type="submit" className="primary" data-testid="branding-save" disabled={!hasDomain || form.formState.isSubmitting}>
              {form.formState.isSubmitting ? <Spinner label="Saving" /> : null} Save branding for {scopeName}
            </button>
          </div>
        </form>
      </FormProvider>
      <BrandingPreview css={css ?? ""} logo={logo} hasDomain={hasDomain} />
    </div>
  );
}

/** The sign-in page as it will look: markup and styles only, in a shadow root of its own. */
function BrandingPreview({ css, logo, hasDomain }: { css: string; logo: ChosenLogo | null; hasDomain: boolean }) {
  const host = useRef<HTMLDivElement>(null);
  const logoUrl = logo ? logoDataUrl(logo) : undefined;
  useEffect(() => {
    if (host.current) drawPreview(host.current, [loginPreviewCss, css], previewMarkup(logoUrl));
  }, [css, logoUrl, hasDomain]);
  return (
    <figure className="branding-preview">
      <figcaption>Preview of the sign-in page</figcaption>
      {hasDomain ? (
        <div ref={host} className="branding-preview-page" role="img" aria-label="Preview of the sign-in page" data-testid="branding-preview" />
      ) : (
        <p className="muted branding-preview-off" data-testid="branding-preview-off">
          No preview: without a domain this pool has no login pages. Create a domain above to brand them.
        </p>
      )}
    </figure>
  );
}
