// The Triggers tab in the pool's tab row: right after Sign-in providers, by click and arrow key;
// a function saved there reaches the pool with the pool's other settings as they were.
import { beforeEach, expect, it, vi } from "vitest";
import { screen } from "@testing-library/react";

vi.mock("@tauri-apps/api/core", () => ({ invoke: vi.fn() }));

import { invoke } from "@tauri-apps/api/core";
import { fakeBackend } from "../../test/fakeBackend";
import { expectTabAfter, openNewPool } from "../../test/poolTabs";

let backend: ReturnType<typeof fakeBackend>;

beforeEach(() => {
  backend = fakeBackend();
  vi.mocked(invoke).mockImplementation((cmd, args) => backend.invoke(cmd, args as Record<string, unknown>) as never);
});

it("opens the Triggers tab of a pool, right after Sign-in providers, and saves a function", async () => {
  const user = await openNewPool();
  await expectTabAfter(user, { label: "Triggers", testId: "tab-triggers" }, { label: "Sign-in providers", testId: "tab-providers" });
  expect(await screen.findByTestId("triggers-tab")).toBeInTheDocument();
  expect(await screen.findByText("No triggers configured")).toBeInTheDocument();

  const [poolId, before] = [...backend.pools.entries()][0]!;
  const arn = "arn:aws:lambda:us-east-1:123456789012:function:pre-sign-up";
  await user.type(await screen.findByTestId("trigger-arn-PreSignUp"), arn);
  await user.click(screen.getByTestId("triggers-save"));
  expect(await screen.findByTestId("trigger-test-PreSignUp")).toBeInTheDocument();
  const after = backend.pools.get(poolId)!;
  expect(after.LambdaConfig).toEqual({ PreSignUp: arn });
  const { LambdaConfig: _a, ...rest } = after;
  const { LambdaConfig: _b, ...restBefore } = before;
  expect(rest).toEqual(restBefore);
  expect(await screen.findByText("No invocations yet")).toBeInTheDocument();
});
