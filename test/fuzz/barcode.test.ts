/**
 * The classifier and normalize under any scan and any rule set, slow patterns included (built past the
 * config's check, as an old or hand-made file could): classify never throws, answers in bounded time,
 * and what it accepts fits the journal.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createClassifier,
  MAX_ITEM_LENGTH,
  MAX_SCAN_LENGTH,
  REJECTIONS,
  type Classifier,
  type ClassifyRules,
} from '../../src/barcode/classify.js';
import { normalize } from '../../src/barcode/normalize.js';
import { configSchema } from '../../src/config/schema.js';
import { fuzzRuns } from './runs.js';

const DEFAULTS = configSchema.parse({});

/** Patterns from the careful to the catastrophic; the last ones take seconds to hours when backtracking. */
const PATTERNS = [
  '^2\\d{13}$',
  '^3\\d{13}$',
  '^\\d{8}$',
  '^97[89]\\d{10}$',
  '^(\\d{4})+$',
  '\\d+$',
  '.',
  '^',
  '^\\d{2,40}$',
  '^(?=\\d)\\d+$',
  '^(\\d)\\1*$',
  '^(\\d{1,2})+$',
  '^(\\d+)+$',
  '^(\\d+){1,100}$',
  '^X([A-Z0-9]|[0-9])*$',
  '^(a|aa)+$',
  '^(\\w+\\s?)*$',
  '^(?:\\d+)+(?!x)$',
];
const rule = fc.record({
  pattern: fc.constantFrom(...PATTERNS),
  checkDigit: fc.constantFrom('mod10' as const, 'none' as const),
});
const ruleSet: fc.Arbitrary<ClassifyRules> = fc
  .record({
    patron: fc.array(rule, { maxLength: 3 }),
    item: fc.array(rule, { maxLength: 3 }),
    refuse: fc.array(
      fc.record({ pattern: fc.constantFrom(...PATTERNS), reason: fc.constant('refused by rule') }),
      { maxLength: 2 },
    ),
    normalize: fc.record({
      trim: fc.boolean(),
      aimIdentifier: fc.boolean(),
      codabarStartStop: fc.boolean(),
      clsiSpaces: fc.boolean(),
    }),
  })
  .map((barcodes) => ({ barcodes, commands: DEFAULTS.commands }));

/** Near-misses (long digit runs ending wrong) are what slow patterns choke on; the rest is noise. */
const scan = fc.oneof(
  fc
    .tuple(
      fc.constantFrom('', 'X', 'A', ']C0', ' '),
      fc.integer({ min: 0, max: 400 }),
      fc.constantFrom('', 'a', '!', ' ', 'B', 'x'),
    )
    .map(([head, n, tail]) => `${head}${'1'.repeat(n)}${tail}`),
  fc.string({ maxLength: 300 }),
  fc.string({ unit: 'binary', maxLength: 100 }),
  fc.stringMatching(/^[0-9 ]{0,90}$/),
);

const classifiers = new Map<string, Classifier>();
/** One classifier per rule set and engine, built once: building is config-time work. */
function classifierFor(rules: ClassifyRules, linear: boolean): Classifier {
  const key = JSON.stringify([rules.barcodes, linear]);
  let classifier = classifiers.get(key);
  if (!classifier) {
    classifier = createClassifier(rules, { linear });
    classifiers.set(key, classifier);
  }
  return classifier;
}

const KNOWN_REASONS = new Set<string>([...Object.values(REJECTIONS), 'refused by rule']);

describe('fuzz: classify', () => {
  // The bound is checked by its outcome: the seeded slow pattern must end as "too slow" (a hang would
  // fail on the test's timeout), never by reading a clock.
  it('never throws, ends a runaway pattern as "too slow", and what it accepts fits the journal', () => {
    const reasons = new Set<string>();
    const slowRules: ClassifyRules = {
      barcodes: { ...DEFAULTS.barcodes, item: [{ pattern: '^(\\d+){1,100}$', checkDigit: 'none' }] },
      commands: DEFAULTS.commands,
    };
    fc.assert(
      fc.property(ruleSet, fc.boolean(), scan, (rules, linear, text) => {
        const classify = classifierFor(rules, linear);
        const result = classify(text);
        if (result.kind === 'item') {
          expect(result.item).toMatch(/^[\x21-\x7e]+$/);
          expect(result.item.length).toBeLessThanOrEqual(MAX_ITEM_LENGTH);
        } else if (result.kind === 'patron') {
          expect(result.patron).toMatch(/^[\x21-\x7e]+$/);
          expect(result.patron.length).toBeLessThanOrEqual(MAX_SCAN_LENGTH);
        } else if (result.kind === 'rejected') {
          expect(KNOWN_REASONS.has(result.reason)).toBe(true);
          reasons.add(result.reason);
        }
      }),
      // Seeded with a pattern that runs out of time on both engines, so the bound is always exercised.
      {
        numRuns: fuzzRuns(),
        examples: [
          [slowRules, true, '1'.repeat(60) + 'a'],
          [slowRules, false, '1'.repeat(60) + 'a'],
        ],
      },
    );
    expect(reasons).toContain(REJECTIONS.tooSlow);
  });
});

describe('fuzz: normalize', () => {
  it('only ever removes characters: what it returns is a subsequence of the scan', () => {
    const options = fc.record({
      trim: fc.boolean(),
      aimIdentifier: fc.boolean(),
      codabarStartStop: fc.boolean(),
      clsiSpaces: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.oneof(scan, fc.string({ unit: 'binary' })), options, (text, opts) => {
        const out = normalize(text, opts);
        // A subsequence of the input: each character of the output found in order in the input.
        let i = 0;
        for (const c of out) {
          i = text.indexOf(c, i);
          expect(i).toBeGreaterThanOrEqual(0);
          i += c.length;
        }
        expect(out.length).toBeLessThanOrEqual(text.length);
      }),
      { numRuns: fuzzRuns() },
    );
  });

  it('takes time linear in the scan: 200,000 characters of any near-miss in well under a second', () => {
    const options = { trim: true, aimIdentifier: true, codabarStartStop: true, clsiSpaces: true };
    fc.assert(
      fc.property(
        fc.constantFrom('A', ']F0', ' ', '1', 'a'),
        fc.constantFrom('1', ' ', '1 ', '0 0'),
        fc.constantFrom('x', 'B', ' ', '', '\n'),
        (head, body, tail) => {
          const text = head + body.repeat(Math.ceil(200_000 / body.length)) + tail;
          // Quadratic, 200,000 characters take about 30 s a run: the test's timeout fails it.
          expect(normalize(text, options).length).toBeLessThanOrEqual(text.length);
        },
      ),
      { numRuns: Math.min(fuzzRuns(), 40) },
    );
  });
});
