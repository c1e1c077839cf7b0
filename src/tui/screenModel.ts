/**
 * Everything the kiosk screen shows, derived by pure functions from the station's view, the few things the
 * screen remembers (the last decision and when it came) and the clock. Components only draw this model.
 */
import type { Config } from '../config/schema.js';
import type { KioskEvent, Mode } from '../kiosk/events.js';
import type { StationView } from '../station/view.js';
import { type InputState, needsPin, type InputRules, PIN_ATTEMPTS, settle, typedLength } from './controls.js';
import { countdown, hhmm, hhmmss, maskCard, secondsLeft } from './format.js';
import type { Glyphs } from './glyphs.js';
import { patronWords } from './patronWords.js';

type DecisionEvent = Extract<KioskEvent, { type: 'transaction' | 'rejected' }>;

/** What the screen remembers between events: the last decision and the last ignored read, with their times. */
export interface Shown {
  decision?: { event: DecisionEvent; shownAt: number; patron?: string };
  ignored?: { reason: string; shownAt: number; patron?: string };
}

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
    case 'session':
      return {};
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
  recent: { heading: string; rows: { time: string; kind: 'Loan' | 'Return'; item: string }[] };
  outOfService?: { reason?: string };
  staff?: { kind: 'prompt'; text: string; dots: string; error?: string } | { kind: 'locked'; text: string };
  status: {
    devices: { id: string; word: string; ok: boolean }[];
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

const deviceWord = { connected: 'connected', disconnected: 'DISCONNECTED', error: 'ERROR' } as const;

export interface ModelInput {
  view: StationView;
  shown: Shown;
  input: InputState;
  now: number;
  config: Pick<Config, 'keys' | 'screen' | 'barcodes'>;
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
    text: `Scan your items ${g.dash} card ${maskCard(view.patron, g.dot)}`,
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
    const what = { quit: 'quit', loan: 'switch to LOAN', return: 'switch to RETURN' }[input.prompt.for];
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
  const problem = view.devices.find((d) => d.status !== 'connected');
  const { bannerScale, recentRows } = layoutFor(size, problem !== undefined);
  const decisionMs = config.screen.decisionSeconds * 1000;
  // Config's refuse rules carry sentences already written for the person at the kiosk.
  const ownWords = new Set(config.barcodes.refuse.map((r) => r.reason));
  const note =
    shown.ignored && now - shown.ignored.shownAt < decisionMs && shown.ignored.patron === view.patron
      ? patronWords(shown.ignored.reason, ownWords)
      : undefined;
  const recent = view.recent.slice(-recentRows).map((r) => ({
    time: hhmm(r.at),
    kind: r.kind === 'loan' ? ('Loan' as const) : ('Return' as const),
    item: r.item,
  }));
  const guarded = (action: 'quit' | 'loan' | 'return', label: string) =>
    needsPin(action, rules) ? `${label} (staff)` : label;
  return {
    size,
    glyphs: g,
    bannerScale,
    recentRows,
    mode:
      view.mode === 'loan'
        ? { mode: 'loan', word: 'LOAN', arrow: g.loanArrow, caption: 'Borrow items' }
        : { mode: 'return', word: 'RETURN', arrow: g.returnArrow, caption: 'Give items back' },
    instruction: typing(instruction(view, now, config.keys.endSession, g), typedLength(input, now), g),
    decision: decision(shown, view, now, decisionMs, g, ownWords),
    note,
    recent: {
      heading:
        view.recent.length === 0
          ? ''
          : view.mode === 'loan'
            ? `Borrowed just now (${view.recent.length})`
            : `Returned just now (${view.recent.length})`,
      rows: recent,
    },
    outOfService: view.inService ? undefined : { reason: view.outOfServiceReason },
    staff: staff(input, now, g),
    status: {
      // Problems first: when the line is cut short, it is the connected scanners that drop off.
      devices: [...view.devices]
        .sort((a, b) => Number(a.status === 'connected') - Number(b.status === 'connected'))
        .map((d) => ({ id: d.id, word: deviceWord[d.status], ok: d.status === 'connected' })),
      problem: problem ? `${problem.id}: ${problem.message}` : undefined,
      journal: { path: view.journal.path, today: view.journal.today, ...lastWrite(view) },
      outbox: view.outbox,
      forward: view.forward && forwardWords(view.forward),
      clock: hhmmss(now),
      // A quarter of the width at most: the scanners' states matter more than a long station name.
      station: shorten(view.station, Math.max(12, Math.floor(size.columns / 4)), g.ellipsis),
    },
    legend: [
      { key: config.keys.loan, label: guarded('loan', 'Loan') },
      { key: config.keys.return, label: guarded('return', 'Return') },
      // "Done", as the instruction says ("press F3 when you're done"): the patron presses it, not staff.
      { key: config.keys.endSession, label: 'Done' },
      { key: config.keys.quit, label: guarded('quit', 'Quit') },
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
