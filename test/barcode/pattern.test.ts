import { describe, expect, it } from 'vitest';
import { compilePattern, enableLinearRegExp } from '../../src/barcode/pattern.js';
import {
  createClassifier,
  MAX_SCAN_LENGTH,
  REJECTIONS,
  type ClassifyRules,
} from '../../src/barcode/classify.js';
import { configSchema } from '../../src/config/schema.js';

/**
 * What `f` returned. These tests assert outcomes, not times: an unbounded match on these near-misses
 * would run for hours, so the test's own timeout is what a missing bound would fail on.
 */
function timed<T>(f: () => T): { value: T } {
  return { value: f() };
}

/** Rules with `pattern` as the only item rule, built past the config's check, as an old or hand-made file could. */
function rulesWithItemPattern(pattern: string): ClassifyRules {
  const config = configSchema.parse({});
  return {
    barcodes: { ...config.barcodes, item: [{ pattern, checkDigit: 'none' }] },
    commands: config.commands,
  };
}

const NEAR_MISS = '1'.repeat(60) + 'a';

describe('compilePattern: a pattern that got past the config check still cannot stall a scan', () => {
  it("turns on V8's linear-time engine in this Node", () => {
    expect(enableLinearRegExp()).toBe(true);
  });

  it('runs ^(\\d{1,2})+$ (5.2 s on 38 digits and a letter when backtracking) linearly on a 60-character near-miss', () => {
    const pattern = compilePattern('^(\\d{1,2})+$');
    expect(pattern.linear).toBe(true);
    const { value } = timed(() => pattern.test(NEAR_MISS, performance.now() + 1000));
    expect(value).toBe(false);
    expect(pattern.test('1'.repeat(60), performance.now() + 1000)).toBe(true);
  });

  it('stops ^(\\d+){1,100}$, which the linear engine refuses, when its time is up', () => {
    const pattern = compilePattern('^(\\d+){1,100}$');
    expect(pattern.linear).toBe(false);
    const { value } = timed(() => pattern.test(NEAR_MISS, performance.now() + 50));
    expect(value).toBeUndefined();
    expect(pattern.test('123', performance.now() + 1000)).toBe(true);
    expect(pattern.test('12a', performance.now() + 1000)).toBe(false);
  });

  it('gives the same answers on both engines', () => {
    for (const source of ['^2\\d{13}$', '^(\\d{4})+$', '^[A-Z]{2}\\d+$', '\\s', '^$', '(?:)']) {
      const linear = compilePattern(source);
      const timedOnly = compilePattern(source, { linear: false });
      for (const text of ['21234000000018', '12345678', 'AB12', 'A B', '', '1234567']) {
        const expected = new RegExp(source).test(text);
        expect(linear.test(text, performance.now() + 1000)).toBe(expected);
        expect(timedOnly.test(text, performance.now() + 1000)).toBe(expected);
      }
    }
  });

  it('throws a SyntaxError for a pattern that does not compile', () => {
    expect(() => compilePattern('(')).toThrow(SyntaxError);
  });
});

describe('the classifier with a slow pattern that slipped past the analyser', () => {
  it('classifies a 60-character near-miss of ^(\\d{1,2})+$ quickly', () => {
    const classify = createClassifier(rulesWithItemPattern('^(\\d{1,2})+$'));
    const { value } = timed(() => classify(NEAR_MISS));
    expect(value).toEqual({ kind: 'rejected', reason: REJECTIONS.unknown });
    expect(classify('12345678')).toEqual({ kind: 'item', item: '12345678' });
  });

  it('refuses the scan as "rules too slow" within the scan budget for ^(\\d+){1,100}$, on either engine', () => {
    for (const linear of [true, false]) {
      const classify = createClassifier(rulesWithItemPattern('^(\\d+){1,100}$'), { linear });
      const { value } = timed(() => classify(NEAR_MISS));
      expect(value).toEqual({ kind: 'rejected', reason: REJECTIONS.tooSlow });
      expect(classify('12345678')).toEqual({ kind: 'item', item: '12345678' });
    }
  });

  it('refuses a scan over MAX_SCAN_LENGTH before any pattern runs', () => {
    const classify = createClassifier(rulesWithItemPattern('^(\\d+){1,100}$'), { linear: false });
    const long = '1'.repeat(MAX_SCAN_LENGTH) + 'a';
    const { value } = timed(() => classify(long));
    // Not "too slow": the pattern never ran.
    expect(value).toEqual({ kind: 'rejected', reason: REJECTIONS.itemTooLong });
  });
});
