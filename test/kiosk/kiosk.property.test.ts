import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { createClassifier } from '../../src/barcode/classify.js';
import { configSchema } from '../../src/config/schema.js';
import type { KioskEvent, Transaction } from '../../src/kiosk/events.js';
import { Kiosk } from '../../src/kiosk/kiosk.js';

const config = configSchema.parse({});
const classify = createClassifier({ barcodes: config.barcodes, commands: config.commands });
const IDLE = 60_000;
const WINDOW = 1_500;

const texts = [
  '21234000000018',
  '21234000000026',
  '31234000000016',
  '31234000000024',
  ']F0A30234000517861B',
  '3 3191 00010 5864',
  '21234000000019',
  '9780306406157',
  'MODE-LOAN',
  'MODE-RETURN',
  'END-SESSION',
  '',
  '\u001b[2J',
  '31234000000016\r',
];

const step = fc.oneof(
  fc.record({
    op: fc.constant('scan' as const),
    text: fc.oneof(fc.constantFrom(...texts), fc.string({ unit: 'binary', maxLength: 20 })),
    device: fc.constantFrom('left', 'right', 'hid'),
    error: fc.option(fc.constant('unknown key code'), { nil: undefined }),
  }),
  fc.record({
    op: fc.constant('command' as const),
    command: fc.constantFrom('loan', 'return', 'endSession'),
  }),
  fc.record({ op: fc.constant('tick' as const) }),
  fc.record({ op: fc.constant('written' as const), which: fc.nat() }),
  fc.record({ op: fc.constant('failed' as const), which: fc.nat() }),
  fc.record({ op: fc.constant('recovered' as const) }),
);
const run = fc.array(
  fc.tuple(step, fc.constantFrom(0, 10, WINDOW - 1, WINDOW, 5_000, IDLE - 1, IDLE, 3 * IDLE, -5_000)),
  { maxLength: 60 },
);

describe('Kiosk: any sequence of scans, keys, writes and failures', () => {
  it('keeps its promises: no write out of service, loans only for the open patron, lists only their own', () => {
    fc.assert(
      fc.property(fc.constantFrom('loan', 'return' as const), run, (startMode, steps) => {
        const kiosk = new Kiosk({ startMode, idleTimeoutMs: IDLE, doubleReadMs: WINDOW });
        let now = 1_764_460_800_000;
        let line = 0;
        const pending: Transaction[] = [];
        const durable = new Set<string>();

        for (const [s, advance] of steps) {
          now += advance;
          const before = kiosk.view();
          let events: KioskEvent[];
          if (s.op === 'scan') {
            const decision = kiosk.scan(
              {
                text: s.text,
                device: s.device,
                at: now,
                group: s.device === 'hid' ? 'keyboard' : s.device,
                ...(s.error !== undefined && { error: s.error }),
              },
              classify(s.text),
              now,
            );
            events = decision.events;
            const after = kiosk.view();
            if (decision.write) {
              expect(before.inService).toBe(true);
              expect(s.error).toBeUndefined();
              pending.push(decision.write);
              if (decision.write.kind === 'loan') {
                expect(after.mode).toBe('loan');
                expect(decision.write.patron).toBe(after.patron);
                expect(after.recent.map((r) => r.item)).not.toContain(decision.write.item);
              } else {
                expect(after.mode).toBe('return');
                expect(decision.write).not.toHaveProperty('patron');
              }
              expect(decision.write.at).toBe(now);
            }
          } else if (s.op === 'command') {
            events = kiosk.command(s.command, now);
            if (s.command !== 'endSession') expect(kiosk.view().mode).toBe(s.command);
          } else if (s.op === 'tick') {
            events = kiosk.tick(now);
          } else if (s.op === 'written' || s.op === 'failed') {
            if (pending.length === 0) continue;
            const [tx] = pending.splice(s.which % pending.length, 1);
            if (s.op === 'written') {
              events = kiosk.written(tx!, ++line, now);
              durable.add(JSON.stringify([tx!.kind, tx!.item, tx!.patron ?? '']));
            } else {
              events = kiosk.writeFailed(tx!, 'EIO', now);
              expect(kiosk.view().inService).toBe(false);
            }
          } else {
            events = kiosk.recovered(now);
            expect(kiosk.view().inService).toBe(true);
          }

          for (const e of events) {
            if ('at' in e) expect(e.at).toBe(now);
            if (e.type === 'rejected' || e.type === 'ignored') expect(e.reason.length).toBeGreaterThan(0);
          }
          const view = kiosk.view();
          if (view.mode === 'return') expect(view.patron).toBeUndefined();
          if (view.patron !== undefined) expect(view.sessionEndsAt).toBeGreaterThan(now);
          if (view.mode === 'loan' && view.patron === undefined) expect(view.recent).toEqual([]);
          const items = view.recent.map((r) => r.item);
          if (view.mode === 'loan') expect(new Set(items).size).toBe(items.length);
          // Everything listed is durable, and a loan list holds only this patron's loans.
          for (const r of view.recent) {
            expect(r.kind).toBe(view.mode);
            const patron = r.kind === 'loan' ? view.patron : '';
            expect(durable.has(JSON.stringify([r.kind, r.item, patron]))).toBe(true);
          }
          expect(view.inService).toBe(view.outOfServiceReason === undefined);
        }
      }),
      { numRuns: 500 },
    );
  });
});
