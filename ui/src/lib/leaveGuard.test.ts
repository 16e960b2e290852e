import { describe, expect, it, vi } from "vitest";
import { guardNavigate, leaveWithoutAsking, mayLeave, registerLeaveGuard } from "./leaveGuard";

const settle = () => new Promise((r) => setTimeout(r, 0));

describe("leave guard", () => {
  it("navigates only when every registered guard agrees", async () => {
    const go = vi.fn();
    const navigate = guardNavigate(go);
    let answer = false;
    const unregister = registerLeaveGuard(async () => answer);

    navigate("elsewhere");
    await settle();
    expect(go).not.toHaveBeenCalled();

    answer = true;
    navigate("elsewhere");
    await settle();
    expect(go).toHaveBeenCalledWith("elsewhere");

    unregister();
    answer = false;
    expect(await mayLeave()).toBe(true);
  });

  it("leaves without asking when told to (the screen's subject was deleted)", async () => {
    const go = vi.fn();
    const guard = vi.fn(async () => false);
    const unregister = registerLeaveGuard(guard);
    leaveWithoutAsking(() => guardNavigate(go)("list"));
    await settle();
    expect(go).toHaveBeenCalledWith("list");
    expect(guard).not.toHaveBeenCalled();
    unregister();
  });
});
