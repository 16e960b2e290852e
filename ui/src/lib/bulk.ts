// Runs one action over many users with bounded concurrency and reports each failure, so a
// bulk disable of 200 users tells you exactly which 3 failed and why.
import { describeError } from "../api/errors";

export interface BulkFailure {
  item: string;
  code: string;
  message: string;
}

export interface BulkResult {
  succeeded: string[];
  failed: BulkFailure[];
}

export async function runBulk(
  items: readonly string[],
  action: (item: string) => Promise<unknown>,
  options: { concurrency?: number; onProgress?: (done: number, total: number) => void } = {},
): Promise<BulkResult> {
  const concurrency = Math.max(1, options.concurrency ?? 4);
  const succeeded: string[] = [];
  const failed: BulkFailure[] = [];
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++]!;
      try {
        await action(item);
        succeeded.push(item);
      } catch (e) {
        failed.push({ item, ...describeError(e) });
      }
      done += 1;
      options.onProgress?.(done, items.length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  // Report in the order the user selected, not completion order.
  const order = new Map(items.map((u, i) => [u, i]));
  succeeded.sort((a, b) => order.get(a)! - order.get(b)!);
  failed.sort((a, b) => order.get(a.item)! - order.get(b.item)!);
  return { succeeded, failed };
}
