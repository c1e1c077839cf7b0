/**
 * The cheap proof (simple-pattern.ts) may only ever skip recheck where recheck would accept the pattern
 * anyway: checked against recheck itself on the patterns technicians write and on generated ones.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { provablyFastPattern } from '../../src/config/simple-pattern.js';
import { recheckProblem, slowPatternProblem } from '../../src/config/regex-safety.js';

/** Shown to recheck only: the proof's verdict must never be "fast" where recheck refuses. */
const agreesWithRecheck = (pattern: string): void => {
  if (provablyFastPattern(pattern)) expect(recheckProblem(pattern), pattern).toBeUndefined();
};

describe('provablyFastPattern', () => {
  it.each([
    '^2\\d{13}$',
    '^3\\d{13}$',
    '^97[89]\\d{10}$',
    '^\\d{8}$',
    '^[A-Z]{2}\\d{6,10}$',
    '^\\w{2}\\d{6}\\w{2}$',
    '^[^0-9]{3}.\\d{13}$',
    '^\\d+$',
    '\\d+$',
    '^\\d+?$',
    '^X[A-Z0-9-]+$',
    '^[a-z_][a-z0-9_-]*$',
    '^[A-Z]{2}\\d+$',
    '^LIB\\d+$',
    '^2',
  ])('proves %s fast, and recheck agrees', (pattern) => {
    expect(provablyFastPattern(pattern)).toBe(true);
    expect(recheckProblem(pattern)).toBeUndefined();
  });

  it.each([
    // Groups, alternation, backreferences, lookaround: recheck's to judge.
    '^(\\d{4})+$',
    '^(\\d+)+$',
    '^(a|aa)+$',
    '^2|3$',
    '^(a)\\1$',
    '^(?=2)\\d+$',
    // Three loops (or unanchored ends) and more: possibly cubic.
    '^\\d*\\d*\\d*$',
    '\\d+\\d+$',
    '^\\d+\\d+',
    '\\d+',
    // Where recheck fuzzes (counts past 30) or takes seconds (a loop beside long or broad parts).
    '^\\d{13}\\d{13}$',
    '\\/{64}$',
    '^\\w{13}\\d+$',
    '^\\D{6}\\s\\W*',
    '^LIB-\\d{4}\\.\\d+$',
    '^.{4,}$',
    '^[^ ]+$',
    // Outside the grammar: lookalikes of quantifiers, odd classes and escapes.
    '^\\d{,5}$',
    '^\\d{100}$',
    '^[]$',
    '^[^]$',
    '^[a-\\d]$',
    '^[z-a]$',
    '^\\b\\d+$',
    '^\\u0041+$',
    '^é+$',
    '^a$b$',
    '^*$',
    '^a**$',
  ])('leaves %s to recheck', (pattern) => {
    expect(provablyFastPattern(pattern)).toBe(false);
  });

  it("agrees with recheck on every pattern of recheck's own tests", () => {
    for (const pattern of [
      '^(\\d{1,2})+$',
      '^(\\d+){1,100}$',
      '^X([A-Z0-9]|[0-9])*$',
      '^(a*)*$',
      '^(?:\\d{2,})+$',
      '^x(?:[0-9]+-?)*y$',
      '^(\\w+\\s?)*$',
      '^\\d*\\d*\\d*$',
      '^[(+*]+$',
      '^(a|b)+c*$',
    ])
      agreesWithRecheck(pattern);
  });

  it('never says fast where recheck refuses, on generated patterns of the grammar and around it', () => {
    const atom = fc.constantFrom(
      'a',
      'Z',
      '7',
      '-',
      '.',
      '\\d',
      '\\D',
      '\\w',
      '\\W',
      '\\s',
      '\\S',
      '\\.',
      '[0-9]',
      '[^0-9]',
      '[A-Z0-9-]',
      '[a\\d]',
      '[a-z_]',
    );
    const quantifier = fc.constantFrom(
      '',
      '',
      '',
      '*',
      '+',
      '?',
      '{3}',
      '{2,}',
      '{1,4}',
      '{0,9}',
      '{13}',
      '+?',
    );
    const pattern = fc
      .tuple(fc.boolean(), fc.array(fc.tuple(atom, quantifier), { maxLength: 8 }), fc.boolean())
      .map(
        ([start, parts, end]) =>
          `${start ? '^' : ''}${parts.map(([a, q]) => a + q).join('')}${end ? '$' : ''}`,
      );
    fc.assert(
      fc.property(pattern, (p) => {
        agreesWithRecheck(p);
      }),
      { numRuns: 120, seed: 13 },
    );
  });

  it('keeps slowPatternProblem refusing what recheck refuses, with recheck never asked for the simple ones', () => {
    expect(slowPatternProblem('^\\d*\\d*\\d*$')).toMatch(/degree 3/);
    expect(slowPatternProblem('^(\\d+)+$')).toMatch(/can take hours/);
    expect(slowPatternProblem('^2\\d{13}$')).toBeUndefined();
  });
});
