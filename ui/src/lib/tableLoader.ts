// A cursor-paged loader for server-side tables (ListUsers, ...). Pages are keyed by the token
// that fetched them; only the next page is fetched, and only when the viewer is near the end
// of what is loaded. It never counts and never walks ahead, so a pool of a million users costs
// one page per scroll step. Changing the query drops everything and starts from the first page;
// answers to an old query are ignored.

export interface Page<T> {
  items: T[];
  /** Token for the next page; null/undefined/"" when this was the last page. */
  nextToken?: string | null;
}

export type FetchPage<T, Q> = (query: Q, token: string | undefined) => Promise<Page<T>>;

export interface LoaderState<T> {
  rows: readonly T[];
  /** A fetch is in flight. */
  loading: boolean;
  /** The last fetch failed; `retry()` fetches the same token again. */
  error: unknown;
  /** The last page has been loaded. */
  done: boolean;
  /** Number of pages loaded for the current query. */
  pages: number;
}

export interface LoaderOptions {
  /** Fetch the next page when the last visible row is within this many rows of the end. */
  threshold?: number;
}

const FIRST = "\u0000first";

export class TableLoader<T, Q> {
  private readonly fetchPage: FetchPage<T, Q>;
  private readonly threshold: number;
  private query: Q;
  /** Pages of the current query, keyed by the token that fetched them (FIRST for the first). */
  private pages = new Map<string, Page<T>>();
  /** Tokens in page order. */
  private order: string[] = [];
  private inFlight: string | null = null;
  private generation = 0;
  private lastVisibleEnd = -1;
  private state: LoaderState<T> = { rows: [], loading: false, error: null, done: false, pages: 0 };
  private listeners = new Set<() => void>();

  constructor(fetchPage: FetchPage<T, Q>, query: Q, options: LoaderOptions = {}) {
    this.fetchPage = fetchPage;
    this.query = query;
    this.threshold = options.threshold ?? 20;
  }

  getState = (): LoaderState<T> => this.state;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getQuery(): Q {
    return this.query;
  }

  /** Drops all pages and loads the first page of the new query. */
  setQuery(query: Q): Promise<void> {
    this.query = query;
    return this.reset();
  }

  /** Reloads from the first page (after a change that may move rows around). */
  reset(): Promise<void> {
    this.generation++;
    this.pages = new Map();
    this.order = [];
    this.inFlight = null;
    this.lastVisibleEnd = -1;
    this.publish({ rows: [], loading: false, error: null, done: false, pages: 0 });
    return this.load(FIRST);
  }

  /** Call with the index of the last row on screen; fetches the next page if it is near the end. */
  ensureVisible(lastVisibleIndex: number): Promise<void> {
    this.lastVisibleEnd = Math.max(this.lastVisibleEnd, lastVisibleIndex);
    const next = this.nextToken();
    if (next === null || this.state.error) return Promise.resolve();
    if (this.order.length > 0 && lastVisibleIndex < this.state.rows.length - this.threshold) {
      return Promise.resolve();
    }
    return this.load(next);
  }

  /** Fetches the page that failed last time. */
  retry(): Promise<void> {
    const next = this.nextToken();
    this.publish({ ...this.state, error: null });
    return next === null ? Promise.resolve() : this.load(next);
  }

  /** Rewrites loaded rows in place (after enable/disable, attribute edits) without refetching. */
  update(fn: (row: T) => T): void {
    for (const [k, p] of this.pages) this.pages.set(k, { ...p, items: p.items.map(fn) });
    this.publish({ ...this.state, rows: this.flatten() });
  }

  /** Drops loaded rows (after delete) without refetching. */
  remove(pred: (row: T) => boolean): void {
    for (const [k, p] of this.pages) this.pages.set(k, { ...p, items: p.items.filter((r) => !pred(r)) });
    this.publish({ ...this.state, rows: this.flatten() });
  }

  /** The token of the page after the loaded ones, or null when there is none. */
  private nextToken(): string | null {
    if (this.order.length === 0) return FIRST;
    const last = this.pages.get(this.order[this.order.length - 1]!);
    return last?.nextToken ? last.nextToken : null;
  }

  private async load(key: string): Promise<void> {
    if (this.pages.has(key) || this.inFlight !== null) return;
    const generation = this.generation;
    this.inFlight = key;
    this.publish({ ...this.state, loading: true, error: null });
    let page: Page<T>;
    try {
      page = await this.fetchPage(this.query, key === FIRST ? undefined : key);
    } catch (error) {
      if (generation !== this.generation) return;
      this.inFlight = null;
      this.publish({ ...this.state, loading: false, error });
      return;
    }
    if (generation !== this.generation) return;
    this.inFlight = null;
    this.pages.set(key, page);
    this.order.push(key);
    const done = !page.nextToken;
    // Appends the page rather than re-flattening every page: loading stays O(page) per page.
    const rows = this.state.rows.concat(page.items);
    this.publish({ rows, loading: false, error: null, done, pages: this.order.length });
    // A short (or empty, as filtered ListUsers pages can be) page may leave the viewer still
    // near the end: keep going until the screen is filled or the list ends.
    if (!done && this.lastVisibleEnd >= this.state.rows.length - this.threshold) {
      await this.ensureVisible(this.lastVisibleEnd);
    }
  }

  private flatten(): T[] {
    const rows: T[] = [];
    for (const k of this.order) rows.push(...(this.pages.get(k)?.items ?? []));
    return rows;
  }

  private publish(state: LoaderState<T>): void {
    this.state = state;
    for (const l of this.listeners) l();
  }
}
