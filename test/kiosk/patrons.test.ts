/**
 * The kiosk's patron rules on a fake clock, through the real classifier and a real patron list built in
 * memory (the same file format the import writes): policies per standing, the staff admit, the limits,
 * the due dates on the transaction event and in the list, the summary at the end of a session.
 */
import { describe, expect, it } from 'vitest';
import { createClassifier } from '../../src/barcode/classify.js';
import { configSchema } from '../../src/config/schema.js';
import { createDueRule } from '../../src/kiosk/due.js';
import type { KioskEvent } from '../../src/kiosk/events.js';
import { Kiosk, KIOSK_REASONS, type KioskOptions } from '../../src/kiosk/kiosk.js';
import { DayLoans } from '../../src/kiosk/limits.js';
import type { PatronDirectory, PatronPolicies } from '../../src/kiosk/patrons.js';
import { ListBuilder } from '../../src/patrons/build.js';
import { PatronList, writeHeader } from '../../src/patrons/format.js';

const config = configSchema.parse({});
const classify = createClassifier({ barcodes: config.barcodes, commands: config.commands });

const GOOD = '21234000000018';
const BLOCKED = '21234000000026';
const EXPIRED = '21234000000034';
const UNKNOWN = '21234000000042';
const BOOK = '31234000000016';
const ATLAS = '31234000000024';
const NOVEL = '31234000000032';

/** 2026-11-30 12:00 local time (a Monday). */
const START = new Date(2026, 10, 30, 12, 0).getTime();

function directory(): PatronDirectory {
  const builder = new ListBuilder();
  builder.add({ ids: [GOOD], blocked: false, inactive: false, expiry: 20301231 });
  builder.add({ ids: [BLOCKED], blocked: true, inactive: false });
  builder.add({ ids: [EXPIRED], blocked: false, inactive: false, expiry: 20261129 });
  const { entries, count } = builder.sorted();
  const list = PatronList.fromBuffer(Buffer.concat([writeHeader(builder.key, START, count), entries]));
  return { lookup: (p) => list.lookup(p), info: () => ({ loaded: true, builtAt: START, entries: count }) };
}

function kiosk(options: Partial<KioskOptions> = {}) {
  const k = new Kiosk({
    startMode: 'loan',
    idleTimeoutMs: 60_000,
    doubleReadMs: 1_500,
    patrons: directory(),
    ...options,
  });
  let now = START;
  return {
    k,
    get now() {
      return now;
    },
    scan(text: string, after = 2_000) {
      now += after;
      return k.scan({ text, device: 'front', at: now }, classify(text), now);
    },
    /** Scans and, if the kiosk wants it written, reports it durable; returns every event. */
    lend(text: string): KioskEvent[] {
      const d = this.scan(text);
      return d.write ? [...d.events, ...k.written(d.write, 1, now)] : d.events;
    },
    command(command: 'loan' | 'return' | 'endSession' | 'admit') {
      now += 1_000;
      return k.command(command, now);
    },
  };
}

const rejected = (events: KioskEvent[]) => events.flatMap((e) => (e.type === 'rejected' ? [e.reason] : []));
const opened = (events: KioskEvent[]) =>
  events.find((e) => e.type === 'session' && e.action === 'opened') as
    Extract<KioskEvent, { type: 'session' }> | undefined;

describe('Kiosk: the patron list, policy by policy', () => {
  it('by default refuses a blocked and an expired card (nothing opened, no loan), and lends to an unknown one noting it', () => {
    const s = kiosk();
    expect(rejected(s.scan(BLOCKED).events)).toEqual([KIOSK_REASONS.patronBlocked]);
    expect(s.scan(BOOK).write).toBeUndefined();
    expect(rejected(s.scan(EXPIRED).events)).toEqual([KIOSK_REASONS.patronExpired]);
    expect(s.k.view().patron).toBeUndefined();
    const events = s.scan(UNKNOWN).events;
    expect(opened(events)?.check).toEqual({ standing: 'unknown', action: 'lend' });
    expect(s.scan(BOOK).write).toMatchObject({ kind: 'loan', patron: UNKNOWN });
  });

  it('a card in good standing opens a session with no check noted', () => {
    const s = kiosk();
    expect(opened(s.scan(GOOD).events)).toEqual({
      type: 'session',
      action: 'opened',
      patron: GOOD,
      at: s.now,
    });
  });

  const policies: PatronPolicies[] = [
    { blocked: 'warn', expired: 'lend', unknown: 'refuse' },
    { blocked: 'lend', expired: 'warn', unknown: 'warn' },
  ];
  for (const policy of policies) {
    it(`follows ${JSON.stringify(policy)}`, () => {
      const s = kiosk({ policies: policy });
      for (const [card, standing] of [
        [BLOCKED, 'blocked'],
        [EXPIRED, 'expired'],
        [UNKNOWN, 'unknown'],
      ] as const) {
        const events = s.scan(card).events;
        const action = policy[standing];
        if (action === 'refuse') {
          expect(rejected(events)).toHaveLength(1);
          expect(s.k.view().patron).toBeUndefined();
        } else {
          expect(opened(events)?.check).toEqual({ standing, action });
          expect(s.k.view().patronWarning === true).toBe(action === 'warn');
          expect(s.scan(BOOK).write).toMatchObject({ patron: card });
        }
        s.command('endSession');
      }
    });
  }

  it('an expired card is good up to and including its expiry day', () => {
    const s = kiosk();
    // The day before START is the card's expiry date: refused at START, lent on that day.
    const day = new Kiosk({
      startMode: 'loan',
      idleTimeoutMs: 60_000,
      doubleReadMs: 0,
      patrons: directory(),
    });
    const onExpiryDay = new Date(2026, 10, 29, 23, 59).getTime();
    expect(
      opened(
        day.scan({ text: EXPIRED, device: 'f', at: onExpiryDay }, classify(EXPIRED), onExpiryDay).events,
      ),
    ).toBeDefined();
    expect(rejected(s.scan(EXPIRED).events)).toEqual([KIOSK_REASONS.patronExpired]);
  });

  it('without a loaded list no card is checked', () => {
    const s = kiosk({ patrons: { lookup: () => undefined, info: () => ({ loaded: false }) } });
    expect(opened(s.scan(BLOCKED).events)?.check).toBeUndefined();
  });
});

describe('Kiosk: staff admit a refused card', () => {
  it('admits the last refused card for one session, noted on the session event', () => {
    const s = kiosk();
    s.scan(BLOCKED);
    expect(s.k.view().admittable).toBe(true);
    const events = s.command('admit');
    expect(opened(events)).toMatchObject({
      patron: BLOCKED,
      check: { standing: 'blocked', action: 'admitted' },
    });
    expect(s.lend(BOOK).some((e) => e.type === 'transaction')).toBe(true);
    // The same card again inside the session keeps it.
    expect(rejected(s.scan(BLOCKED).events)).toEqual([]);
    s.command('endSession');
    // The admission was for that session only.
    expect(rejected(s.scan(BLOCKED).events)).toEqual([KIOSK_REASONS.patronBlocked]);
  });

  it('admits nothing once another card came, after the idle time, or when nothing was refused', () => {
    const s = kiosk();
    expect(s.command('admit').map((e) => e.type === 'ignored' && e.reason)).toEqual([
      KIOSK_REASONS.nothingToAdmit,
    ]);
    s.scan(BLOCKED);
    s.scan(GOOD);
    expect(s.k.view().admittable).toBeUndefined();
    expect(opened(s.command('admit'))).toBeUndefined();
    s.command('endSession');
    s.scan(EXPIRED);
    s.scan(BOOK, 61_000);
    expect(opened(s.command('admit'))).toBeUndefined();
  });
});

describe('Kiosk: limits', () => {
  it('refuses the loan over itemsPerSession, counting loans still being written, and writes nothing', () => {
    const s = kiosk({ limits: { itemsPerSession: 2 } });
    s.scan(GOOD);
    const first = s.scan(BOOK);
    expect(first.write).toBeDefined();
    const second = s.scan(ATLAS);
    expect(second.write).toBeDefined();
    const third = s.scan(NOVEL);
    expect(third.write).toBeUndefined();
    expect(rejected(third.events)).toEqual([KIOSK_REASONS.sessionLimit(2)]);
    // A new session starts counting again.
    s.command('endSession');
    s.scan(GOOD);
    expect(s.scan(NOVEL).write).toBeDefined();
  });

  it('refuses the loan over itemsPerPatronPerDay, from the seeded count on, and counts again tomorrow', () => {
    const dayLoans = new DayLoans(START, new Map([[GOOD, 2]]));
    const s = kiosk({ limits: { itemsPerPatronPerDay: 3 }, dayLoans });
    s.scan(GOOD);
    expect(s.lend(BOOK).some((e) => e.type === 'transaction')).toBe(true);
    const over = s.scan(ATLAS);
    expect(over.write).toBeUndefined();
    expect(rejected(over.events)).toEqual([KIOSK_REASONS.dayLimit(3)]);
    expect(dayLoans.count(GOOD, s.now)).toBe(3);
    // Another session the same day: still over.
    s.command('endSession');
    s.scan(GOOD);
    expect(s.scan(NOVEL).write).toBeUndefined();
    // Tomorrow counts from zero.
    const tomorrow = new Date(2026, 11, 1, 9, 0).getTime();
    expect(dayLoans.count(GOOD, tomorrow)).toBe(0);
  });
});

describe('Kiosk: limits count loans still being written', () => {
  it('across sessions of the same patron, before any of them is durable', () => {
    const dayLoans = new DayLoans(START);
    const s = kiosk({ limits: { itemsPerPatronPerDay: 2 }, dayLoans });
    s.scan(GOOD);
    expect(s.scan(BOOK).write).toBeDefined();
    s.command('endSession');
    s.scan(GOOD);
    expect(s.scan(ATLAS).write).toBeDefined();
    const third = s.scan(NOVEL);
    expect(third.write).toBeUndefined();
    expect(rejected(third.events)).toEqual([KIOSK_REASONS.dayLimit(2)]);
  });
});

describe('Kiosk: due dates and the summary', () => {
  it('puts the provisional due date on the transaction event and the list, and sums the session up when it ends', () => {
    const dueDate = createDueRule({
      days: 14,
      closed: ['sunday'],
      items: [{ pattern: '^31234000000024$', loanDays: 7 }],
    });
    const s = kiosk({ dueDate });
    s.scan(GOOD);
    const book = s.lend(BOOK).find((e) => e.type === 'transaction');
    const atlas = s.lend(ATLAS).find((e) => e.type === 'transaction');
    // 14 days from Monday 30 Nov is Monday 14 Dec; 7 days is Monday 7 Dec: both open, end of day.
    expect(book).toMatchObject({ due: new Date(2026, 11, 15).getTime() - 1 });
    expect(atlas).toMatchObject({ due: new Date(2026, 11, 8).getTime() - 1 });
    expect(s.k.view().recent.map((r) => r.due)).toEqual([
      new Date(2026, 11, 15).getTime() - 1,
      new Date(2026, 11, 8).getTime() - 1,
    ]);
    const ended = s.command('endSession').find((e) => e.type === 'session');
    expect(ended).toMatchObject({
      action: 'ended',
      summary: { loans: 2, due: [new Date(2026, 11, 15).getTime() - 1, new Date(2026, 11, 8).getTime() - 1] },
    });
    expect(s.k.view().recent).toEqual([]);
  });

  it('gives no due date when loans.days is not set', () => {
    const s = kiosk({ dueDate: createDueRule({ closed: [], items: [] }) });
    s.scan(GOOD);
    expect(s.lend(BOOK).find((e) => e.type === 'transaction')).not.toHaveProperty('due');
  });
});

describe('Kiosk: the end of a run of returns', () => {
  it('"Done" in return mode ends the list of returns with their count; with none listed it says there is nothing to end', () => {
    const s = kiosk({ startMode: 'return' });
    expect(s.command('endSession').map((e) => e.type === 'ignored' && e.reason)).toEqual([
      KIOSK_REASONS.noSession,
    ]);
    s.lend(BOOK);
    s.lend(ATLAS);
    expect(s.command('endSession')).toEqual([
      { type: 'returns', action: 'ended', returns: 2, reason: 'command', at: s.now },
    ]);
    expect(s.k.view().recent).toEqual([]);
    s.lend(NOVEL);
    expect(s.command('loan')[0]).toEqual({
      type: 'returns',
      action: 'ended',
      returns: 1,
      reason: 'mode',
      at: s.now,
    });
  });
});
