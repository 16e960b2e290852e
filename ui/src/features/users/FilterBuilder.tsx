import { useId, useState } from "react";
import {
  allowedOperators,
  buildFilter,
  FILTER_ATTRIBUTES,
  isFilterAttribute,
  normalizeOperator,
  valueSuggestions,
  type FilterAttribute,
  type FilterOperator,
} from "../../lib/filter";

/**
 * Attribute / operator / value → Cognito's `Filter` string (undefined = all users). Starts on
 * `initialAttribute`: e-mail in pools whose usernames are internal ids (a username search finds
 * nothing a person would type there).
 */
export function FilterBuilder({
  onApply,
  busy,
  initialAttribute = "username",
}: {
  onApply: (filter: string | undefined) => void;
  busy?: boolean;
  initialAttribute?: FilterAttribute;
}) {
  const [attribute, setAttribute] = useState<FilterAttribute>(initialAttribute);
  const [operator, setOperator] = useState<FilterOperator>("^=");
  const [value, setValue] = useState("");
  const [applied, setApplied] = useState<string | undefined>(undefined);
  const listId = useId();
  const suggestions = valueSuggestions(attribute);

  const apply = (v = value) => {
    const f = buildFilter({ attribute, operator, value: v });
    setApplied(f);
    onApply(f);
  };

  return (
    <form
      className="filter-builder"
      role="search"
      aria-label="Filter users"
      onSubmit={(e) => {
        e.preventDefault();
        apply();
      }}
    >
      <label className="field inline">
        <span>Attribute</span>
        <select
          data-testid="filter-attribute"
          aria-label="Filter attribute"
          value={attribute}
          onChange={(e) => {
            const a = e.target.value;
            if (!isFilterAttribute(a)) return;
            setAttribute(a);
            setOperator((op) => normalizeOperator(a, op));
          }}
        >
          {FILTER_ATTRIBUTES.map((a) => (
            <option key={a} value={a}>
              {a}
            </option>
          ))}
        </select>
      </label>
      <label className="field inline">
        <span>Operator</span>
        <select
          data-testid="filter-operator"
          aria-label="Filter operator"
          value={operator}
          onChange={(e) => setOperator(e.target.value as FilterOperator)}
        >
          {allowedOperators(attribute).map((op) => (
            <option key={op} value={op}>
              {op === "=" ? "= (equals)" : "^= (starts with)"}
            </option>
          ))}
        </select>
      </label>
      <label className="field inline grow">
        <span>Value</span>
        <input
          data-testid="filter-value"
          aria-label="Filter value"
          value={value}
          list={suggestions.length ? listId : undefined}
          onChange={(e) => setValue(e.target.value)}
          placeholder="empty = all users"
        />
        {suggestions.length > 0 && (
          <datalist id={listId}>
            {suggestions.map((s) => (
              <option key={s} value={s} />
            ))}
          </datalist>
        )}
      </label>
      <button type="submit" data-testid="filter-apply" disabled={busy}>
        Apply
      </button>
      {applied !== undefined && (
        <button
          type="button"
          className="small"
          onClick={() => {
            setValue("");
            apply("");
          }}
        >
          Clear
        </button>
      )}
      <code className="filter-preview" aria-live="polite" data-testid="filter-preview">
        {applied ?? "no filter"}
      </code>
    </form>
  );
}
