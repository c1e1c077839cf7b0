import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { nestedRepetition } from '../../src/config/regex-safety.js';

describe('nestedRepetition', () => {
  it.each([
    ['^(\\d+)+$', '(\\d+)+'],
    ['^(a*)*$', '(a*)*'],
    ['^(?:\\d{2,})+$', '(?:\\d{2,})+'],
    ['^x(?:[0-9]+-?)*y$', '(?:[0-9]+-?)*'],
    ['^((\\d+))+$', '((\\d+))+'],
    ['^(?:(?:a+)b)+$', '(?:(?:a+)b)+'],
    ['^(?:(?:ab)+c)+$', '(?:(?:ab)+c)+'],
    ['^(\\d+){3,}$', '(\\d+){3,}'],
  ])('finds %s', (pattern, fragment) => {
    expect(nestedRepetition(pattern)).toBe(fragment);
  });

  it.each([
    '^2\\d{13}$',
    '^3\\d{13}$',
    '^\\d{8}$',
    '^97[89]\\d{10}$',
    '^(\\d{4}-){3}\\d{4}$', // bounded outside
    '^(\\d+){2}$', // bounded outside: polynomial, not exponential
    '^(ab)+$', // nothing unbounded inside
    '^[(+*]+$', // in a class, ( + * are literals
    '^\\(\\d+\\)+$', // escaped parentheses are literals
    '^(a|b)+c*$',
    '^(?:[A-Z]{2}\\d{6})+$',
  ])('passes %s', (pattern) => {
    expect(nestedRepetition(pattern)).toBeUndefined();
  });

  it('flags a repeated group exactly when both it and something inside it repeat without bound', () => {
    const pieces = {
      '\\d': false,
      '\\d{2}': false,
      '\\d+': true,
      '[0-9]*': true,
      '(?:\\d{3})': false,
      '(\\d{2,})': true,
      '[+*]': false,
    };
    const quantifiers = { '': false, '+': true, '*': true, '{2}': false, '{2,4}': false, '{2,}': true };
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...Object.keys(pieces)), { minLength: 1, maxLength: 4 }),
        fc.constantFrom(...Object.keys(quantifiers)),
        (inside, q) => {
          const source = `^(?:${inside.join('')})${q}$`;
          const nested =
            inside.some((p) => pieces[p as keyof typeof pieces]) &&
            quantifiers[q as keyof typeof quantifiers];
          expect(nestedRepetition(source) !== undefined, source).toBe(nested);
        },
      ),
    );
  });
});
