import { useState } from "react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useApi } from "../../api/connection";
import { ApiError } from "../../api/errors";
import { useConfirm } from "../../components/Confirm";
import { useToast } from "../../components/Toast";
import { ErrorBox, FieldError, Spinner } from "../../components/bits";
import type { TermsType } from "../../generated/cognito-idp";
import { useAction } from "../../lib/useAction";
import { TERMS_KINDS, linksToText, textToLinks } from "./termsLinks";

type Kind = (typeof TERMS_KINDS)[number];

/**
 * The client's terms documents: a terms of use and a privacy policy, a link per language. The
 * login pages' sign-up form links to both once both exist.
 */
export function ClientTerms({ poolId, clientId }: { poolId: string; clientId: string }) {
  return (
    <section className="details-section" aria-labelledby="client-terms-title" data-testid="client-terms">
      <h3 id="client-terms-title">Terms documents</h3>
      <p className="muted">The sign-up page links to both once both are set, in the page's language or else the default one.</p>
      {TERMS_KINDS.map((kind) => (
        <TermsDocument key={kind.name} poolId={poolId} clientId={clientId} kind={kind} />
      ))}
    </section>
  );
}

function TermsDocument({ poolId, clientId, kind }: { poolId: string; clientId: string; kind: Kind }) {
  const api = useApi();
  const qc = useQueryClient();
  const toast = useToast();
  const confirm = useConfirm();
  const [draft, setDraft] = useState<string | null>(null);
  const [problem, setProblem] = useState<string>();
  const action = useAction();
  const { busy, error } = action;
  const key = [api.connection, "DescribeTermsByClient", poolId, clientId, kind.name];
  const q = useQuery({
    queryKey: key,
    queryFn: async (): Promise<TermsType | null> => {
      try {
        return (await api.idp("DescribeTermsByClient", { UserPoolId: poolId, ClientId: clientId, TermsName: kind.name })).Terms ?? null;
      } catch (e) {
        if (ApiError.from(e).code === "ResourceNotFoundException") return null;
        throw e;
      }
    },
  });
  const terms = q.data;
  const id = `terms-${kind.name}`;

  const run = (work: () => Promise<void>) =>
    action.run(async () => {
      await work();
      await qc.invalidateQueries({ queryKey: key });
    });

  const save = () => {
    const parsed = textToLinks(draft ?? "");
    if ("error" in parsed) {
      setProblem(parsed.error);
      return;
    }
    setProblem(undefined);
    void run(async () => {
      if (terms) {
        await api.idp("UpdateTerms", { UserPoolId: poolId, TermsId: terms.TermsId, Links: parsed.links });
      } else {
        await api.idp("CreateTerms", {
          UserPoolId: poolId,
          ClientId: clientId,
          TermsName: kind.name,
          TermsSource: "LINK",
          Enforcement: "NONE",
          Links: parsed.links,
        });
      }
      setDraft(null);
      toast.ok(`${kind.label} saved`);
    });
  };

  const remove = async () => {
    if (!terms) return;
    const ok = await confirm({
      title: `Remove the ${kind.label.toLowerCase()}`,
      message: `The sign-up page stops linking to the client's terms until a ${kind.label.toLowerCase()} is set again.`,
      confirmLabel: "Remove",
      danger: true,
    });
    if (!ok) return;
    await run(async () => {
      await api.idp("DeleteTerms", { UserPoolId: poolId, TermsId: terms.TermsId });
      toast.ok(`${kind.label} removed`);
    });
  };

  return (
    <div className="terms-document" data-testid={id}>
      <h4>{kind.label}</h4>
      {q.isPending && <Spinner />}
      <ErrorBox error={q.error ?? error} />
      {draft === null ? (
        <>
          {terms ? (
            <ul className="terms-links" aria-label={`${kind.label} links`}>
              {linksToText(terms.Links)
                .split("\n")
                .map((line) => (
                  <li key={line} className="mono" data-testid={`${id}-link`}>
                    {line}
                  </li>
                ))}
            </ul>
          ) : (
            !q.isPending && <p className="muted">Not set.</p>
          )}
          <div className="row-actions">
            <button type="button" className="small" data-testid={`${id}-edit`} disabled={q.isPending || busy} onClick={() => setDraft(linksToText(terms?.Links) || "default https://")}>
              {terms ? "Edit links" : "Set…"}
            </button>
            {terms && (
              <button type="button" className="small danger" data-testid={`${id}-remove`} disabled={busy} onClick={() => void remove()}>
                Remove
              </button>
            )}
          </div>
        </>
      ) : (
        <div className="terms-editor">
          <label htmlFor={`${id}-text`}>One link per line: a language (default, spanish, french, …), a space, the URL</label>
          <textarea
            id={`${id}-text`}
            data-testid={`${id}-text`}
            rows={3}
            value={draft}
            aria-invalid={!!problem}
            aria-describedby={problem ? `${id}-problem` : undefined}
            onChange={(e) => setDraft(e.target.value)}
          />
          <FieldError message={problem} id={`${id}-problem`} testId={`${id}-problem`} />
          <div className="row-actions">
            <button type="button" className="small" onClick={() => (setDraft(null), setProblem(undefined))}>
              Cancel
            </button>
            <button type="button" className="small primary" data-testid={`${id}-save`} disabled={busy} onClick={save}>
              Save
            </button>
          </div>
        </div>
      )}
    </div>
  );
}
