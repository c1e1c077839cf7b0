import { describe, expect, it } from 'vitest';
import { hashPin, verifyPin } from '../../src/config/pin.js';
import { configSchema, type ConfigInput } from '../../src/config/schema.js';
import type { KioskEvent } from '../../src/kiosk/events.js';
import { KIOSK_REASONS } from '../../src/kiosk/reasons.js';
import type { StationView } from '../../src/station/view.js';
import { blockRows, blockWidth, canDraw } from '../../src/tui/blockFont.js';
import { initialInput, inputRules, type InputState } from '../../src/tui/controls.js';
import { maskPatron as maskCard } from '../../src/kiosk/events.js';
import { countdown, hhmm, hhmmss, secondsLeft } from '../../src/tui/format.js';
import { type Glyphs, UNICODE_GLYPHS } from '../../src/tui/glyphs.js';
import { layoutFor, noteEvent, screenModel, type Shown } from '../../src/tui/screenModel.js';
import { at } from './screen.js';
import { baseView } from './station.js';

const NOW = at(14, 2, 0);
const PATRON = '21234000000018';

function model(
  view: Partial<StationView> = {},
  shown: Shown = {},
  options: {
    now?: number;
    config?: ConfigInput;
    input?: InputState;
    columns?: number;
    rows?: number;
    glyphs?: Glyphs;
  } = {},
) {
  const config = configSchema.parse(options.config ?? {});
  return screenModel({
    view: baseView(view),
    shown,
    input: options.input ?? initialInput(),
    now: options.now ?? NOW,
    config,
    rules: inputRules(config, verifyPin),
    size: { columns: options.columns ?? 80, rows: options.rows ?? 24 },
    glyphs: options.glyphs ?? UNICODE_GLYPHS,
  });
}

const loan = (item: string, at = NOW): KioskEvent => ({
  type: 'transaction',
  transaction: { kind: 'loan', item, patron: PATRON, at, device: 'front' },
  line: 1,
});
const rejected = (reason: string): KioskEvent => ({ type: 'rejected', reason, at: NOW, text: PATRON });

describe('format', () => {
  it('writes local clock times with leading zeros', () => {
    expect(hhmm(at(9, 5, 7))).toBe('09:05');
    expect(hhmmss(at(9, 5, 7))).toBe('09:05:07');
    expect(hhmmss(at(0, 0, 0))).toBe('00:00:00');
  });

  it('counts down in whole seconds, rounding up and never below zero', () => {
    expect(secondsLeft(NOW + 60_000, NOW)).toBe(60);
    expect(secondsLeft(NOW + 59_001, NOW)).toBe(60);
    expect(secondsLeft(NOW + 1, NOW)).toBe(1);
    expect(secondsLeft(NOW, NOW)).toBe(0);
    expect(secondsLeft(NOW - 5000, NOW)).toBe(0);
    expect(countdown(60)).toBe('1:00');
    expect(countdown(9)).toBe('0:09');
    expect(countdown(600)).toBe('10:00');
  });

  it('masks patron cards as four dots and the last four characters, whatever their length', () => {
    expect(maskCard(PATRON)).toBe('••••0018');
    expect(maskCard('JohnSmith')).toBe('••••mith');
    expect(maskCard('12345')).toBe('••••2345');
    expect(maskCard('1234')).toBe('••••');
    expect(maskCard('')).toBe('••••');
    expect(maskCard('ab😀cdé')).toBe('••••😀cdé');
  });
});

describe('blockFont', () => {
  it('draws the banner words five rows high, all rows the same width', () => {
    for (const word of ['> LOAN', '< RETURN', 'OUT OF SERVICE']) {
      expect(canDraw(word)).toBe(true);
      const rows = blockRows(word);
      expect(rows).toHaveLength(5);
      expect(new Set(rows.map((r) => r.length)).size).toBe(1);
      expect(rows.join('')).toMatch(/^[█ ]+$/);
    }
    expect(blockWidth('OUT OF SERVICE')).toBeLessThanOrEqual(78);
  });

  it('scales by whole blocks', () => {
    expect(blockRows('L', 2)).toHaveLength(10);
    expect(blockWidth('L', 2)).toBe(2 * blockWidth('L'));
    expect(canDraw('LOAN?')).toBe(false);
  });
});

describe('noteEvent', () => {
  const view = baseView({ patron: PATRON });

  it('keeps the last decision with its time and its session patron', () => {
    const shown = noteEvent({}, loan('31234000000016'), view, NOW);
    expect(shown.decision).toMatchObject({ shownAt: NOW, patron: PATRON });
    const next = noteEvent(shown, rejected('No'), view, NOW + 5);
    expect(next.decision?.event.type).toBe('rejected');
  });

  it('keeps ignored reads apart, leaving the decision in place', () => {
    const shown = noteEvent({}, loan('31234000000016'), view, NOW);
    const next = noteEvent(shown, { type: 'ignored', reason: 'read twice', at: NOW }, view, NOW + 1);
    expect(next.decision).toEqual(shown.decision);
    expect(next.ignored?.reason).toBe('read twice');
  });

  it('forgets everything when a session opens or ends', () => {
    const shown = noteEvent({}, loan('31234000000016'), view, NOW);
    for (const action of ['opened', 'ended'] as const) {
      expect(noteEvent(shown, { type: 'session', action, patron: PATRON, at: NOW }, view, NOW)).toEqual({});
    }
  });

  it('changes nothing for view-only updates, modes and service changes', () => {
    const shown = noteEvent({}, loan('31234000000016'), view, NOW);
    expect(noteEvent(shown, undefined, view, NOW)).toBe(shown);
    expect(noteEvent(shown, { type: 'mode', mode: 'return', at: NOW }, view, NOW)).toBe(shown);
    expect(noteEvent(shown, { type: 'service', inService: false, at: NOW }, view, NOW)).toBe(shown);
  });
});

describe('screenModel', () => {
  it('tells an idle loan station to scan a card, and a return station to scan items', () => {
    expect(model().mode).toMatchObject({ word: 'LOAN', arrow: '→' });
    expect(model().instruction.text).toBe('Scan your library card');
    expect(model({ mode: 'return' }).mode).toMatchObject({ word: 'RETURN', arrow: '←' });
    expect(model({ mode: 'return' }).instruction.text).toBe('Scan items to return');
  });

  it('shows the session card masked and the time left', () => {
    const m = model({ patron: PATRON, sessionEndsAt: NOW + 42_500 });
    expect(m.instruction.text).toBe('Scan your items — card ••••0018');
    expect(m.instruction.detail).toContain('Time left 0:43');
    expect(m.instruction.detail).toContain('F3');
    expect(JSON.stringify(m)).not.toContain(PATRON);
    const late = model({ patron: PATRON, sessionEndsAt: NOW - 1 });
    expect(late.instruction.detail).toContain('0:00');
  });

  it('shows a decision for decisionSeconds, then nothing', () => {
    const shown = noteEvent({}, loan('31234000000016'), baseView(), NOW);
    expect(model({}, shown, { now: NOW + 5999 }).decision).toEqual({
      ok: true,
      label: '✓ Loaned',
      item: '31234000000016',
    });
    expect(model({}, shown, { now: NOW + 6000 }).decision).toBeUndefined();
    expect(
      model({}, shown, { now: NOW + 2999, config: { screen: { decisionSeconds: 3 } } }).decision,
    ).toBeDefined();
    expect(
      model({}, shown, { now: NOW + 3000, config: { screen: { decisionSeconds: 3 } } }).decision,
    ).toBeUndefined();
  });

  it('is live (redrawn by the second) only while something on it changes by the second', () => {
    expect(model().live).toBe(false);
    expect(model({ mode: 'return' }).live).toBe(false);
    expect(model({ patron: PATRON, sessionEndsAt: NOW + 42_500 }).live).toBe(true);
    const shown = noteEvent({}, loan('31234000000016'), baseView(), NOW);
    expect(model({}, shown, { now: NOW + 5999 }).live).toBe(true);
    expect(model({}, shown, { now: NOW + 6000 }).live).toBe(false);
    const typing = { ...initialInput(), line: '312', lastKeyAt: NOW };
    expect(model({}, {}, { input: typing }).live).toBe(true);
  });

  it('says why not on a rejection, and never shows the rejected text (it may be a card)', () => {
    const shown = noteEvent({}, rejected(KIOSK_REASONS.returnModePatron), baseView(), NOW);
    const m = model({}, shown);
    expect(m.decision).toEqual({
      ok: false,
      label: '✗ No card is needed to give items back: just scan each item.',
    });
    expect(JSON.stringify(m)).not.toContain(PATRON);
  });

  it("hides a decision once its patron's session is gone, even without a session event", () => {
    const shown = noteEvent({}, loan('31234000000016'), baseView({ patron: PATRON }), NOW);
    expect(model({ patron: PATRON }, shown).decision).toBeDefined();
    expect(model({}, shown).decision).toBeUndefined();
    expect(model({ patron: '21234000000026' }, shown).decision).toBeUndefined();
  });

  it('lists the recent transactions that fit, newest last, with local times', () => {
    const recent = Array.from({ length: 9 }, (_, i) => ({
      kind: i % 2 ? ('return' as const) : ('loan' as const),
      item: `3123400000${String(i).padStart(4, '0')}`,
      at: at(14, i),
    }));
    const m = model({ recent });
    expect(m.recentRows).toBe(5);
    expect(m.recent.rows).toHaveLength(5);
    expect(m.recent.rows.at(-1)).toEqual({ time: '14:08', kind: 'Loan', item: '31234000000008' });
    expect(m.recent.rows[0]).toEqual({ time: '14:04', kind: 'Loan', item: '31234000000004' });
    expect(m.recent.heading).toContain('(9)');
    expect(model({ recent }, {}, { columns: 120, rows: 40 }).recent.rows.length).toBe(9);
    expect(model().recent.heading).toBe('');
    // A long session's view lists only the newest; the heading counts them all.
    expect(model({ recent, recentEarlier: 491 }).recent.heading).toContain('(500)');
  });

  it('describes devices, journal and outbox in words', () => {
    const m = model({
      devices: [
        { id: 'front', status: 'connected', message: 'ok' },
        { id: 'back', status: 'disconnected', message: 'unplugged' },
        { id: 'hid', status: 'error', message: 'HID support unavailable: install libusb-1.0-0' },
      ],
      journal: {
        path: '/j/OffCirc.dat',
        today: 12,
        lastWrite: { ok: false, error: 'ENOSPC', at: at(14, 1) },
      },
      outbox: 3,
    });
    expect(m.status.devices.map((d) => `${d.id} ${d.word}`)).toEqual([
      'back DISCONNECTED',
      'hid ERROR',
      'front connected',
    ]);
    expect(m.status.problem).toBe('back: unplugged');
    expect(m.status.journal).toEqual({
      path: '/j/OffCirc.dat',
      today: 12,
      last: 'WRITE FAILED 14:01: ENOSPC',
      ok: false,
    });
    expect(m.status.outbox).toBe(3);
    expect(m.status.clock).toBe('14:02');
    expect(
      model({ journal: { path: 'x', today: 1, lastWrite: { ok: true, at: at(13, 59) } } }).status.journal
        .last,
    ).toBe('last write OK 13:59');
  });

  it('shortens a long station name to a quarter of the width', () => {
    const station = 'front-desk-with-a-very-long-station-name';
    expect(model({ station }).status.station).toBe('front-desk-with-a-v…');
    expect(model({ station }, {}, { columns: 160 }).status.station).toBe(station);
    expect(model({ station }, {}, { columns: 20 }).status.station).toBe('front-desk-…');
  });

  it('marks the keys the PIN guards in the legend', () => {
    const pin = hashPin('4739');
    expect(model().legend.map((k) => `${k.key} ${k.label}`)).toEqual([
      'F1 Loan',
      'F2 Return',
      'F3 Done',
      'F10 Quit',
    ]);
    expect(
      model({}, {}, { config: { staff: { pin, pinFor: ['quit', 'mode'] } } }).legend.map((k) => k.label),
    ).toEqual(['Loan (staff)', 'Return (staff)', 'Done', 'Quit (staff)']);
  });

  it('shows the lock with its time left until it lifts by itself', () => {
    const input = { ...initialInput(), lockedUntil: NOW + 42_000 };
    expect(model({}, {}, { input }).staff).toEqual({
      kind: 'locked',
      text: 'Staff PIN locked after 3 wrong tries: try again in 0:42',
    });
    expect(model({}, {}, { input, now: NOW + 42_000 }).staff).toBeUndefined();
  });

  it('reports out of service with the reason for staff', () => {
    expect(model({ inService: false, outOfServiceReason: 'disk full' }).outOfService).toEqual({
      reason: 'disk full',
    });
    expect(model().outOfService).toBeUndefined();
  });
});

describe('layoutFor', () => {
  it('fits 80×24 with block letters and five recent rows, and grows with the terminal', () => {
    expect(layoutFor({ columns: 80, rows: 24 })).toEqual({ bannerScale: 1, recentRows: 5 });
    expect(layoutFor({ columns: 80, rows: 40 }).recentRows).toBe(21);
    expect(layoutFor({ columns: 120, rows: 40 })).toEqual({ bannerScale: 2, recentRows: 16 });
    expect(layoutFor({ columns: 40, rows: 24 }).bannerScale).toBe(0);
    expect(layoutFor({ columns: 80, rows: 10 }).recentRows).toBe(1);
    // A scanner's problem takes a row of the recent list's.
    expect(layoutFor({ columns: 80, rows: 24 }, true)).toEqual({ bannerScale: 1, recentRows: 4 });
    // Too few rows for block letters and a recent row: one line of banner instead.
    expect(layoutFor({ columns: 60, rows: 20 }, true)).toEqual({ bannerScale: 0, recentRows: 4 });
    expect(layoutFor({ columns: 60, rows: 20 })).toEqual({ bannerScale: 1, recentRows: 1 });
  });
});
