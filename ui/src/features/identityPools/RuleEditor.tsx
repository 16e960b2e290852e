import { useId, type KeyboardEvent } from "react";
import {
  closestCenter,
  DndContext,
  KeyboardSensor,
  PointerSensor,
  useSensor,
  useSensors,
  type DragEndEvent,
} from "@dnd-kit/core";
import { SortableContext, sortableKeyboardCoordinates, useSortable, verticalListSortingStrategy } from "@dnd-kit/sortable";
import { CSS } from "@dnd-kit/utilities";
import type { MappingRule } from "../../generated/cognito-identity";
import {
  addRule,
  MATCH_TYPES,
  MAX_RULES,
  moveRule,
  removeRule,
  updateRule,
  type MappingDraft,
  type MappingErrors,
  type RuleDraft,
  type RuleErrors,
} from "../../lib/roleRules";
import { roleNameOf } from "../../lib/roleRules";
import { FieldError } from "../../components/bits";
import { decidingRule, outcomeSentence, type RuleOutcome } from "./simulation";
import "./roles.css";

/**
 * The ordered rules of one provider's mapping. Reorder by dragging the handle (mouse, or
 * keyboard: Space to lift, arrows to move, Space to drop), by the Move up/down buttons, or
 * with Alt+ArrowUp / Alt+ArrowDown anywhere in a rule.
 */
export function RuleEditor({
  draft,
  onChange,
  errors,
  showAllErrors,
  claimSuggestions,
  outcomes = new Map(),
}: {
  draft: MappingDraft;
  onChange: (d: MappingDraft) => void;
  errors: MappingErrors;
  showAllErrors: boolean;
  claimSuggestions: string[];
  /** The simulator's verdict per rule index, for the rules as they are on screen. */
  outcomes?: Map<number, RuleOutcome>;
}) {
  const listId = useId();
  const sensors = useSensors(
    useSensor(PointerSensor, { activationConstraint: { distance: 4 } }),
    useSensor(KeyboardSensor, { coordinateGetter: sortableKeyboardCoordinates }),
  );
  const ids = draft.rules.map((r) => r.id);
  const onDragEnd = (e: DragEndEvent) => {
    if (!e.over || e.active.id === e.over.id) return;
    onChange(moveRule(draft, ids.indexOf(String(e.active.id)), ids.indexOf(String(e.over.id))));
  };
  const full = draft.rules.length >= MAX_RULES;
  const decidedBy = decidingRule(outcomes);

  return (
    <div className="rule-editor">
      <datalist id={listId}>
        {claimSuggestions.map((c) => (
          <option key={c} value={c} />
        ))}
      </datalist>
      {draft.rules.length === 0 && <p className="muted">No rules yet. Rules are checked in order; the first match wins.</p>}
      <DndContext
        sensors={sensors}
        collisionDetection={closestCenter}
        onDragEnd={onDragEnd}
        accessibility={{
          announcements: {
            onDragStart: ({ active }) => `Picked up rule ${ids.indexOf(String(active.id)) + 1}.`,
            onDragOver: ({ active, over }) =>
              over ? `Rule ${ids.indexOf(String(active.id)) + 1} is over position ${ids.indexOf(String(over.id)) + 1}.` : "",
            onDragEnd: ({ active, over }) =>
              over ? `Rule ${ids.indexOf(String(active.id)) + 1} dropped at position ${ids.indexOf(String(over.id)) + 1}.` : "Dropped.",
            onDragCancel: () => "Reordering cancelled.",
          },
        }}
      >
        <SortableContext items={ids} strategy={verticalListSortingStrategy}>
          <ol className="rule-list" aria-label="Rules, in evaluation order">
            {draft.rules.map((rule, i) => (
              <RuleRow
                key={rule.id}
                rule={rule}
                index={i}
                count={draft.rules.length}
                errors={errors.rules[i] ?? {}}
                showAllErrors={showAllErrors}
                listId={listId}
                outcome={outcomes.get(i)}
                decidedBy={decidedBy}
                onPatch={(patch) => onChange(updateRule(draft, i, patch))}
                onMove={(to) => onChange(moveRule(draft, i, to))}
                onRemove={() => onChange(removeRule(draft, i))}
              />
            ))}
          </ol>
        </SortableContext>
      </DndContext>
      {errors.mapping.map((m) => (
        <FieldError key={m} message={m} />
      ))}
      <button type="button" className="small" data-testid="add-rule" disabled={full} onClick={() => onChange(addRule(draft))}>
        Add rule
      </button>
      {full && <span className="muted small-text"> Cognito allows at most {MAX_RULES} rules per provider.</span>}
    </div>
  );
}

function RuleRow({
  rule,
  index,
  count,
  errors,
  showAllErrors,
  listId,
  outcome,
  decidedBy,
  onPatch,
  onMove,
  onRemove,
}: {
  rule: RuleDraft;
  index: number;
  count: number;
  errors: RuleErrors;
  showAllErrors: boolean;
  listId: string;
  outcome: RuleOutcome | undefined;
  decidedBy: number | undefined;
  onPatch: (p: Partial<MappingRule>) => void;
  onMove: (to: number) => void;
  onRemove: () => void;
}) {
  const { attributes, listeners, setNodeRef, setActivatorNodeRef, transform, transition, isDragging } = useSortable({
    id: rule.id,
  });
  const n = index + 1;
  const matched = outcome?.Outcome === "Matched";
  const show = (k: keyof RuleErrors) => (showAllErrors || rule[k] !== "" ? errors[k] : undefined);
  const eid = (k: string) => `${rule.id}-${k}-error`;
  const roleName = roleNameOf(rule.RoleARN);
  const outcomeClass = outcome ? { Matched: "matched", NotMatched: "not-matched", NotReached: "not-reached" }[outcome.Outcome] : "";

  const onKeyDown = (e: KeyboardEvent) => {
    if (!e.altKey) return;
    if (e.key === "ArrowUp" && index > 0) {
      e.preventDefault();
      onMove(index - 1);
    } else if (e.key === "ArrowDown" && index < count - 1) {
      e.preventDefault();
      onMove(index + 1);
    }
  };

  return (
    <li
      ref={setNodeRef}
      className={`rule-card ${outcomeClass}${isDragging ? " dragging" : ""}`}
      data-testid="rule-row"
      data-matched={matched ? "true" : undefined}
      data-outcome={outcome?.Outcome}
      aria-label={`Rule ${n}${matched ? " (matched)" : ""}`}
      style={{ transform: CSS.Transform.toString(transform), transition }}
      onKeyDown={onKeyDown}
    >
      <div className="rule-order">
        <button
          type="button"
          className="drag-handle"
          ref={setActivatorNodeRef}
          {...attributes}
          {...listeners}
          aria-label={`Drag rule ${n} to reorder`}
          aria-roledescription="sortable rule"
        >
          ⠿
        </button>
        <span className="rule-number" aria-hidden="true">
          {n}
        </span>
      </div>
      <div className="rule-body">
        <div className="rule-condition">
          <label className="field">
            <span>Claim</span>
            <input
              data-testid="rule-claim"
              aria-label={`Rule ${n} claim`}
              list={listId}
              value={rule.Claim}
              aria-invalid={!!show("Claim")}
              aria-describedby={eid("claim")}
              onChange={(e) => onPatch({ Claim: e.target.value })}
            />
            <FieldError id={eid("claim")} message={show("Claim")} />
          </label>
          <label className="field">
            <span>Match</span>
            <select
              data-testid="rule-match"
              aria-label={`Rule ${n} match type`}
              value={rule.MatchType}
              onChange={(e) => onPatch({ MatchType: e.target.value as MappingRule["MatchType"] })}
            >
              {MATCH_TYPES.map((m) => (
                <option key={m} value={m}>
                  {m}
                </option>
              ))}
            </select>
          </label>
          <label className="field">
            <span>Value</span>
            <input
              data-testid="rule-value"
              aria-label={`Rule ${n} value`}
              value={rule.Value}
              aria-invalid={!!show("Value")}
              aria-describedby={eid("value")}
              onChange={(e) => onPatch({ Value: e.target.value })}
            />
            <FieldError id={eid("value")} message={show("Value")} />
          </label>
        </div>
        <div className="rule-role-line">
          <label className="field rule-role">
            <span>
              Role ARN
              {roleName && (
                <>
                  {" · role "}
                  <span className="rule-role-name" data-testid="rule-role-name">
                    {roleName}
                  </span>
                </>
              )}
            </span>
            <input
              data-testid="rule-role"
              aria-label={`Rule ${n} role ARN`}
              value={rule.RoleARN}
              title={rule.RoleARN || undefined}
              placeholder="arn:aws:iam::123456789012:role/name"
              aria-invalid={!!show("RoleARN")}
              aria-describedby={eid("role")}
              onChange={(e) => onPatch({ RoleARN: e.target.value })}
            />
          </label>
          <div className="rule-actions">
            <button type="button" className="small" data-testid="rule-up" aria-label={`Move rule ${n} up`} disabled={index === 0} onClick={() => onMove(index - 1)}>
              ↑
            </button>
            <button
              type="button"
              className="small"
              data-testid="rule-down"
              aria-label={`Move rule ${n} down`}
              disabled={index === count - 1}
              onClick={() => onMove(index + 1)}
            >
              ↓
            </button>
            <button type="button" className="small danger" data-testid="rule-remove" aria-label={`Remove rule ${n}`} onClick={onRemove}>
              Remove
            </button>
          </div>
        </div>
        <FieldError id={eid("role")} message={show("RoleARN")} />
        {outcome && (
          <p className={`rule-outcome ${outcomeClass}`} data-testid="rule-outcome" aria-live="polite">
            {outcomeSentence(outcome, decidedBy)}
          </p>
        )}
      </div>
    </li>
  );
}
