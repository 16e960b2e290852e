import { useCallback, useEffect, useMemo, useState } from "react";
import { FormProvider, useForm, useWatch } from "react-hook-form";
import { zodResolver } from "@hookform/resolvers/zod";
import { useQueryClient } from "@tanstack/react-query";
import { createColumnHelper } from "@tanstack/react-table";
import { useApi } from "../../api/connection";
import { ApiError } from "../../api/errors";
import type { ListTriggerInvocationsRequest, TriggerInvocation } from "../../api/pooldesk";
import { useToast } from "../../components/Toast";
import { DataTable } from "../../components/DataTable";
import { EmptyState, ErrorBox, Spinner } from "../../components/bits";
import { SelectField, TextField, useSubmitError } from "../../components/form";
import type { LambdaConfigType, UserPoolType } from "../../generated/cognito-idp";
import { formatEpochMillis } from "../../lib/format";
import { useTableLoader } from "../../lib/useTableLoader";
import type { TableLoader } from "../../lib/tableLoader";
import { useUserPool } from "../userPools/queries";
import { InvocationJson, OutcomeBadge } from "./InvocationJson";
import {
  ALL_TRIGGERS,
  configuredFunction,
  configuredTriggers,
  PRE_TOKEN_VERSIONS,
  SENDERS,
  toUpdateTriggersRequest,
  TRIGGERS,
  triggerLabel,
  triggersFromPool,
  triggersSchema,
  type TriggerInfo,
  type TriggersFormInput,
  type TriggersFormValues,
} from "./triggerForm";
import "./triggers.css";

type V = TriggersFormInput;

/** The inspector's filters: as ListTriggerInvocations takes them. */
type InspectorQuery = Pick<ListTriggerInvocationsRequest, "Trigger" | "Outcome">;

const PAGE_SIZE = 50;

/** A server that is not PoolDesk (AWS itself) does not know PoolDesk's own operations. */
export function needsPoolDesk(error: unknown): boolean {
  return !!error && ApiError.from(error).code === "UnknownOperationException";
}

/**
 * The pool's Lambda triggers: which function each one calls (saved with UpdateUserPool, the rest
 * of the pool kept), a sample event sent to a configured one, and every call in the inspector.
 */
export function TriggersTab({ poolId }: { poolId: string }) {
  const api = useApi();
  const pool = useUserPool(poolId);
  const [loader, state] = useTableLoader<TriggerInvocation, InspectorQuery>(
    `${api.connection}/${poolId}`,
    async (q, token) => {
      const page = await api.pooldesk("ListTriggerInvocations", {
        UserPoolId: poolId,
        ...(q.Trigger ? { Trigger: q.Trigger } : {}),
        ...(q.Outcome ? { Outcome: q.Outcome } : {}),
        MaxResults: PAGE_SIZE,
        ...(token ? { NextToken: token } : {}),
      });
      return { items: page.Invocations, nextToken: page.NextToken };
    },
    {},
  );

  return (
    <div className="triggers-tab" data-testid="triggers-tab">
      {pool.isPending && <Spinner label="Loading triggers" />}
      <ErrorBox error={pool.error} onRetry={() => pool.refetch()} />
      {pool.data && <TriggersConfigSection pool={pool.data} onTested={() => void loader.reset()} />}
      <InspectorSection loader={loader} state={state} configured={pool.data ? configuredTriggers(pool.data.LambdaConfig).length > 0 : true} />
    </div>
  );
}

// ---------------------------------------------------------------------------------------------
// Configuration

interface TestState {
  pending?: boolean;
  invocation?: TriggerInvocation;
  error?: unknown;
}

function TriggersConfigSection({ pool, onTested }: { pool: UserPoolType; onTested: () => void }) {
  const api = useApi();
  const qc = useQueryClient();
  const toast = useToast();
  const submit = useSubmitError();
  const form = useForm<V, unknown, TriggersFormValues>({ resolver: zodResolver(triggersSchema), defaultValues: triggersFromPool(pool) });
  const { handleSubmit, reset, formState } = form;
  const [tests, setTests] = useState<Partial<Record<string, TestState>>>({});
  const poolId = pool.Id!;

  useEffect(() => reset(triggersFromPool(pool)), [pool, reset]);

  const onSave = async (v: TriggersFormValues) => {
    try {
      await api.idp("UpdateUserPool", toUpdateTriggersRequest(pool, v));
      toast.ok("Triggers saved");
    } catch (e) {
      submit.setError(e);
    } finally {
      await qc.invalidateQueries({ queryKey: [api.connection, "DescribeUserPool", poolId] });
    }
  };

  const test = async (name: string) => {
    setTests((t) => ({ ...t, [name]: { pending: true } }));
    try {
      const { Invocation } = await api.pooldesk("TestTrigger", { UserPoolId: poolId, Trigger: name });
      setTests((t) => ({ ...t, [name]: { invocation: Invocation } }));
      onTested();
    } catch (e) {
      setTests((t) => ({ ...t, [name]: { error: e } }));
    }
  };

  const triggerList = (triggers: readonly TriggerInfo[]) => (
    <ul className="trigger-list">
      {triggers.map((t) => (
        <TriggerRow
          key={t.name}
          trigger={t}
          config={pool.LambdaConfig}
          test={tests[t.name]}
          onTest={() => void test(t.name)}
          onCloseTest={() => setTests((s) => ({ ...s, [t.name]: undefined }))}
        />
      ))}
    </ul>
  );

  return (
    <section className="card triggers-section" aria-labelledby="triggers-config-title">
      <header className="triggers-section-header">
        <h2 id="triggers-config-title">Lambda triggers</h2>
      </header>
      <p className="muted">
        The Lambda function Cognito calls at each step, by ARN; leave a field empty for none. A function's error stops the step with the
        error the caller sees.
      </p>
      <FormProvider {...form}>
        <form className="form triggers-form" onSubmit={submit.clearingFirst(handleSubmit(onSave))} noValidate aria-label="Lambda triggers">
          {triggerList(TRIGGERS)}
          <section className="trigger-senders" aria-labelledby="trigger-senders-title" data-testid="trigger-senders">
            <h3 id="trigger-senders-title">Custom senders</h3>
            <p className="muted small-text">
              Cognito hands the codes and temporary passwords it would send to these functions instead of sending them, sealed with the AWS
              Encryption SDK under the KMS key (encryption context <span className="mono">userpool-id</span>); the function decrypts them
              with KMS.
            </p>
            {triggerList(SENDERS)}
            <div className="trigger-fields">
              <TextField<V>
                name="kmsKeyId"
                label="KMS key ARN"
                hint="Required with a custom sender."
                className="grow"
                testId="trigger-kms-key"
                errorTestId="trigger-kms-key-error"
                placeholder="arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
                spellCheck={false}
                autoComplete="off"
              />
            </div>
          </section>
          <ErrorBox error={submit.error} testId="triggers-error" />
          <div className="form-actions">
            <button type="submit" className="primary" disabled={formState.isSubmitting} data-testid="triggers-save">
              {formState.isSubmitting ? <Spinner label="Saving" /> : null} Save triggers
            </button>
          </div>
        </form>
      </FormProvider>
    </section>
  );
}

function TriggerRow({
  trigger: t,
  config,
  test,
  onTest,
  onCloseTest,
}: {
  trigger: TriggerInfo;
  config: LambdaConfigType | undefined;
  test: TestState | undefined;
  onTest: () => void;
  onCloseTest: () => void;
}) {
  const saved = configuredFunction(config, t.name);
  const typed = (useWatch<V>({ name: `arns.${t.name}` }) as string | undefined) ?? "";
  const unsaved = !!saved && typed.trim() !== saved.arn;
  return (
    <li className="trigger-row" data-testid={`trigger-row-${t.name}`}>
      <div className="trigger-head">
        <h3>{t.label}</h3>
        <span className="muted mono small-text">{t.name}</span>
      </div>
      <p className="muted small-text trigger-when" data-testid={`trigger-when-${t.name}`}>
        {t.when}
      </p>
      <div className="trigger-fields">
        <TextField<V>
          name={`arns.${t.name}`}
          label={`${t.label} function ARN`}
          className="grow"
          testId={`trigger-arn-${t.name}`}
          errorTestId={`trigger-arn-${t.name}-error`}
          placeholder="arn:aws:lambda:us-east-1:123456789012:function:my-function"
          spellCheck={false}
          autoComplete="off"
        />
        {t.name === "PreTokenGeneration" && (
          <SelectField<V>
            name="preTokenVersion"
            label="Event version"
            testId="trigger-version-PreTokenGeneration"
            options={PRE_TOKEN_VERSIONS}
          />
        )}
        {saved && (
          <button
            type="button"
            className="trigger-test-button"
            onClick={onTest}
            disabled={test?.pending || unsaved}
            title={unsaved ? "Save first: the test calls the saved function" : `Send ${saved.arn} a sample event`}
            data-testid={`trigger-test-${t.name}`}
          >
            {test?.pending ? <Spinner label="Sending" /> : null} Send a test event
          </button>
        )}
      </div>
      {test && !test.pending && <TestResult name={t.name} test={test} onClose={onCloseTest} />}
    </li>
  );
}

function TestResult({ name, test, onClose }: { name: string; test: TestState; onClose: () => void }) {
  const inv = test.invocation;
  return (
    <div className="trigger-test-result" role="region" aria-label={`Test of ${triggerLabel(name)}`} data-testid={`trigger-test-result-${name}`}>
      <header className="trigger-test-result-head">
        {inv ? (
          <span>
            Test event sent: <OutcomeBadge invocation={inv} testId="trigger-test-outcome" /> in {inv.DurationMs} ms,{" "}
            <span className="mono">{inv.Source}</span>
          </span>
        ) : (
          <span>Test event not sent</span>
        )}
        <button type="button" className="icon-button" aria-label="Close test result" onClick={onClose}>
          ×
        </button>
      </header>
      {test.error !== undefined &&
        (needsPoolDesk(test.error) ? (
          <p className="muted" data-testid="trigger-test-needs-pooldesk">
            Sending a test event needs a PoolDesk server: this connection's server does not offer it.
          </p>
        ) : (
          <ErrorBox error={test.error} testId="trigger-test-error" />
        ))}
      {inv && <InvocationJson invocation={inv} testIdPrefix="trigger-test" />}
    </div>
  );
}

// ---------------------------------------------------------------------------------------------
// Inspector

const col = createColumnHelper<TriggerInvocation>();

function isoTime(ms: number): string | undefined {
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

const COLUMNS = [
  col.accessor("Time", {
    header: "Time",
    meta: { key: true, width: "13rem" },
    cell: (c) => <time dateTime={isoTime(c.getValue())}>{formatEpochMillis(c.getValue())}</time>,
  }),
  col.accessor("Trigger", { header: "Trigger", meta: { key: true, width: "12rem" }, cell: (c) => <span title={c.getValue()}>{triggerLabel(c.getValue())}</span> }),
  col.accessor("Source", { header: "Source", cell: (c) => <span className="mono" title={c.getValue()}>{c.getValue()}</span> }),
  col.accessor("DurationMs", { header: "Duration", meta: { width: "6rem" }, cell: (c) => `${c.getValue()} ms` }),
  col.accessor((i) => (i.Error ? i.Error : "OK"), {
    id: "outcome",
    header: "Outcome",
    meta: { key: true, width: "16rem" },
    cell: (c) => <OutcomeBadge invocation={c.row.original} testId="trigger-invocation-outcome" />,
  }),
];

const invocationId = (i: TriggerInvocation) => String(i.Id);

function InspectorSection({
  loader,
  state,
  configured,
}: {
  loader: TableLoader<TriggerInvocation, InspectorQuery>;
  state: ReturnType<TableLoader<TriggerInvocation, InspectorQuery>["getState"]>;
  configured: boolean;
}) {
  const [query, setQuery] = useState<InspectorQuery>(loader.getQuery());
  const [openId, setOpenId] = useState<number | null>(null);
  const open = useMemo(() => state.rows.find((r) => r.Id === openId), [state.rows, openId]);
  const onNearEnd = useCallback((last: number) => void loader.ensureVisible(last), [loader]);
  const filtered = !!(query.Trigger || query.Outcome);

  const change = (next: InspectorQuery) => {
    setQuery(next);
    setOpenId(null);
    void loader.setQuery(next);
  };

  const noServer = needsPoolDesk(state.error);

  return (
    <section className="card triggers-section triggers-inspector" aria-labelledby="triggers-inspector-title">
      <header className="triggers-section-header">
        <h2 id="triggers-inspector-title">Inspector</h2>
        <button type="button" className="small" onClick={() => void loader.reset()} disabled={state.loading} data-testid="triggers-refresh">
          {state.loading ? <Spinner label="Refreshing" /> : null} Refresh
        </button>
      </header>
      <p className="muted">Every call of this pool's triggers, newest first: the event sent (secrets hidden) and what the function answered.</p>
      <div className="toolbar" role="search" aria-label="Filter invocations">
        <label className="field inline">
          <span>Trigger</span>
          <select
            value={query.Trigger ?? ""}
            onChange={(e) => change({ ...query, Trigger: e.target.value || undefined })}
            data-testid="triggers-filter-trigger"
          >
            <option value="">All triggers</option>
            {ALL_TRIGGERS.map((t) => (
              <option key={t.name} value={t.name}>
                {t.label}
              </option>
            ))}
          </select>
        </label>
        <label className="field inline">
          <span>Outcome</span>
          <select
            value={query.Outcome ?? ""}
            onChange={(e) => change({ ...query, Outcome: (e.target.value || undefined) as InspectorQuery["Outcome"] })}
            data-testid="triggers-filter-outcome"
          >
            <option value="">Any outcome</option>
            <option value="OK">OK</option>
            <option value="Failed">Failed</option>
          </select>
        </label>
      </div>
      {noServer ? (
        <EmptyState title="The inspector needs a PoolDesk server">
          <p data-testid="triggers-needs-pooldesk">
            This connection's server does not record trigger calls (it does not know PoolDesk.ListTriggerInvocations). Connect to a PoolDesk
            server to see them.
          </p>
        </EmptyState>
      ) : (
        <div className="triggers-table">
          <DataTable<TriggerInvocation>
            label="Trigger invocations"
            noun={["invocation", "invocations"]}
            columnsKey="triggerInvocations"
            rows={state.rows}
            columns={COLUMNS}
            getRowId={invocationId}
            complete={state.done}
            loading={state.loading}
            error={state.error}
            errorTestId="triggers-inspector-error"
            onRetry={() => void loader.retry()}
            onNearEnd={onNearEnd}
            onOpen={(i) => setOpenId(i.Id)}
            openId={openId === null ? null : String(openId)}
            scrollKey={query}
            rowTestId="trigger-invocation-row"
            empty={
              filtered ? (
                <EmptyState title="No invocation matches these filters">
                  <p>Choose all triggers and any outcome to see every call.</p>
                </EmptyState>
              ) : configured ? (
                <EmptyState title="No invocations yet">
                  <p data-testid="triggers-empty">Sign-ups, sign-ins and token refreshes will call the configured functions, or send a test event above.</p>
                </EmptyState>
              ) : (
                <EmptyState title="No triggers configured">
                  <p data-testid="triggers-empty">Give a trigger a function ARN above and save: its calls will show here.</p>
                </EmptyState>
              )
            }
          />
        </div>
      )}
      {open && <InvocationDetail invocation={open} onClose={() => setOpenId(null)} />}
    </section>
  );
}

function InvocationDetail({ invocation: i, onClose }: { invocation: TriggerInvocation; onClose: () => void }) {
  return (
    <section
      className="trigger-invocation-detail"
      aria-labelledby="trigger-invocation-title"
      data-testid="trigger-invocation-detail"
      onKeyDown={(k) => k.key === "Escape" && onClose()}
    >
      <header className="details-header">
        <h3 id="trigger-invocation-title">
          {triggerLabel(i.Trigger)} <OutcomeBadge invocation={i} />
        </h3>
        <button type="button" className="icon-button" aria-label="Close invocation" onClick={onClose}>
          ×
        </button>
      </header>
      <dl className="kv">
        <dt>Time</dt>
        <dd>
          <time dateTime={isoTime(i.Time)}>{formatEpochMillis(i.Time)}</time>
        </dd>
        <dt>Source</dt>
        <dd className="mono" data-testid="trigger-invocation-source">
          {i.Source}
        </dd>
        <dt>Function</dt>
        <dd className="mono" data-testid="trigger-invocation-function">
          {i.Function}
        </dd>
        <dt>Duration</dt>
        <dd>{i.DurationMs} ms</dd>
      </dl>
      <InvocationJson invocation={i} testIdPrefix="trigger-invocation" />
    </section>
  );
}
