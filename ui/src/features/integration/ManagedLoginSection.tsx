import { useEffect, useId, useRef, useState } from "react";
import { FormProvider, get, useForm, useFormContext, useWatch } from "react-hook-form";
import { zodResolver } from "@hookform/resolvers/zod";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useApi } from "../../api/connection";
import { ApiError } from "../../api/errors";
import { useConfirm } from "../../components/Confirm";
import { useToast } from "../../components/Toast";
import { ErrorBox, FieldError, Spinner } from "../../components/bits";
import { useSubmitError } from "../../components/form";
import { readFileAsBytes } from "../../lib/files";
import { formatEpoch } from "../../lib/format";
import type { ManagedLoginBrandingType } from "../../generated/cognito-idp";
import { usePoolClients } from "../userPools/queries";
import { previewMarkup } from "./brandingForm";
import { drawPreview, loginPreviewCss } from "./preview";
import {
  COLOUR_FIELDS,
  DEFAULT_COLOURS,
  MODES,
  SCHEMES,
  assetDataUrl,
  assetsError,
  assetsFor,
  colourPath,
  createDefaultsInput,
  createInput,
  fieldsFromSettings,
  formFromStyle,
  formLogoFromBytes,
  formLogos,
  managedLoginSchema,
  parseSettings,
  pickedColour,
  pickerValue,
  previewCss,
  schemeMode,
  showSettings,
  showsFormLogo,
  updateInput,
  withColour,
  withScheme,
  type ColourId,
  type JsonObject,
  type LogoChange,
  type ManagedLoginFormValues,
  type Mode,
} from "./managedLoginForm";

type V = ManagedLoginFormValues;

/** The client's style, or null when it has none (the server answers ResourceNotFoundException). */
export function isNoStyle(e: unknown): boolean {
  return ApiError.from(e).code === "ResourceNotFoundException";
}

const styleKey = (connection: string, poolId: string, clientId: string) => [connection, "DescribeManagedLoginBrandingByClient", poolId, clientId];

function useManagedLoginStyle(poolId: string, clientId: string | undefined) {
  const api = useApi();
  return useQuery({
    queryKey: styleKey(api.connection, poolId, clientId ?? ""),
    enabled: !!clientId,
    queryFn: async (): Promise<ManagedLoginBrandingType | null> => {
      try {
        const r = await api.idp("DescribeManagedLoginBrandingByClient", { UserPoolId: poolId, ClientId: clientId! });
        return r.ManagedLoginBranding ?? null;
      } catch (e) {
        if (isNoStyle(e)) return null;
        throw e;
      }
    },
  });
}

/** Managed login (version 2) styles: one per app client, its Settings document and its assets. */
export function ManagedLoginSection({ poolId }: { poolId: string }) {
  const clients = usePoolClients(poolId);
  const list = clients.data?.pages.flatMap((p) => p.UserPoolClients ?? []) ?? [];
  const [picked, setPicked] = useState<string>();
  const clientId = picked ?? list[0]?.ClientId;
  const style = useManagedLoginStyle(poolId, clientId);
  const clientFieldId = useId();
  const clientName = list.find((c) => c.ClientId === clientId)?.ClientName ?? clientId ?? "";

  return (
    <section className="card integration-section" aria-labelledby="mlb-title" data-testid="mlb-section">
      <header className="integration-section-header">
        <h2 id="mlb-title">Managed login style</h2>
      </header>
      <p className="muted">
        The look of the login pages of domains on managed login version 2, one style per app client. Domains on version 1 (the classic hosted
        UI) use the Branding section below instead.
      </p>
      <p className="muted" data-testid="mlb-honoured">
        PoolDesk's pages render the colour scheme, the page, form, button, text, link and input colours below (light and dark) and the form
        logo and favicon assets. Other settings are kept and saved with the style, but PoolDesk does not render them.
      </p>
      {clients.isPending && <Spinner label="Loading app clients" />}
      <ErrorBox error={clients.error} onRetry={() => clients.refetch()} />
      {clients.data && list.length === 0 && (
        <p className="muted" data-testid="mlb-no-clients">
          This pool has no app clients: create one to give it a style.
        </p>
      )}
      {clientId && (
        <div className="field fit">
          <label htmlFor={clientFieldId}>App client</label>
          <select id={clientFieldId} data-testid="mlb-client" value={clientId} onChange={(e) => setPicked(e.target.value)}>
            {list.map((c) => (
              <option key={c.ClientId} value={c.ClientId}>
                {c.ClientName ?? c.ClientId} ({c.ClientId})
              </option>
            ))}
          </select>
        </div>
      )}
      {clientId && style.isPending && <Spinner label="Loading the style" />}
      <ErrorBox error={style.error} onRetry={() => style.refetch()} />
      {clientId && style.data !== undefined && (
        <ClientStyle key={`${clientId}/${style.data?.ManagedLoginBrandingId ?? ""}`} poolId={poolId} clientId={clientId} clientName={clientName} style={style.data} />
      )}
    </section>
  );
}

function ClientStyle({ poolId, clientId, clientName, style }: { poolId: string; clientId: string; clientName: string; style: ManagedLoginBrandingType | null }) {
  const api = useApi();
  const qc = useQueryClient();
  const toast = useToast();
  const confirm = useConfirm();
  const [choice, setChoice] = useState<"defaults" | "custom">("defaults");
  const [creatingCustom, setCreatingCustom] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const choiceName = useId();

  const stored = (s: ManagedLoginBrandingType | null) => qc.setQueryData(styleKey(api.connection, poolId, clientId), s);

  const create = async () => {
    setError(null);
    if (choice === "custom") {
      setCreatingCustom(true);
      return;
    }
    setBusy(true);
    try {
      const r = await api.idp("CreateManagedLoginBranding", createDefaultsInput(poolId, clientId));
      stored(r.ManagedLoginBranding ?? null);
      toast.ok(`Style for ${clientName} created`);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  const remove = async () => {
    if (!style?.ManagedLoginBrandingId) return;
    const ok = await confirm({
      title: "Delete style",
      message: `Delete the managed login style of ${clientName}? On a managed login (version 2) domain its login pages are unavailable until it has a style again.`,
      confirmLabel: "Delete style",
      danger: true,
    });
    if (!ok) return;
    setError(null);
    try {
      await api.idp("DeleteManagedLoginBranding", { UserPoolId: poolId, ManagedLoginBrandingId: style.ManagedLoginBrandingId });
      stored(null);
      toast.ok(`Style for ${clientName} deleted`);
    } catch (e) {
      setError(e);
    }
  };

  if (!style) {
    return (
      <div className="integration-item" data-testid="mlb-none">
        <p>This client has no managed login style: on a managed login (version 2) domain its login pages are unavailable until it has one.</p>
        {!creatingCustom ? (
          <>
            <fieldset>
              <legend>New style</legend>
              <label>
                <input type="radio" name={choiceName} value="defaults" checked={choice === "defaults"} onChange={() => setChoice("defaults")} data-testid="mlb-choice-defaults" />{" "}
                Cognito's defaults
              </label>
              <label>
                <input type="radio" name={choiceName} value="custom" checked={choice === "custom"} onChange={() => setChoice("custom")} data-testid="mlb-choice-custom" /> Custom
                colours and logo
              </label>
            </fieldset>
            <ErrorBox error={error} testId="mlb-error" />
            <div className="row-actions">
              <button type="button" className="primary" data-testid="mlb-create" disabled={busy} onClick={() => void create()}>
                {busy ? <Spinner label="Creating" /> : null} Create style
              </button>
            </div>
          </>
        ) : (
          <StyleEditor poolId={poolId} clientId={clientId} clientName={clientName} style={null} onSaved={stored} onCancel={() => setCreatingCustom(false)} />
        )}
      </div>
    );
  }

  return (
    <div className="integration-item" data-testid="mlb-style">
      <p data-testid="mlb-summary">
        This client has a style
        {style.UseCognitoProvidedValues ? " with Cognito's defaults" : ""}
        {style.Assets?.length ? ` and ${style.Assets.length} asset${style.Assets.length === 1 ? "" : "s"}` : ""}
        {style.LastModifiedDate !== undefined && <span className="muted">, last changed {formatEpoch(style.LastModifiedDate)}</span>}.{" "}
        <span className="muted mono small-text">{style.ManagedLoginBrandingId}</span>
      </p>
      {style.UseCognitoProvidedValues && (
        <p className="muted" data-testid="mlb-defaults-note">
          Saving below replaces Cognito's defaults with the settings shown (empty colours leave the login pages' defaults).
        </p>
      )}
      <div className="row-actions">
        <button type="button" className="danger" data-testid="mlb-delete" onClick={() => void remove()}>
          Delete style
        </button>
      </div>
      <ErrorBox error={error} testId="mlb-delete-error" />
      <StyleEditor poolId={poolId} clientId={clientId} clientName={clientName} style={style} onSaved={stored} />
    </div>
  );
}

/** Colours, scheme, logo and the whole Settings JSON; Save creates the style (style null) or updates it. */
function StyleEditor({
  poolId,
  clientId,
  clientName,
  style,
  onSaved,
  onCancel,
}: {
  poolId: string;
  clientId: string;
  clientName: string;
  style: ManagedLoginBrandingType | null;
  onSaved: (s: ManagedLoginBrandingType | null) => void;
  onCancel?: () => void;
}) {
  const api = useApi();
  const toast = useToast();
  const submit = useSubmitError();
  const form = useForm<V>({ resolver: zodResolver(managedLoginSchema), defaultValues: formFromStyle(style) });
  const [logo, setLogo] = useState<LogoChange>({ kind: "keep" });
  const [logoError, setLogoError] = useState<string>();
  const fileInput = useRef<HTMLInputElement>(null);
  const logoId = useId();
  const schemeId = useId();
  const savedLogo = formLogos(style?.Assets)[0];

  /** A colour box or the scheme changed: the JSON follows when it can be read (other keys kept). */
  const syncJson = (change: (doc: JsonObject) => JsonObject) => {
    const parsed = parseSettings(form.getValues("json"));
    if ("settings" in parsed) form.setValue("json", showSettings(change(parsed.settings)), { shouldValidate: form.formState.isSubmitted });
  };
  const onColour = (mode: Mode, id: ColourId, text: string) => syncJson((doc) => withColour(doc, colourPath(id, mode), text));
  /** The JSON changed: the boxes show what it says, when it can be read. */
  const onJson = (text: string) => {
    const parsed = parseSettings(text);
    if (!("settings" in parsed)) return;
    const f = fieldsFromSettings(parsed.settings);
    form.setValue("scheme", f.scheme);
    for (const { mode } of MODES) for (const c of COLOUR_FIELDS) form.setValue(`colours.${mode}.${c.id}`, f.colours[mode][c.id]);
    if (form.formState.isSubmitted) void form.trigger();
  };

  const choose = async (file: File | undefined) => {
    setLogoError(undefined);
    if (!file) return;
    try {
      const r = formLogoFromBytes(file.name, await readFileAsBytes(file));
      if ("error" in r) {
        setLogoError(r.error);
        if (fileInput.current) fileInput.current.value = "";
      } else setLogo({ kind: "set", logo: r.logo });
    } catch {
      setLogoError(`${file.name} could not be read`);
    }
  };
  const removeLogo = () => {
    setLogo(savedLogo ? { kind: "remove" } : { kind: "keep" });
    setLogoError(undefined);
    if (fileInput.current) fileInput.current.value = "";
  };

  const onValid = async (v: V) => {
    const tooMany = assetsError(assetsFor(style?.Assets, logo));
    if (tooMany) {
      submit.setError(new ApiError("InvalidParameterException", tooMany));
      return;
    }
    try {
      const r = style?.ManagedLoginBrandingId
        ? await api.idp("UpdateManagedLoginBranding", updateInput(poolId, style, v, logo))
        : await api.idp("CreateManagedLoginBranding", createInput(poolId, clientId, v, logo));
      const saved = r.ManagedLoginBranding ?? null;
      // The form now starts from what was saved: the logo chosen is the saved one.
      form.reset(formFromStyle(saved));
      setLogo({ kind: "keep" });
      if (fileInput.current) fileInput.current.value = "";
      onSaved(saved);
      toast.ok(`Style for ${clientName} saved`);
    } catch (e) {
      submit.setError(e);
    }
  };

  const shownLogo = logo.kind === "set" ? logo.logo.asset : logo.kind === "keep" ? savedLogo : undefined;
  const shownUrl = shownLogo ? assetDataUrl(shownLogo) : undefined;

  return (
    <FormProvider {...form}>
      <form className="form mlb-form" noValidate aria-label={`Managed login style of ${clientName}`} onSubmit={submit.clearingFirst(form.handleSubmit(onValid))}>
        <div className="field fit">
          <label htmlFor={schemeId}>Colour scheme</label>
          <select
            id={schemeId}
            data-testid="mlb-scheme"
            {...form.register("scheme", { onChange: (e) => syncJson((doc) => withScheme(doc, e.target.value)) })}
          >
            {SCHEMES.map((s) => (
              <option key={s.value} value={s.value}>
                {s.label}
              </option>
            ))}
          </select>
        </div>
        <div className="mlb-modes">
          {MODES.map((m) => (
            <fieldset key={m.mode} data-testid={`mlb-${m.mode}`}>
              <legend>{m.label} colours</legend>
              <p className="field-hint">RRGGBB or RRGGBBAA (alpha); empty leaves Cognito's value, shown greyed in the box.</p>
              {COLOUR_FIELDS.map((c) => (
                <ColourField key={c.id} mode={m.mode} modeLabel={m.label} id={c.id} label={c.label} onText={(t) => onColour(m.mode, c.id, t)} />
              ))}
            </fieldset>
          ))}
        </div>
        <div className="field">
          <label htmlFor={logoId}>Form logo (PNG, JPEG, SVG or WEBP, at most 1,000,000 bytes)</label>
          <input
            ref={fileInput}
            id={logoId}
            type="file"
            accept="image/png,image/jpeg,image/svg+xml,image/webp"
            data-testid="mlb-logo"
            aria-invalid={!!logoError}
            onChange={(e) => void choose(e.target.files?.[0])}
          />
          {shownLogo && (
            <span className="branding-logo-chosen" data-testid="mlb-logo-chosen">
              {shownUrl && <img src={shownUrl} alt="" className="branding-logo-thumb" />}{" "}
              {logo.kind === "set" ? `${logo.logo.name} (${logo.logo.size.toLocaleString("en-US")} bytes)` : `Saved logo (${shownLogo.Extension})`}
              <button type="button" className="small" data-testid="mlb-logo-remove" onClick={removeLogo}>
                Remove logo
              </button>
            </span>
          )}
          {logo.kind === "remove" && (
            <span className="field-hint" data-testid="mlb-logo-removed">
              The saved logo is removed when you save.
            </span>
          )}
          <FieldError message={logoError} testId="mlb-logo-error" />
        </div>
        <JsonField onText={onJson} />
        <ErrorBox error={submit.error} testId="mlb-error" />
        <div className="row-actions">
          <button type="submit" className="primary" data-testid="mlb-save" disabled={form.formState.isSubmitting}>
            {form.formState.isSubmitting ? <Spinner label="Saving" /> : null} {style ? "Save style" : "Create style"} for {clientName}
          </button>
          {onCancel && (
            <button type="button" data-testid="mlb-cancel" onClick={onCancel}>
              Cancel
            </button>
          )}
        </div>
      </form>
      <StylePreview logoUrl={shownUrl} />
    </FormProvider>
  );
}

/**
 * The sign-in page as the style draws it: login.css with the colours as the server renders them
 * (Cognito's defaults where a box is empty), and the form logo. A DYNAMIC scheme follows the
 * browser, so a Light / Dark toggle picks the mode drawn.
 */
function StylePreview({ logoUrl }: { logoUrl?: string }) {
  const { control } = useFormContext<V>();
  const scheme = useWatch({ control, name: "scheme" });
  const colours = useWatch({ control, name: "colours" });
  const json = useWatch({ control, name: "json" });
  const [dynamic, setDynamic] = useState<Mode>("light");
  const host = useRef<HTMLDivElement>(null);
  const mode = schemeMode(scheme, dynamic);
  const css = previewCss({ scheme, colours }, dynamic);
  const parsed = parseSettings(json ?? "");
  const logo = "settings" in parsed && !showsFormLogo(parsed.settings) ? undefined : logoUrl;
  useEffect(() => {
    if (host.current) drawPreview(host.current, [loginPreviewCss, css], previewMarkup(logo));
  }, [css, logo]);
  const label = `Preview of the sign-in page, ${mode} mode`;
  return (
    <figure className="branding-preview mlb-preview">
      <figcaption>
        Preview of the sign-in page{" "}
        {scheme === "DYNAMIC" ? (
          <span className="mlb-preview-modes" role="group" aria-label="Mode shown in the preview">
            {MODES.map((m) => (
              <button
                key={m.mode}
                type="button"
                className="small"
                aria-pressed={dynamic === m.mode}
                data-testid={`mlb-preview-${m.mode}`}
                onClick={() => setDynamic(m.mode)}
              >
                {m.mode === "light" ? "Light" : "Dark"}
              </button>
            ))}
          </span>
        ) : (
          <span className="muted">({mode} mode)</span>
        )}
      </figcaption>
      <div ref={host} className="branding-preview-page" role="img" aria-label={label} data-testid="mlb-preview" data-mode={mode} />
    </figure>
  );
}

function ColourField({ mode, modeLabel, id, label, onText }: { mode: Mode; modeLabel: string; id: ColourId; label: string; onText: (text: string) => void }) {
  const { register, setValue, watch, formState } = useFormContext<V>();
  const name = `colours.${mode}.${id}` as const;
  const text = watch(name) ?? "";
  const textId = useId();
  const errorId = `${textId}-error`;
  const error = (get(formState.errors, name) as { message?: string } | undefined)?.message;
  const testId = `mlb-${mode}-${id}`;
  return (
    <div className="field mlb-colour">
      <label htmlFor={textId}>{label}</label>
      <span className="mlb-colour-row">
        <label className="mlb-swatch">
          <input
            type="color"
            value={pickerValue(text, DEFAULT_COLOURS[mode][id])}
            data-testid={`${testId}-picker`}
            onChange={(e) => {
              const next = pickedColour(text, e.target.value);
              setValue(name, next, { shouldValidate: formState.isSubmitted });
              onText(next);
            }}
          />
          <span className="small-text">
            Pick<span className="sr-only">
              {" "}
              {label}, {modeLabel.toLowerCase()}
            </span>
          </span>
        </label>
        <input
          id={textId}
          type="text"
          className="mono"
          spellCheck={false}
          autoComplete="off"
          placeholder={DEFAULT_COLOURS[mode][id]}
          data-testid={testId}
          aria-invalid={!!error}
          aria-describedby={error ? errorId : undefined}
          {...register(name, { onChange: (e) => onText(e.target.value) })}
        />
      </span>
      <FieldError id={errorId} message={error} testId={`${testId}-error`} />
    </div>
  );
}

function JsonField({ onText }: { onText: (text: string) => void }) {
  const { register, formState } = useFormContext<V>();
  const id = useId();
  const error = formState.errors.json?.message;
  return (
    <details className="mlb-advanced" open={!!error || undefined}>
      <summary>Advanced: Settings JSON</summary>
      <div className="field branding-css">
        <label htmlFor={id}>Settings JSON (the whole document, kept as is apart from the fields above)</label>
        <textarea
          id={id}
          rows={14}
          spellCheck={false}
          data-testid="mlb-json"
          aria-invalid={!!error}
          aria-describedby={error ? `${id}-error` : undefined}
          {...register("json", { onChange: (e) => onText(e.target.value) })}
        />
        <FieldError id={`${id}-error`} message={error} testId="mlb-json-error" />
      </div>
    </details>
  );
}
