/**
 * Everything the kiosk screen shows, derived by pure functions from the station's view, the few things the
 * screen remembers (the last decision and when it came) and the clock. Components only draw this model.
 *
 * Why one file over 300 lines: one pure function of the screen's state to what every part of the screen
 * shows; its parts (instruction, decision, summary, status) read the same view and clock together.
 */
import type { Config } from '../config/schema.js';
import type { KioskEvent, Mode, SessionSummary } from '../kiosk/events.js';
import type { StationView } from '../station/view.js';
import { type InputState, needsPin, type InputRules, PIN_ATTEMPTS, settle, typedLength } from './controls.js';
import { maskPatron } from '../kiosk/events.js';
import { countdown, dayDate, hhmm, secondsLeft } from './format.js';
import type { Glyphs } from './glyphs.js';
import { patronWords } from './patronWords.js';

type DecisionEvent = Extract<KioskEvent, { type: 'transaction' | 'rejected' }>;

/** What the screen remembers between events: the last decision and the last ignored read, with their times. */
export interface Shown {
  decision?: { event: DecisionEvent; shownAt: number; patron?: string };
  ignored?: { reason: string; shownAt: number; patron?: string };
  /** The last session's summary: counts and due dates only, never a card or a barcode. */
  summary?: { summary: SessionSummary & { returns?: number }; shownAt: number };
}

/** How long the summary of a finished session stays up (unless the next patron's first scan comes sooner). */
export const SUMMARY_MS = 8_000;

/**
 * Notes one feed callback. Decisions and ignored reads are kept with the patron whose session they belong
 * to; a session opening or ending forgets both, so the next patron never sees the previous one's item.
 */
export function noteEvent(
  shown: Shown,
  event: KioskEvent | undefined,
  view: StationView,
  now: number,
): Shown {
  if (!event) return shown;
  switch (event.type) {
    case 'transaction':
    case 'rejected':
      return { decision: { event, shownAt: now, patron: view.patron } };
    case 'ignored':
      return { ...shown, ignored: { reason: event.reason, shownAt: now, patron: view.patron } };
    case 'returns':
      return event.returns > 0
        ? { summary: { summary: { loans: 0, due: [], returns: event.returns }, shownAt: now } }
        : {};
    case 'session':
      // What the session did stays up a few seconds; everything else of its patron goes now.
      if (event.action === 'ended' && event.summary && event.summary.loans > 0)
        return { summary: { summary: event.summary, shownAt: now } };
      return shown.summary ? { summary: shown.summary } : {};
    default:
      return shown;
  }
}

export interface Size {
  columns: number;
  rows: number;
}

export interface ScreenModel {
  size: Size;
  /**
   * Whether anything on screen changes by the second (a countdown, a fading decision or summary, a typed
   * line, the PIN prompt). When nothing does, the screen redraws once a minute, for the clock.
   */
  live: boolean;
  /** The symbols every component draws with: the terminal's font decides (glyphs.ts). */
  glyphs: Glyphs;
  /** Block letters at this scale, or a one-line bar (0) where they don't fit. */
  bannerScale: 0 | 1 | 2;
  /** How many recent transactions fit. */
  recentRows: number;
  mode: { mode: Mode; word: 'LOAN' | 'RETURN'; arrow: string; caption: string };
  instruction: { text: string; detail: string };
  decision?: { ok: boolean; label: string; item?: string };
  note?: string;
  recent: { heading: string; rows: { time: string; kind: 'Loan' | 'Return'; item: string; due?: string }[] };
  /** The finished session, for a few seconds: a title and a line per due date. */
  summary?: { title: string; lines: string[] };
  outOfService?: { reason?: string };
  staff?: { kind: 'prompt'; text: string; dots: string; error?: string } | { kind: 'locked'; text: string };
  status: {
    devices: { id: string; word: string; ok: boolean }[];
    /** The receipt printer's state, where one is configured. */
    printer?: { word: string; ok: boolean };
    problem?: string;
    journal: { path: string; today: number; last: string; ok: boolean };
    outbox?: number;
    /** Forwarding to the database, in a few words, when configured. */
    forward?: { text: string; ok: boolean };
    clock: string;
    station: string;
  };
  legend: { key: string; label: string }[];
}

/** Dots shown at most for a typed line (a scan is rarely longer). */
const TYPED_DOTS = 30;

/** Rows taken by everything but the recent list (see KioskScreen's layout), at banner scale 1. */
const FIXED_ROWS = 18;

/**
 * Chooses the banner size and the recent list's length for a terminal size; `problemRow` when the status
 * has a scanner's problem to spell out on a row of its own.
 */
export function layoutFor(size: Size, problemRow = false): { bannerScale: 0 | 1 | 2; recentRows: number } {
  // One row is kept free: an output as tall as the terminal makes Ink clear the whole screen on each frame.
  const usable = size.rows - 1 - (problemRow ? 1 : 0);
  // Block letters only where they leave room for at least one recent row, or the key legend is cut off.
  const bannerScale =
    size.columns >= 110 && usable >= FIXED_ROWS + 5 + 8
      ? 2
      : size.columns >= 60 && usable >= FIXED_ROWS + 1
        ? 1
        : 0;
  const bannerRows = bannerScale === 2 ? 10 : bannerScale === 1 ? 5 : 1;
  return { bannerScale, recentRows: Math.max(1, usable - (FIXED_ROWS - 5 + bannerRows)) };
}

/** Cuts text to `max` characters, marking the cut with `ellipsis` (one character). */
export function shorten(text: string, max: number, ellipsis = '…'): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}${ellipsis}`;
}

/** What the patron is told when the printer could not print their receipt. */
export const RECEIPT_DROPPED = 'No receipt: please ask staff';

/** The printer's state in one or two words (its message goes to the log and the problem row). */
function printerWord(printer: NonNullable<StationView['printer']>): { word: string; ok: boolean } {
  if (printer.status === 'connected')
    return { word: /paper low/.test(printer.message) ? 'PAPER LOW' : 'ready', ok: true };
  if (/out of paper/.test(printer.message)) return { word: 'NO PAPER', ok: false };
  return { word: deviceWord[printer.status], ok: false };
}

const deviceWord = { connected: 'connected', disconnected: 'DISCONNECTED', error: 'ERROR' } as const;

export interface ModelInput {
  view: StationView;
  shown: Shown;
  input: InputState;
  now: number;
  config: Pick<Config, 'keys' | 'screen' | 'barcodes' | 'patrons'> & Partial<Pick<Config, 'receipt'>>;
  rules: InputRules;
  size: Size;
  glyphs: Glyphs;
}

function instruction(view: StationView, now: number, endKey: string, g: Glyphs): ScreenModel['instruction'] {
  if (view.mode === 'return') {
    return { text: 'Scan items to return', detail: 'One at a time: each one is checked in as you scan it.' };
  }
  if (view.patron === undefined) {
    return { text: 'Scan your library card', detail: 'Then scan each item you want to borrow.' };
  }
  const left =
    view.sessionEndsAt === undefined
      ? ''
      : `Time left ${countdown(secondsLeft(view.sessionEndsAt, now))} ${g.separator} `;
  return {
    text: `Scan your items ${g.dash} card ${maskPatron(view.patron, g.dot)}`,
    detail: `${left}press ${endKey} when you're done.`,
  };
}

/** While a line is being typed, the instruction's second row shows it as dots, so the typist sees it arrive. */
function typing(shown: ScreenModel['instruction'], typed: number, g: Glyphs): ScreenModel['instruction'] {
  if (typed === 0) return shown;
  const dots = typed > TYPED_DOTS ? `${g.dot.repeat(TYPED_DOTS)}${g.ellipsis}` : g.dot.repeat(typed);
  return { ...shown, detail: `Typed: ${dots} ${g.separator} Enter sends it, Esc clears it` };
}

function decision(
  shown: Shown,
  view: StationView,
  now: number,
  ms: number,
  g: Glyphs,
  ownWords: ReadonlySet<string>,
): ScreenModel['decision'] {
  const last = shown.decision;
  if (!last || now - last.shownAt >= ms || last.patron !== view.patron) return undefined;
  const { event } = last;
  // The log keeps the precise reason; the person at the kiosk gets a sentence (patronWords.ts).
  if (event.type === 'rejected')
    return { ok: false, label: `${g.bad} ${patronWords(event.reason, ownWords)}` };
  const { transaction } = event;
  const done = transaction.kind === 'loan' ? 'Loaned' : 'Returned';
  return { ok: true, label: `${g.ok} ${done}`, item: transaction.item };
}

function staff(input: InputState, now: number, g: Glyphs): ScreenModel['staff'] {
  if (input.prompt) {
    const what = {
      quit: 'quit',
      loan: 'switch to LOAN',
      return: 'switch to RETURN',
      admit: 'let the refused card borrow',
    }[input.prompt.for];
    return {
      kind: 'prompt',
      text: `Staff PIN to ${what}:`,
      dots: g.dot.repeat([...input.prompt.entered].length),
      error: input.prompt.error,
    };
  }
  if (input.lockedUntil !== undefined) {
    return {
      kind: 'locked',
      text: `Staff PIN locked after ${PIN_ATTEMPTS} wrong tries: try again in ${countdown(secondsLeft(input.lockedUntil, now))}`,
    };
  }
  return undefined;
}

/** The finished session's summary while it is fresh: how many, and each due date with its count. */
function summary(shown: Shown, now: number, g: Glyphs): ScreenModel['summary'] {
  const last = shown.summary;
  if (!last || now - last.shownAt >= SUMMARY_MS || now < last.shownAt) return undefined;
  const { loans, due, returns = 0 } = last.summary;
  const items = (n: number) => `${n} ${n === 1 ? 'item' : 'items'}`;
  if (loans === 0) return { title: `Thank you! You returned ${items(returns)}.`, lines: [] };
  const byDay = new Map<string, number>();
  for (const at of [...due].sort((a, b) => a - b)) byDay.set(dayDate(at), (byDay.get(dayDate(at)) ?? 0) + 1);
  const lines = [...byDay].map(([day, n]) => `${n} ${n === 1 ? 'item' : 'items'} due about ${day}`);
  if (lines.length > 0) lines.push(`Due dates are provisional ${g.dash} the library system confirms them.`);
  return { title: `Thank you! You borrowed ${items(loans)}.`, lines };
}

/** What staff should know of the patron list, if anything: unreadable, missing where configured, too old. */
function patronListProblem(view: StationView, config: ModelInput['config'], now: number): string | undefined {
  const list = view.patronList;
  if (!list) return undefined;
  if (list.problem !== undefined) return `Patron list can't be read (see the log): ${list.problem}`;
  if (!list.loaded)
    return config.patrons.list !== undefined ? 'No patron list: cards are not checked' : undefined;
  if (list.builtAt === undefined) return undefined;
  const days = Math.floor((now - list.builtAt) / 86_400_000);
  return days > config.patrons.maxAgeDays ? `Patron list is ${days} days old: import a new one` : undefined;
}

function lastWrite(view: StationView): { last: string; ok: boolean } {
  const last = view.journal.lastWrite;
  if (!last) return { last: 'nothing written yet', ok: true };
  if (last.ok) return { last: `last write OK ${hhmm(last.at)}`, ok: true };
  return { last: `WRITE FAILED ${hhmm(last.at)}: ${last.error}`, ok: false };
}

/** The whole screen for one moment. */
export function screenModel({
  view,
  shown,
  input: rawInput,
  now,
  config,
  rules,
  size,
  glyphs: g,
}: ModelInput): ScreenModel {
  const input = settle(rawInput, now);
  const problem =
    view.devices.find((d) => d.status !== 'connected') ??
    (view.printer && view.printer.status !== 'connected' ? { id: 'printer', ...view.printer } : undefined);
  const { bannerScale, recentRows } = layoutFor(
    size,
    problem !== undefined || patronListProblem(view, config, now) !== undefined,
  );
  const decisionMs = config.screen.decisionSeconds * 1000;
  // Config's refuse rules carry sentences already written for the person at the kiosk.
  const ownWords = new Set(config.barcodes.refuse.map((r) => r.reason));
  const droppedAt = view.printer?.droppedAt;
  const note =
    // A receipt that could not be printed: the patron must hear it before walking away. Receipts print
    // after a session, so a session open now is the next patron's: it is not theirs to read.
    droppedAt !== undefined && now - droppedAt < decisionMs && view.patron === undefined
      ? RECEIPT_DROPPED
      : shown.ignored && now - shown.ignored.shownAt < decisionMs && shown.ignored.patron === view.patron
        ? patronWords(shown.ignored.reason, ownWords)
        : view.patronWarning
          ? "Your library card needs attention: please see staff when you're done."
          : undefined;
  const recent = view.recent.slice(-recentRows).map((r) => ({
    time: hhmm(r.at),
    kind: r.kind === 'loan' ? ('Loan' as const) : ('Return' as const),
    item: r.item,
    ...(r.due !== undefined && { due: `due about ${dayDate(r.due)}` }),
  }));
  const listed = view.recent.length + (view.recentEarlier ?? 0);
  const provisional = view.recent.some((r) => r.due !== undefined)
    ? ` ${g.separator} due dates provisional: the library confirms them`
    : '';
  const guarded = (action: 'quit' | 'loan' | 'return', label: string) =>
    needsPin(action, rules) ? `${label} (staff)` : label;
  const shownDecision = decision(shown, view, now, decisionMs, g, ownWords);
  const shownSummary = summary(shown, now, g);
  const staffLine = staff(input, now, g);
  return {
    size,
    live:
      view.sessionEndsAt !== undefined ||
      shownDecision !== undefined ||
      note !== undefined ||
      shownSummary !== undefined ||
      typedLength(input, now) > 0 ||
      staffLine !== undefined,
    glyphs: g,
    bannerScale,
    recentRows,
    mode:
      view.mode === 'loan'
        ? { mode: 'loan', word: 'LOAN', arrow: g.loanArrow, caption: 'Borrow items' }
        : { mode: 'return', word: 'RETURN', arrow: g.returnArrow, caption: 'Give items back' },
    instruction: typing(instruction(view, now, config.keys.endSession, g), typedLength(input, now), g),
    decision: shownDecision,
    note,
    recent: {
      heading:
        view.recent.length === 0
          ? ''
          : view.mode === 'loan'
            ? `Borrowed just now (${listed})${provisional}`
            : `Returned just now (${listed})`,
      rows: recent,
    },
    summary: shownSummary,
    outOfService: view.inService ? undefined : { reason: view.outOfServiceReason },
    staff: staffLine,
    status: {
      // Problems first: when the line is cut short, it is the connected scanners that drop off.
      devices: [...view.devices]
        .sort((a, b) => Number(a.status === 'connected') - Number(b.status === 'connected'))
        .map((d) => ({ id: d.id, word: deviceWord[d.status], ok: d.status === 'connected' })),
      ...(view.printer && { printer: printerWord(view.printer) }),
      problem: problem ? `${problem.id}: ${problem.message}` : patronListProblem(view, config, now),
      journal: { path: view.journal.path, today: view.journal.today, ...lastWrite(view) },
      outbox: view.outbox,
      forward: view.forward && forwardWords(view.forward),
      clock: hhmm(now),
      // A quarter of the width at most: the scanners' states matter more than a long station name.
      station: shorten(view.station, Math.max(12, Math.floor(size.columns / 4)), g.ellipsis),
    },
    legend: [
      { key: config.keys.loan, label: guarded('loan', 'Loan') },
      { key: config.keys.return, label: guarded('return', 'Return') },
      // "Done", as the instruction says ("press F3 when you're done"): the patron presses it, not staff.
      { key: config.keys.endSession, label: 'Done' },
      // Only where a receipt can be asked for: the key does nothing elsewhere.
      ...(config.keys.receipt !== undefined &&
      config.receipt?.printer !== undefined &&
      config.receipt.when !== 'never'
        ? [{ key: config.keys.receipt, label: 'Receipt' }]
        : []),
      { key: config.keys.quit, label: guarded('quit', 'Quit') },
      // Only while there is a refused card to admit, and only where a PIN guards it.
      ...(view.admittable && rules.pinHash !== undefined
        ? [{ key: config.keys.admit, label: 'Admit (staff)' }]
        : []),
    ],
  };
}

/** The forwarding state for staff: "caught up", "12 behind", "not connected, 12 behind". */
export function forwardWords(forward: NonNullable<StationView['forward']>): { text: string; ok: boolean } {
  const behind = forward.behind > 0 ? `${forward.behind} behind` : '';
  switch (forward.state) {
    case 'caught-up':
      return { text: 'Forward: caught up', ok: true };
    case 'connected':
    case 'behind':
      return { text: `Forward: ${behind || 'connected'}`, ok: true };
    case 'connecting':
      return { text: `Forward: connecting${behind && `, ${behind}`}`, ok: true };
    case 'error':
      return { text: `Forward: not connected${behind && `, ${behind}`}`, ok: false };
  }
}
