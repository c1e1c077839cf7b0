/** patronWords on any reason at all: never throws, always a plain sentence, never the reason's own words. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { REJECTIONS } from '../../src/barcode/classify.js';
import { KIOSK_REASONS } from '../../src/kiosk/reasons.js';
import {
  KIOSK_WORDS,
  patronWords,
  REJECTION_WORDS,
  TYPED_WORDS,
  UNKNOWN_WORDS,
} from '../../src/tui/patronWords.js';
import { fuzzRuns } from './runs.js';

const SENTENCES = new Set([
  ...Object.values(REJECTION_WORDS),
  ...Object.values(TYPED_WORDS),
  ...Object.values(KIOSK_WORDS).flatMap((w) => (typeof w === 'string' ? [w] : [w('loan'), w('return')])),
  UNKNOWN_WORDS,
]);

const JARGON = /check digit|session|patron|mode\b|journal/i;

/** Reasons as they arrive: the tables' own, the built ones around any error text, and anything else. */
const reason = fc.oneof(
  fc.constantFrom(
    ...Object.values(REJECTIONS),
    ...Object.values(KIOSK_REASONS).filter((r) => typeof r === 'string'),
  ),
  fc.string().map((e) => KIOSK_REASONS.outOfService(e)),
  fc
    .tuple(fc.constantFrom('loan' as const, 'return' as const), fc.string())
    .map(([k, e]) => KIOSK_REASONS.notSaved(k, e)),
  fc.string().map((e) => `unreadable scan: ${e}`),
  fc.string({ unit: 'binary' }),
);

describe('patronWords (fuzz)', () => {
  it("gives a jargon-free ASCII sentence for any reason that is not one of config's own", () => {
    fc.assert(
      fc.property(reason, (r) => {
        const words = patronWords(r);
        expect(words).toMatch(/^[A-Z][\x20-\x7e]*\.$/);
        expect(words).not.toMatch(JARGON);
        // One of the sentences written for patrons: the error text inside a built reason stays in the log.
        expect(SENTENCES).toContain(words);
      }),
      { numRuns: fuzzRuns() },
    );
  });

  it("shows config's own sentences unchanged, and only those", () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.array(fc.string()), (r, own) => {
        const words = patronWords(r, new Set(own));
        if (words === r) expect(own.includes(r)).toBe(true);
      }),
      { numRuns: fuzzRuns() },
    );
  });
});
