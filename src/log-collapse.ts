/**
 * Collapses repeated log records: the first `burst` records of a kind in a window are written (what people
 * do by hand is all written), the rest are only counted, and when the window closes (its timer, a full
 * table, or close()) one summary says "… and 41,233 more like it in the last minute". A stuck scanner, a
 * held key or a pasted megabyte of key codes then costs at most `burst` + 1 lines a minute per kind, not a
 * line per input.
 *
 * Records are alike when their level, `event`, `device` and message match, with numbers and quoted text in
 * the message ignored ("dropped 3 bytes …" and "dropped 5 bytes …" are alike) unless the caller asks for
 * the exact message (a session names its masked patron). Windows are kept per kind, so two sources
 * interleaving their noise are both collapsed. Cost per record: one regular-expression replace and one Map
 * look-up; at most `maxKinds` windows are open (the oldest is closed to make room).
 */

/** The window, and the words of the summary: "in the last minute". */
export const COLLAPSE_WINDOW_MS = 60_000;
/**
 * Records of a kind written in full per window: more than people make by hand (a patron scanning forty
 * items while the station is out of service gets forty lines), far fewer than a flood (a stuck scanner's
 * thousands a second): at most 101 lines a minute per kind, some 25 KB.
 */
export const COLLAPSE_BURST = 100;
const MAX_KINDS = 256;

export interface Collapsible {
  level: string;
  message: string;
  fields: Record<string, unknown>;
}

interface Window {
  until: number;
  /** Written in full so far (up to the burst). */
  written: number;
  /** Counted only, for the summary. */
  count: number;
  first: Collapsible;
  timer: ReturnType<typeof setTimeout> | undefined;
}

export interface CollapserOptions {
  windowMs?: number;
  burst?: number;
  maxKinds?: number;
  now?: () => number;
}

/** "… and 41,233 more like it in the last minute", as a record of the same kind. */
export function summaryOf(first: Collapsible, count: number, windowMs = COLLAPSE_WINDOW_MS): Collapsible {
  const span = windowMs === 60_000 ? 'minute' : `${windowMs / 1000} s`;
  return {
    level: first.level,
    message: `… and ${count.toLocaleString('en-US')} more like it in the last ${span}`,
    fields: { ...first.fields, like: first.message, repeated: count },
  };
}

/** The kind a record is counted under; `exact`: the whole message counts (it names someone). */
export function kindOf(record: Collapsible, exact = false): string {
  const { event, device } = record.fields;
  const words = exact ? record.message : record.message.replace(/"[^"]*"|\d+/g, '#');
  return `${record.level}\u0000${String(event)}\u0000${String(device)}\u0000${words}`;
}

export class Collapser {
  private readonly windows = new Map<string, Window>();
  private readonly windowMs: number;
  private readonly burst: number;
  private readonly maxKinds: number;
  private readonly now: () => number;

  /** `write` receives each summary when its window closes. */
  constructor(
    private readonly write: (summary: Collapsible) => void,
    options: CollapserOptions = {},
  ) {
    this.windowMs = options.windowMs ?? COLLAPSE_WINDOW_MS;
    this.burst = Math.max(1, options.burst ?? COLLAPSE_BURST);
    this.maxKinds = options.maxKinds ?? MAX_KINDS;
    this.now = options.now ?? Date.now;
  }

  /** True when the record is to be written now; false when it was counted as a repeat. */
  admit(record: Collapsible, exact = false): boolean {
    const kind = kindOf(record, exact);
    const now = this.now();
    const open = this.windows.get(kind);
    if (open !== undefined) {
      if (now < open.until) {
        if (open.written < this.burst) {
          open.written++;
          return true;
        }
        open.count++;
        // A timer only for a window that has something to say when it closes.
        open.timer ??= setTimeout(() => this.close(kind), open.until - now).unref();
        return false;
      }
      this.close(kind);
    }
    if (this.windows.size >= this.maxKinds) {
      const oldest = this.windows.keys().next().value;
      if (oldest !== undefined) this.close(oldest);
    }
    this.windows.set(kind, {
      until: now + this.windowMs,
      written: 1,
      count: 0,
      first: record,
      timer: undefined,
    });
    return true;
  }

  /** Closes every window, writing the summaries that are due (before the log is closed). */
  flush(): void {
    for (const kind of [...this.windows.keys()]) this.close(kind);
  }

  private close(kind: string): void {
    const window = this.windows.get(kind);
    if (window === undefined) return;
    this.windows.delete(kind);
    if (window.timer !== undefined) clearTimeout(window.timer);
    if (window.count > 0) this.write(summaryOf(window.first, window.count, this.windowMs));
  }
}
