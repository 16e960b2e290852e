// The one table of the app (users, groups, members, messages, audit log): rows from a cursor
// loader or a query, virtualised, sortable, with a total, a remembered column choice and one
// selection model for bulk actions. TanStack Table owns the columns, headers and state; it is
// only ever given the rows on screen (see sortRows.ts for why), so appending a page costs the
// page, not every row loaded so far.
import { memo, useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import {
  flexRender,
  getCoreRowModel,
  useReactTable,
  type ColumnDef,
  type Row,
  type RowSelectionState,
  type SortingState,
} from "@tanstack/react-table";
import { observeElementRect, useVirtualizer } from "@tanstack/react-virtual";
import { EmptyState, ErrorBox, Spinner } from "./bits";
import { useColumnChoice } from "./dataTable/columnChoice";
import { Menu, MenuCheckboxItem, MenuLabel } from "./Menu";
import { columnId, sortRows } from "./dataTable/sortRows";
import "./dataTable/DataTable.css";

export type { RowSelectionState } from "@tanstack/react-table";

/** What the rows are called: "user" / "users". */
export type Noun = readonly [singular: string, plural: string];

export interface DataTableProps<T> {
  /** The table's accessible name, e.g. "Users". */
  label: string;
  noun: Noun;
  rows: readonly T[];
  columns: ColumnDef<T, any>[];
  getRowId: (row: T) => string;
  /** Remembers the column choice under this name, e.g. "users". */
  columnsKey: string;
  /** Every row is loaded (the cursor reached the end). */
  complete: boolean;
  loading?: boolean;
  error?: unknown;
  onRetry?: () => void;
  /** data-testid of the error box; "error" when not given. */
  errorTestId?: string;
  /** Called with the last row index on screen: a cursor loader fetches more near the end. */
  onNearEnd?: (lastVisibleIndex: number) => void;
  /** The server's count (or estimate) of all rows, loaded or not. */
  total?: { count: number; estimate?: boolean };
  /** The server lists in no order: sorting can only order the rows loaded so far. */
  unordered?: boolean;
  /** Tick boxes and a "select all loaded" box; bulk actions act on these ids only. */
  selection?: { state: RowSelectionState; onChange: (next: RowSelectionState) => void };
  /** Opens a row (click, Enter); `openId` marks the open one. */
  onOpen?: (row: T) => void;
  openId?: string | null;
  /** Shows only the columns marked `meta.key` (a details panel takes the rest of the width). */
  narrow?: boolean;
  /** Scrolls back to the top whenever this changes (a new filter). */
  scrollKey?: unknown;
  rowTestId?: string;
  /** Extra attributes for a row, e.g. `{ "data-username": ... }`. */
  rowAttributes?: (row: T) => Record<string, string | undefined>;
  empty?: ReactNode;
  /** Controls shown left of the Columns menu (bulk actions). */
  actions?: ReactNode;
  rowHeight?: number;
  /** How a row is named to a person, for its tick box ("Select alice@example.com"). */
  rowLabel?: (row: T) => string;
}

const DEFAULT_ROW_HEIGHT = 36;
const NO_SELECTION: RowSelectionState = {};

// An element without layout (jsdom, a tab not yet shown) reports a height of 0; render a first
// screen of rows anyway rather than none.
const observeRectWithFallback: typeof observeElementRect = (instance, cb) =>
  observeElementRect(instance, (rect) => cb(rect.height > 0 ? rect : { width: rect.width || 800, height: 600 }));

export function DataTable<T>(props: DataTableProps<T>) {
  const { rows, columns, getRowId, selection, narrow, rowHeight = DEFAULT_ROW_HEIGHT } = props;
  const [sorting, setSorting] = useState<SortingState>([]);
  const [visibility, setVisibility] = useColumnChoice(props.columnsKey, columns);
  const shownVisibility = useMemo(
    () =>
      narrow
        ? { ...visibility, ...Object.fromEntries(columns.filter((c) => !c.meta?.key && c.id !== "select").map((c) => [columnId(c), false])) }
        : visibility,
    [narrow, visibility, columns],
  );

  const ordered = useMemo(() => sortRows(rows, sorting, columns), [rows, sorting, columns]);

  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: ordered.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => rowHeight,
    overscan: 10,
    observeElementRect: observeRectWithFallback,
  });
  const items = virtualizer.getVirtualItems();
  const first = items[0]?.index ?? 0;
  const last = items.length ? items[items.length - 1]!.index : -1;
  const onScreen = useMemo(() => ordered.slice(first, last + 1), [ordered, first, last]);

  const selected = selection?.state ?? NO_SELECTION;
  const rowLabel = props.rowLabel ?? getRowId;
  const selectMeta: SelectMeta<T> = useMemo(() => ({ allRows: rows, getRowId, rowLabel }), [rows, getRowId, rowLabel]);
  const table = useReactTable({
    data: onScreen as T[],
    columns: useMemo(() => (selection ? [selectColumn<T>(), ...columns] : columns), [selection ? 1 : 0, columns]), // eslint-disable-line react-hooks/exhaustive-deps
    getCoreRowModel: getCoreRowModel(),
    getRowId: (row) => getRowId(row),
    manualSorting: true,
    sortDescFirst: false,
    state: { sorting, rowSelection: selected, columnVisibility: shownVisibility },
    onSortingChange: setSorting,
    onColumnVisibilityChange: setVisibility,
    onRowSelectionChange: (updater) => selection?.onChange(typeof updater === "function" ? updater(selected) : updater),
    enableRowSelection: !!selection,
    meta: selectMeta,
  });

  const { onNearEnd } = props;
  useEffect(() => {
    if (last >= 0 || ordered.length === 0) onNearEnd?.(Math.max(last, 0));
  }, [last, ordered.length, onNearEnd]);

  useEffect(() => {
    if (scrollRef.current) scrollRef.current.scrollTop = 0;
    virtualizer.scrollToOffset(0);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [props.scrollKey]);

  const tableRows = table.getRowModel().rows;
  // What a row's cells depend on besides its data: when none of it changes, rows already on
  // screen are not rendered again as pages arrive (cells may format dates, which is slow).
  const cellsKey = `${table.getVisibleLeafColumns().map((c) => c.id).join(",")}|${columnsIdentity(table.options.columns)}`;
  const visibleColumns = table.getVisibleLeafColumns();
  const [singular, plural] = props.noun;
  const sortedLoadedOnly = props.unordered && !props.complete && sorting.length > 0;

  return (
    <div className="dt" data-narrow={narrow ? "true" : undefined}>
      <div className="dt-bar">
        <span className="dt-count" aria-live="polite" data-testid="table-count">
          {countText(rows.length, props.complete, props.total, singular, plural)}
        </span>
        {sortedLoadedOnly && (
          <span className="dt-note" data-testid="sort-note">
            Sorted among the {rows.length.toLocaleString()} loaded: the server lists {plural} in no order, so
            ones further down are not sorted in yet.
          </span>
        )}
        <span className="dt-bar-actions">
          {props.actions}
          <Menu label="Columns" testId="table-columns">
            <MenuLabel>Columns shown</MenuLabel>
            {table
              .getAllLeafColumns()
              .filter((c) => c.id !== "select")
              .map((c) => (
                <MenuCheckboxItem
                  key={c.id}
                  testId={`column-${c.id}`}
                  checked={visibility[c.id] !== false}
                  // The last column shown stays: a table of no columns shows nothing.
                  disabled={visibility[c.id] !== false && table.getAllLeafColumns().filter((x) => x.id !== "select" && visibility[x.id] !== false).length === 1}
                  onCheckedChange={(checked) => setVisibility((v) => ({ ...v, [c.id]: checked }))}
                >
                  {c.columnDef.meta?.label ?? (typeof c.columnDef.header === "string" ? c.columnDef.header : c.id)}
                </MenuCheckboxItem>
              ))}
          </Menu>
        </span>
      </div>
      <ErrorBox error={props.error} onRetry={props.onRetry} testId={props.errorTestId} />
      <div className="dt-scroll" ref={scrollRef} tabIndex={-1}>
        <table className="data-table dt-table" aria-label={props.label} aria-rowcount={props.complete ? rows.length + 1 : -1}>
          <colgroup>
            {visibleColumns.map((c) => (
              <col key={c.id} style={{ width: c.id === "select" ? "2.4rem" : (narrow && c.columnDef.meta?.narrowWidth) || c.columnDef.meta?.width }} />
            ))}
          </colgroup>
          <thead>
            {table.getHeaderGroups().map((hg) => (
              <tr key={hg.id}>
                {hg.headers.map((h) => {
                  const sorted = h.column.getIsSorted();
                  const canSort = h.column.getCanSort();
                  const content = flexRender(h.column.columnDef.header, h.getContext());
                  return (
                    <th
                      key={h.id}
                      scope="col"
                      className={`col-${h.column.id}`}
                      data-testid={`th-${h.column.id}`}
                      aria-sort={sorted === "asc" ? "ascending" : sorted === "desc" ? "descending" : undefined}
                    >
                      {canSort ? (
                        <button type="button" className="dt-sort" onClick={h.column.getToggleSortingHandler()} data-testid={`sort-${h.column.id}`}>
                          {content}
                          <span aria-hidden="true" className="dt-sort-mark">
                            {sorted === "asc" ? "▲" : sorted === "desc" ? "▼" : ""}
                          </span>
                        </button>
                      ) : (
                        content
                      )}
                    </th>
                  );
                })}
              </tr>
            ))}
          </thead>
          <tbody>
            {items.length > 0 && items[0]!.start > 0 && <tr aria-hidden="true" style={{ height: items[0]!.start }} />}
            {tableRows.map((row, i) => (
              <DataRow
                key={row.id}
                row={row}
                original={row.original}
                index={first + i}
                selected={selection ? row.getIsSelected() : undefined}
                open={props.openId === row.id}
                cellsKey={cellsKey}
                height={rowHeight}
                testId={props.rowTestId}
                attributes={props.rowAttributes?.(row.original)}
                onOpen={props.onOpen}
              />
            ))}
            {items.length > 0 && (
              <tr aria-hidden="true" style={{ height: Math.max(0, virtualizer.getTotalSize() - items[items.length - 1]!.end) }} />
            )}
          </tbody>
        </table>
        {props.loading && (
          <div className="table-status">
            <Spinner label={`Loading ${plural}`} /> Loading…
          </div>
        )}
        {!props.loading && props.complete && rows.length === 0 && !props.error && (props.empty ?? <EmptyState title={`No ${plural}`} />)}
      </div>
    </div>
  );
}

const columnIds = new WeakMap<object, number>();
let nextColumnsId = 0;
/** A number per column-definitions array, so a new array (new cell renderers) re-renders rows. */
function columnsIdentity(columns: object): number {
  if (!columnIds.has(columns)) columnIds.set(columns, ++nextColumnsId);
  return columnIds.get(columns)!;
}

interface DataRowProps<T> {
  row: Row<T>;
  original: T;
  index: number;
  selected: boolean | undefined;
  open: boolean;
  cellsKey: string;
  height: number;
  testId?: string;
  attributes?: Record<string, string | undefined>;
  onOpen?: (row: T) => void;
}

function DataRowImpl<T>({ row, original, index, selected, open, height, testId, attributes, onOpen }: DataRowProps<T>) {
  const openRow = () => onOpen?.(original);
  return (
    <tr
      data-testid={testId}
      {...attributes}
      className={`${onOpen ? "clickable" : ""} ${open ? "current" : ""}`}
      aria-selected={selected}
      aria-rowindex={index + 2}
      tabIndex={onOpen ? 0 : undefined}
      style={{ height }}
      onClick={onOpen ? openRow : undefined}
      onKeyDown={(e) => {
        if (e.target !== e.currentTarget) return;
        if (e.key === "Enter") openRow();
        if (e.key === " " && selected !== undefined) {
          e.preventDefault();
          row.toggleSelected();
        }
      }}
    >
      {row.getVisibleCells().map((c) => (
        <td key={c.id} className={`col-${c.column.id}`}>
          {flexRender(c.column.columnDef.cell, c.getContext())}
        </td>
      ))}
    </tr>
  );
}

// The Row object is rebuilt whenever the rows on screen change; compare what it stands for.
const DataRow = memo(DataRowImpl, (a, b) => {
  const sameAttributes = JSON.stringify(a.attributes) === JSON.stringify(b.attributes);
  return (
    a.original === b.original &&
    a.index === b.index &&
    a.selected === b.selected &&
    a.open === b.open &&
    a.cellsKey === b.cellsKey &&
    a.height === b.height &&
    a.onOpen === b.onOpen &&
    sameAttributes
  );
}) as typeof DataRowImpl;

/** "1,200 of about 20,000 users loaded", "3 users", "60 loaded, more on scroll". */
export function countText(
  loaded: number,
  complete: boolean,
  total: { count: number; estimate?: boolean } | undefined,
  singular: string,
  plural: string,
): string {
  const noun = (n: number) => (n === 1 ? singular : plural);
  if (complete) return `${loaded.toLocaleString()} ${noun(loaded)}`;
  if (total) {
    return `${loaded.toLocaleString()} of ${total.estimate ? "about " : ""}${total.count.toLocaleString()} ${noun(total.count)} loaded, more on scroll`;
  }
  return `${loaded.toLocaleString()} loaded, more on scroll`;
}

type SelectMeta<T> = { allRows: readonly T[]; getRowId: (row: T) => string; rowLabel: (row: T) => string };

/** The tick-box column. "Select all" ticks every loaded row, on screen or not. */
function selectColumn<T>(): ColumnDef<T, unknown> {
  return {
    id: "select",
    enableSorting: false,
    enableHiding: false,
    meta: { key: true },
    header: ({ table }) => {
      const { allRows, getRowId } = table.options.meta as SelectMeta<T>;
      const state = table.getState().rowSelection;
      const ticked = Object.values(state).filter(Boolean).length;
      const all = allRows.length > 0 && ticked >= allRows.length;
      return (
        <input
          type="checkbox"
          aria-label="Select all loaded"
          data-testid="select-all"
          checked={all}
          ref={(el) => {
            if (el) el.indeterminate = ticked > 0 && !all;
          }}
          onChange={() => table.setRowSelection(all ? {} : Object.fromEntries(allRows.map((r) => [getRowId(r), true])))}
        />
      );
    },
    cell: ({ row, table }) => {
      const { rowLabel } = table.options.meta as SelectMeta<T>;
      return (
        <input
          type="checkbox"
          aria-label={`Select ${rowLabel(row.original)}`}
          data-testid="row-select"
          checked={row.getIsSelected()}
          onClick={(e) => e.stopPropagation()}
          onChange={row.getToggleSelectedHandler()}
        />
      );
    },
  };
}
