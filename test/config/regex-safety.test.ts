import { describe, expect, it } from 'vitest';
import { MAX_PATTERN_LENGTH, slowPatternProblem } from '../../src/config/regex-safety.js';
import { validateConfig } from '../../src/config/load.js';

describe('slowPatternProblem (recheck, pure backend)', () => {
  it.each([
    // The two: seconds on 38 digits and a letter, and 31 s on a 29-character near-miss.
    '^(\\d{1,2})+$',
    '^(\\d+){1,100}$',
    '^X([A-Z0-9]|[0-9])*$',
    // What the hand-written check caught, still caught.
    '^(\\d+)+$',
    '^(a*)*$',
    '^(?:\\d{2,})+$',
    '^x(?:[0-9]+-?)*y$',
    '^((\\d+))+$',
    '^(\\d+){3,}$',
    // What it let through.
    '^(a|aa)+$',
    '^(\\d|\\d\\d)+$',
    '^(\\w+\\s?)*$',
    // Polynomial of degree 3.
    '^\\d*\\d*\\d*$',
  ])('refuses %s with why and what to write instead', (pattern) => {
    const problem = slowPatternProblem(pattern);
    expect(problem).toMatch(
      /almost matches: a repeated part .*expected fixed counts inside a repeated group/,
    );
  });

  it.each([
    '^2\\d{13}$',
    '^3\\d{13}$',
    '^\\d{8}$',
    '^97[89]\\d{10}$',
    '^(\\d{4})+$',
    '^(\\d{4}-){3}\\d{4}$',
    '^(ab)+$',
    '^[(+*]+$',
    '^(a|b)+c*$',
    '^(?:[A-Z]{2}\\d{6})+$',
    '^\\d+$',
    '\\d+$', // quadratic: bounded by the scan length cap
  ])('accepts %s', (pattern) => {
    expect(slowPatternProblem(pattern)).toBeUndefined();
  });

  it('refuses a pattern too long to be a barcode rule without analysing it', () => {
    const long = `^${'a'.repeat(MAX_PATTERN_LENGTH)}$`;
    expect(slowPatternProblem(long)).toBe(
      `a pattern of ${long.length} characters, expected at most ${MAX_PATTERN_LENGTH}`,
    );
  });

  it('never picks a backend (native, Java, worker): the environment that would choose one is ignored', () => {
    const before = { sync: process.env.RECHECK_SYNC_BACKEND, async: process.env.RECHECK_BACKEND };
    // recheck's main entry throws "invalid sync backend" with these; the pure build has none to pick.
    process.env.RECHECK_SYNC_BACKEND = 'no-such-backend';
    process.env.RECHECK_BACKEND = 'no-such-backend';
    try {
      expect(slowPatternProblem('^(\\d+)+$')).toBeDefined();
      expect(slowPatternProblem('^2\\d{13}$')).toBeUndefined();
    } finally {
      for (const [name, value] of [
        ['RECHECK_SYNC_BACKEND', before.sync],
        ['RECHECK_BACKEND', before.async],
      ] as const)
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
    }
  });

  it('reaches the config as "path: why, what to write instead"', () => {
    const result = validateConfig({
      barcodes: {
        patron: [{ pattern: '^(\\d{1,2})+$' }],
        refuse: [{ pattern: '^(\\d+){1,100}$', reason: 'no' }],
      },
    });
    expect('problems' in result && result.problems).toEqual([
      expect.stringMatching(
        /^barcodes\.patron\[0\]\.pattern: can take hours on a scan that almost matches: .*, expected fixed counts inside a repeated group, such as "\^\(\\\\d\{4\}\)\+\$", or one repetition, such as "\^\\\\d\+\$"$/,
      ),
      expect.stringMatching(/^barcodes\.refuse\[0\]\.pattern: can take hours on a scan that almost matches/),
    ]);
  });
});
