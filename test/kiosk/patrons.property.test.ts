/**
 * The patron rules under any sequence of cards, items, keys (admit among them), writes and time: a card
 * the list refuses never gets a loan unless staff admitted it in that session; no session ever has more
 * loans handed out than itemsPerSession; no patron more loans written on one day than
 * itemsPerPatronPerDay (counting the seed); every loan handed out carries the due date the rule gives.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createClassifier } from '../../src/barcode/classify.js';
import { configSchema } from '../../src/config/schema.js';
import { createDueRule } from '../../src/kiosk/due.js';
import type { KioskEvent, Transaction } from '../../src/kiosk/events.js';
import { Kiosk } from '../../src/kiosk/kiosk.js';
import { DayLoans } from '../../src/kiosk/limits.js';
import { localDay } from '../../src/local-day.js';
import type { PatronRecord } from '../../src/kiosk/patrons.js';
import { itemBarcode } from '../helpers/barcodes.js';

const config = configSchema.parse({});
const classify = createClassifier({ barcodes: config.barcodes, commands: config.commands });
const IDLE = 60_000;

const CARDS: Record<string, PatronRecord | null> = {
  '21234000000018': { blocked: false, inactive: false },
  '21234000000026': { blocked: true, inactive: false },
  '21234000000034': { blocked: false, inactive: false, expiry: 20000101 },
  '21234000000042': null,
};
const ITEMS = Array.from({ length: 8 }, (_, i) => itemBarcode(i + 1));

// Weighted toward what reaches the limits: cards, items and their writes, seldom a day going by.
const step = fc.oneof(
  {
    arbitrary: fc.record({
      op: fc.constant('scan' as const),
      text: fc.constantFrom(...Object.keys(CARDS), 'END-SESSION'),
    }),
    weight: 2,
  },
  { arbitrary: fc.record({ op: fc.constant('scan' as const), text: fc.constantFrom(...ITEMS) }), weight: 5 },
  {
    arbitrary: fc.record({
      op: fc.constant('command' as const),
      command: fc.constantFrom('admit', 'endSession', 'loan', 'return'),
    }),
    weight: 2,
  },
  { arbitrary: fc.record({ op: fc.constant('written' as const), which: fc.nat() }), weight: 5 },
  { arbitrary: fc.record({ op: fc.constant('tick' as const) }), weight: 1 },
);
const policy = fc.constantFrom('refuse' as const, 'warn' as const, 'lend' as const);

describe('Kiosk: the patron rules under any sequence', () => {
  it('keeps the refusals, the admits, both limits and the due dates', () => {
    fc.assert(
      fc.property(
        fc.record({ blocked: policy, expired: policy, unknown: policy }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 0, max: 3 }),
        fc.array(fc.tuple(step, fc.constantFrom(0, 2_000, 2_000, 2_000, IDLE, 12 * 3_600_000)), {
          maxLength: 120,
        }),
        (policies, perSession, perDay, seeded, steps) => {
          let now = new Date(2026, 10, 30, 9, 0).getTime();
          const dayLoans = new DayLoans(now, new Map([['21234000000018', seeded]]));
          const dueDate = createDueRule({ days: 14, closed: ['sunday'], items: [] });
          const kiosk = new Kiosk({
            startMode: 'loan',
            idleTimeoutMs: IDLE,
            doubleReadMs: 0,
            patrons: { lookup: (p) => CARDS[p] ?? null, info: () => ({ loaded: true }) },
            policies,
            limits: { itemsPerSession: perSession, itemsPerPatronPerDay: perDay },
            dayLoans,
            dueDate,
          });
          const refusedByPolicy = (card: string) => {
            const r = CARDS[card];
            const standing =
              r === null ? 'unknown' : r?.blocked ? 'blocked' : r?.expiry ? 'expired' : undefined;
            return standing !== undefined && policies[standing] === 'refuse';
          };
          let session: { patron: string; admitted: boolean; handedOut: number } | undefined;
          const pending: Transaction[] = [];
          const written = new Map<string, number>(); // `${day}:${patron}` → loans written
          const observe = (events: KioskEvent[]) => {
            for (const e of events) {
              if (e.type === 'session' && e.action === 'ended') session = undefined;
              if (e.type === 'session' && e.action === 'opened' && session?.patron !== e.patron)
                session = { patron: e.patron, admitted: e.check?.action === 'admitted', handedOut: 0 };
            }
          };
          for (const [s, after] of steps) {
            now += after;
            if (s.op === 'scan') {
              const d = kiosk.scan({ text: s.text, device: 'front', at: now }, classify(s.text), now);
              observe(d.events);
              if (d.write?.kind === 'loan') {
                const patron = d.write.patron!;
                expect(session?.patron).toBe(patron);
                if (refusedByPolicy(patron)) expect(session?.admitted).toBe(true);
                session!.handedOut++;
                expect(session!.handedOut).toBeLessThanOrEqual(perSession);
                pending.push(d.write);
              } else if (d.write) pending.push(d.write);
            } else if (s.op === 'command') {
              observe(kiosk.command(s.command, now));
            } else if (s.op === 'tick') {
              observe(kiosk.tick(now));
            } else if (pending.length > 0) {
              const tx = pending.splice(s.which % pending.length, 1)[0]!;
              const events = kiosk.written(tx, 1, now);
              observe(events);
              const event = events.find((e) => e.type === 'transaction');
              if (tx.kind === 'loan') {
                expect(event).toMatchObject({ due: dueDate(tx.item, tx.at) });
                const key = `${localDay(tx.at)}:${tx.patron}`;
                const n = (written.get(key) ?? 0) + 1;
                written.set(key, n);
                const seed =
                  localDay(tx.at) === localDay(new Date(2026, 10, 30).getTime()) &&
                  tx.patron === '21234000000018'
                    ? seeded
                    : 0;
                expect(n + seed).toBeLessThanOrEqual(Math.max(perDay, seed));
              }
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
