/**
 * Scanner bytes through the serial framing: whatever arrives, in whatever chunks, the framer never throws,
 * never holds or returns more than its limit, gives back exactly the barcodes that were sent with line
 * ends, and the warnings describing what it dropped never show more than two characters of it.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { describeContent, describeInput } from '../../src/barcode/describe.js';
import { describeDrop, LineFramer } from '../../src/devices/framing.js';
import { TypedLines } from '../../src/devices/terminal.js';
import { fuzzRuns } from './runs.js';

/** Cut points (fractions) for splitting bytes into chunks as a serial port might deliver them. */
const cuts = fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 12 });

function chop(bytes: Buffer, fractions: number[]): Buffer[] {
  const points = [...new Set(fractions.map((f) => Math.floor(f * bytes.length)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let start = 0;
  for (const p of [...points, bytes.length]) {
    chunks.push(bytes.subarray(start, p));
    start = p;
  }
  return chunks;
}

/** A barcode as a scanner sends it: 1–80 bytes, none of them a line end. */
const barcode = fc
  .array(
    fc.integer({ min: 0, max: 255 }).filter((b) => b !== 0x0d && b !== 0x0a),
    { minLength: 1, maxLength: 80 },
  )
  .map((bytes) => Buffer.from(bytes).toString('latin1'));
const terminator = fc.constantFrom('\r', '\n', '\r\n');

/** The longest run of digits in `text`. */
const longestDigitRun = (text: string) => Math.max(0, ...(text.match(/\d+/g) ?? []).map((r) => r.length));

describe('fuzz: scanner bytes through the framing', () => {
  it('each barcode sent with a line end comes out whole and alone, however the bytes are split', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(barcode, terminator), { maxLength: 20 }), cuts, (sent, fractions) => {
        const framer = new LineFramer({ silenceMs: 50 });
        const bytes = Buffer.from(sent.map(([b, t]) => b + t).join(''), 'latin1');
        const out = chop(bytes, fractions).flatMap((chunk) => framer.push(chunk, 0));
        expect(out).toEqual(sent.map(([text]) => ({ kind: 'frame', text, at: 0 })));
        expect(framer.pendingLength).toBe(0);
      }),
      { numRuns: fuzzRuns() },
    );
  });

  it('any bytes at any times: never throws, nothing longer than the limit kept or returned', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.uint8Array({ maxLength: 400 }), fc.integer({ min: 0, max: 100 })), {
          maxLength: 12,
        }),
        fc.integer({ min: 1, max: 64 }),
        (chunks, maxLength) => {
          const framer = new LineFramer({ silenceMs: 30, maxLength });
          let now = 0;
          for (const [bytes, wait] of chunks) {
            now += wait;
            const results = [...framer.push(Buffer.from(bytes), now)];
            const expired = framer.expire(now);
            if (expired) results.push(expired);
            for (const r of results) {
              expect(r.text.length).toBeLessThanOrEqual(maxLength);
              if (r.kind === 'frame') {
                expect(r.text).not.toMatch(/[\r\n]/);
                expect(r.text.length).toBeGreaterThan(0);
              } else {
                // The warning: bounded, and never more than two characters of what was dropped.
                const warning = describeDrop(r, framer);
                expect(warning.length).toBeLessThan(300);
                if (r.text.length > 12) expect(warning).not.toContain(r.text);
              }
            }
            expect(framer.pendingLength).toBeLessThanOrEqual(maxLength);
          }
          const last = framer.drop(now);
          if (last) expect(last.text.length).toBeLessThanOrEqual(maxLength);
        },
      ),
      { numRuns: fuzzRuns() },
    );
  });

  it('typed input (UTF-8 split anywhere): never throws, lines within the limit', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), cuts, (text, fractions) => {
        const lines = new TypedLines(32);
        const out = chop(Buffer.from(text, 'utf8'), fractions).flatMap((chunk) => lines.push(chunk, 0));
        out.push(...lines.end(0));
        for (const r of out) expect(r.text.length).toBeLessThanOrEqual(32);
      }),
      { numRuns: fuzzRuns() },
    );
  });

  it('a described card number shows at most its first two digits', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d{4,999}$/), (digits) => {
        const described = describeInput(digits, 'byte');
        expect(described.startsWith(`${digits.length} bytes (${digits.length} digits, starting "`)).toBe(
          true,
        );
        expect(described).toContain(`starting "${digits.slice(0, 2)}"`);
        // Its counts have at most 3 digits, its start 2: no 4 digits of the card in a row.
        expect(longestDigitRun(described)).toBeLessThanOrEqual(3);
        expect(longestDigitRun(describeContent(digits))).toBeLessThanOrEqual(3);
      }),
      { numRuns: fuzzRuns() },
    );
  });
});
