import { beforeEach, describe, expect, it, vi } from "vitest";
import { act, render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useState } from "react";
import { createColumnHelper } from "@tanstack/react-table";
import { countText, DataTable, type RowSelectionState } from "./DataTable";
import { compareValues, sortRows } from "./dataTable/sortRows";

interface Person {
  id: string;
  name: string;
  age?: number;
}
const col = createColumnHelper<Person>();
const columns = [
  col.accessor("name", { header: "Name", meta: { key: true } }),
  col.accessor("age", { header: "Age" }),
  col.accessor((p) => p.id, { id: "id", header: "Id", meta: { hiddenByDefault: true } }),
];
const people = (n: number): Person[] => Array.from({ length: n }, (_, i) => ({ id: `p${i}`, name: `person ${i}`, age: (i * 7) % 50 }));

function Harness(props: { rows: Person[]; complete?: boolean; narrow?: boolean; getRowId?: (p: Person) => string; onSelection?: (s: RowSelectionState) => void }) {
  const [selection, setSelection] = useState<RowSelectionState>({});
  return (
    <DataTable<Person>
      label="People"
      noun={["person", "people"]}
      columnsKey="people-test"
      rows={props.rows}
      columns={columns}
      getRowId={props.getRowId ?? ((p) => p.id)}
      complete={props.complete ?? true}
      unordered
      narrow={props.narrow}
      selection={{
        state: selection,
        onChange: (s) => {
          setSelection(s);
          props.onSelection?.(s);
        },
      }}
      rowTestId="person-row"
    />
  );
}

const names = () => screen.getAllByTestId("person-row").map((r) => within(r).getAllByRole("cell")[1]!.textContent);

beforeEach(() => localStorage.clear());

describe("DataTable", () => {
  it("sorts by a column, ascending then descending, with empty values last", async () => {
    const user = userEvent.setup();
    const rows: Person[] = [
      { id: "a", name: "Carol", age: 30 },
      { id: "b", name: "alice", age: undefined },
      { id: "c", name: "Bob", age: 4 },
    ];
    render(<Harness rows={rows} />);
    expect(names()).toEqual(["Carol", "alice", "Bob"]);
    await user.click(screen.getByTestId("sort-name"));
    expect(names()).toEqual(["alice", "Bob", "Carol"]);
    expect(screen.getByTestId("th-name")).toHaveAttribute("aria-sort", "ascending");
    await user.click(screen.getByTestId("sort-name"));
    expect(names()).toEqual(["Carol", "Bob", "alice"]);
    await user.click(screen.getByTestId("sort-name")); // third click: back to the server's order
    await user.click(screen.getByTestId("sort-age"));
    expect(names()).toEqual(["Bob", "Carol", "alice"]);
    await user.click(screen.getByTestId("sort-age"));
    expect(names()).toEqual(["Carol", "Bob", "alice"]);
  });

  it("says when sorting orders only the rows loaded so far", async () => {
    const user = userEvent.setup();
    const { rerender } = render(<Harness rows={people(5)} complete={false} />);
    expect(screen.queryByTestId("sort-note")).toBeNull();
    await user.click(screen.getByTestId("sort-name"));
    expect(screen.getByTestId("sort-note")).toHaveTextContent("Sorted among the 5 loaded");
    rerender(<Harness rows={people(5)} complete />);
    expect(screen.queryByTestId("sort-note")).toBeNull();
  });

  it("ticks rows one by one, and all loaded rows (on screen or not) with the header box", async () => {
    const user = userEvent.setup();
    const onSelection = vi.fn();
    render(<Harness rows={people(500)} onSelection={onSelection} />);
    const boxes = screen.getAllByTestId("row-select");
    expect(boxes.length).toBeLessThan(100);
    await user.click(boxes[1]!);
    expect(onSelection).toHaveBeenLastCalledWith({ p1: true });
    expect(screen.getByTestId("select-all")).toHaveProperty("indeterminate", true);
    await user.click(screen.getByTestId("select-all"));
    expect(Object.keys(onSelection.mock.lastCall![0])).toHaveLength(500);
    await user.click(screen.getByTestId("select-all"));
    expect(onSelection).toHaveBeenLastCalledWith({});
  });

  it("remembers the column choice", async () => {
    const user = userEvent.setup();
    const { unmount } = render(<Harness rows={people(3)} />);
    expect(screen.queryByTestId("th-id")).toBeNull(); // hidden until chosen
    await user.click(screen.getByTestId("table-columns"));
    await user.click(screen.getByTestId("column-age"));
    await user.click(screen.getByTestId("column-id"));
    expect(screen.queryByTestId("th-age")).toBeNull();
    expect(screen.getByTestId("th-id")).toBeInTheDocument();
    unmount();
    render(<Harness rows={people(3)} />);
    expect(screen.queryByTestId("th-age")).toBeNull();
    expect(screen.getByTestId("th-id")).toBeInTheDocument();
  });

  it("keeps only the key columns when narrowed", () => {
    render(<Harness rows={people(3)} narrow />);
    expect(screen.getByTestId("th-name")).toBeInTheDocument();
    expect(screen.getByTestId("th-select")).toBeInTheDocument();
    expect(screen.queryByTestId("th-age")).toBeNull();
  });

  it("costs the rows on screen, not every row loaded, when a page is appended", () => {
    // TanStack's row model over all rows made each page cost every loaded row (27 s for rows
    // 15,000 to 18,000); only the rows on screen may be turned into table rows.
    const getRowId = vi.fn((p: Person) => p.id);
    let rows = people(15_000);
    const { rerender } = render(<Harness rows={rows} getRowId={getRowId} complete={false} />);
    getRowId.mockClear();
    for (let page = 0; page < 50; page++) {
      rows = rows.concat(people(60).map((p) => ({ ...p, id: `${page}-${p.id}` })));
      act(() => rerender(<Harness rows={rows} getRowId={getRowId} complete={false} />));
    }
    expect(getRowId.mock.calls.length).toBeLessThan(50 * 100);
    expect(screen.getAllByTestId("person-row").length).toBeLessThan(60);
  });

  it("counts rows, against the server's estimate while loading", () => {
    expect(countText(3, true, undefined, "user", "users")).toBe("3 users");
    expect(countText(1, true, undefined, "user", "users")).toBe("1 user");
    expect(countText(60, false, { count: 20000, estimate: true }, "user", "users")).toBe(
      `60 of about ${(20000).toLocaleString()} users loaded, more on scroll`,
    );
    expect(countText(60, false, undefined, "user", "users")).toBe("60 loaded, more on scroll");
  });

  it("compares numbers as numbers and text naturally", () => {
    expect(compareValues(9, 10)).toBeLessThan(0);
    expect(compareValues("user9", "user10")).toBeLessThan(0);
    expect(sortRows([{ n: "b" }, { n: "" }, { n: "a" }], [{ id: "n", desc: true }], [{ accessorKey: "n" }]).map((r) => r.n)).toEqual(["b", "a", ""]);
  });
});
