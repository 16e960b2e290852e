import { useState } from "react";
import { describe, expect, it } from "vitest";
import { fireEvent, render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { RuleEditor } from "./RuleEditor";
import type { RuleOutcome } from "./simulation";
import { addRule, emptyMapping, MAX_RULES, toWireMapping, validateMapping, type MappingDraft } from "../../lib/roleRules";

const ARN = "arn:aws:iam::123456789012:role/";

function draftWith(claims: string[]): MappingDraft {
  let d: MappingDraft = { ...emptyMapping(), Type: "Rules" };
  for (const _ of claims) d = addRule(d);
  return { ...d, rules: d.rules.map((r, i) => ({ ...r, Claim: claims[i]!, Value: "v", RoleARN: `${ARN}${claims[i]}` })) };
}

function Harness({ initial, outcomes, onDraft }: { initial: MappingDraft; outcomes?: Map<number, RuleOutcome>; onDraft?: (d: MappingDraft) => void }) {
  const [d, setD] = useState(initial);
  return (
    <RuleEditor
      draft={d}
      onChange={(x) => {
        setD(x);
        onDraft?.(x);
      }}
      errors={validateMapping(d)}
      showAllErrors={false}
      claimSuggestions={["email", "custom:tier"]}
      outcomes={outcomes}
    />
  );
}

const claimsInOrder = () => screen.getAllByTestId("rule-claim").map((i) => (i as HTMLInputElement).value);

describe("RuleEditor", () => {
  it("moves rules with the Move up / Move down buttons (accessible names)", async () => {
    const user = userEvent.setup();
    render(<Harness initial={draftWith(["a", "b", "c"])} />);
    await user.click(screen.getByRole("button", { name: "Move rule 3 up" }));
    expect(claimsInOrder()).toEqual(["a", "c", "b"]);
    await user.click(screen.getByRole("button", { name: "Move rule 1 down" }));
    expect(claimsInOrder()).toEqual(["c", "a", "b"]);
    expect(screen.getByRole("button", { name: "Move rule 1 up" })).toBeDisabled();
    expect(screen.getByRole("button", { name: "Move rule 3 down" })).toBeDisabled();
  });

  it("moves rules from the keyboard: Enter on the move button, Alt+Arrow inside a rule", async () => {
    const user = userEvent.setup();
    let last: MappingDraft | undefined;
    render(<Harness initial={draftWith(["a", "b", "c"])} onDraft={(d) => (last = d)} />);
    screen.getByRole("button", { name: "Move rule 2 down" }).focus();
    await user.keyboard("{Enter}");
    expect(claimsInOrder()).toEqual(["a", "c", "b"]);
    fireEvent.keyDown(screen.getAllByTestId("rule-value")[0]!, { key: "ArrowDown", altKey: true });
    expect(claimsInOrder()).toEqual(["c", "a", "b"]);
    fireEvent.keyDown(screen.getAllByTestId("rule-claim")[2]!, { key: "ArrowUp", altKey: true });
    expect(claimsInOrder()).toEqual(["c", "b", "a"]);
    // The order the user sees is the order sent to Cognito.
    expect(toWireMapping(last!)!.RulesConfiguration!.Rules.map((r) => r.Claim)).toEqual(["c", "b", "a"]);
  });

  it("has a keyboard-operable drag handle per rule", () => {
    render(<Harness initial={draftWith(["a", "b"])} />);
    const handle = screen.getByRole("button", { name: "Drag rule 2 to reorder" });
    expect(handle).toHaveAttribute("tabindex", "0");
  });

  it("adds rules up to 25 and then disables Add rule", async () => {
    const user = userEvent.setup();
    render(<Harness initial={draftWith(Array.from({ length: MAX_RULES - 1 }, (_, i) => `c${i}`))} />);
    const add = screen.getByTestId("add-rule");
    await user.click(add);
    expect(screen.getAllByTestId("rule-row")).toHaveLength(25);
    expect(add).toBeDisabled();
    expect(screen.getByText(/at most 25 rules/i)).toBeInTheDocument();
  });

  it("removes a rule", async () => {
    const user = userEvent.setup();
    render(<Harness initial={draftWith(["a", "b", "c"])} />);
    await user.click(screen.getByRole("button", { name: "Remove rule 2" }));
    expect(claimsInOrder()).toEqual(["a", "c"]);
  });

  it("shows validation errors inline on the rule being edited", async () => {
    const user = userEvent.setup();
    render(<Harness initial={draftWith(["a", "b"])} />);
    const row = screen.getAllByTestId("rule-row")[1]!;
    const role = within(row).getByTestId("rule-role");
    await user.clear(role);
    await user.type(role, "arn:aws:iam::123:role/x");
    expect(within(row).getByText(/Must look like arn:aws:iam/)).toBeInTheDocument();
    expect(role).toHaveAttribute("aria-invalid", "true");
    expect(within(screen.getAllByTestId("rule-row")[0]!).queryByRole("alert")).toBeNull();
    const claim = within(row).getByTestId("rule-claim");
    await user.clear(claim);
    await user.type(claim, "x".repeat(65));
    expect(within(row).getByText(/at most 64/)).toBeInTheDocument();
  });

  it("edits the match type", async () => {
    const user = userEvent.setup();
    let last: MappingDraft | undefined;
    render(<Harness initial={draftWith(["a"])} onDraft={(d) => (last = d)} />);
    await user.selectOptions(screen.getByTestId("rule-match"), "StartsWith");
    expect(last!.rules[0]!.MatchType).toBe("StartsWith");
  });

  it("marks the matched rule", () => {
    const outcome = (Index: number, Outcome: RuleOutcome["Outcome"], ClaimValue?: string): RuleOutcome => ({
      Index, Outcome, Claim: ["a", "b", "c"][Index]!, MatchType: "Equals", Value: "v", RoleARN: `${ARN}x`, ClaimValue,
    });
    const outcomes = new Map([
      [0, outcome(0, "NotMatched", "nope")],
      [1, outcome(1, "Matched", "v")],
      [2, outcome(2, "NotReached")],
    ]);
    render(<Harness initial={draftWith(["a", "b", "c"])} outcomes={outcomes} />);
    const rows = screen.getAllByTestId("rule-row");
    expect(rows[1]).toHaveAttribute("data-matched", "true");
    expect(rows[0]).not.toHaveAttribute("data-matched");
    expect(rows[1]).toHaveAccessibleName("Rule 2 (matched)");
    // Every rule says what happened to it: failed with the claim's value, matched, not reached.
    expect(within(rows[0]!).getByTestId("rule-outcome")).toHaveTextContent('Did not match: a is "nope".');
    expect(within(rows[1]!).getByTestId("rule-outcome")).toHaveTextContent("Matched: this rule chooses the role.");
    expect(within(rows[2]!).getByTestId("rule-outcome")).toHaveTextContent("Not reached: rule 2 matched first.");
    expect(rows[2]).toHaveAttribute("data-outcome", "NotReached");
  });

  it("shows each rule's role by name beside its full ARN", () => {
    render(<Harness initial={draftWith(["alice", "bob"])} />);
    expect(screen.getAllByTestId("rule-role-name").map((e) => e.textContent)).toEqual(["alice", "bob"]);
    expect(screen.getAllByTestId("rule-role")[0]).toHaveValue(`${ARN}alice`);
  });
});
