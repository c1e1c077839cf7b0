/** The config keys of issue 11 (patrons, limits, loans, keys.admit, an item rule's loanDays): defaults and plain-worded refusals. */
import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { loadConfig, validateConfig } from '../../src/config/load.js';
import { tempDir, writeConfig } from '../helpers/offcirc.js';

const problemsOf = (raw: unknown): string[] => {
  const result = validateConfig(raw);
  if ('config' in result) throw new Error('expected problems, got a valid config');
  return result.problems;
};

describe('config: patrons, limits, loans', () => {
  it('defaults: refuse blocked and expired, lend to unknown, no limits, no due dates, F4 admits', () => {
    const result = validateConfig({});
    if (!('config' in result)) throw new Error(result.problems.join('\n'));
    const { patrons, limits, loans, keys } = result.config;
    expect(patrons).toMatchObject({ blocked: 'refuse', expired: 'refuse', unknown: 'lend', maxAgeDays: 2 });
    expect(patrons.columns).toEqual({
      barcode: 'barcode',
      status: 'status',
      expiry: 'expiry',
      blocked: 'blocked',
    });
    expect(patrons.list).toBeUndefined();
    expect(limits).toEqual({});
    expect(loans).toEqual({ closed: [] });
    expect(keys.admit).toBe('F4');
  });

  it('refuses wrong values with the path and what is expected', () => {
    expect(
      problemsOf({
        patrons: { blocked: 'allow', maxAgeDays: 0 },
        limits: { itemsPerSession: 0 },
        loans: { days: 1.5, closed: ['2026-02-30', 'someday', 7] },
        barcodes: { item: [{ pattern: '^3', loanDays: -1 }] },
        keys: { admit: 'F3' },
      }),
    ).toEqual([
      'barcodes.item[0].loanDays: expected a positive number of days, got -1',
      'keys.admit: "F3" is used twice, expected a different key for each',
      'patrons.blocked: expected one of "refuse", "warn", "lend", got "allow"',
      'patrons.maxAgeDays: expected a positive number of days, got 0',
      'limits.itemsPerSession: expected a positive integer, got 0',
      'loans.days: expected a positive number of days, got 1.5',
      'loans.closed[0]: expected a date "YYYY-MM-DD" or a weekday such as "sunday", got "2026-02-30"',
      'loans.closed[1]: expected a date "YYYY-MM-DD" or a weekday such as "sunday", got "someday"',
      'loans.closed[2]: expected a date "YYYY-MM-DD" or a weekday such as "sunday", got 7',
    ]);
  });

  it('refuses a week with no open day: no due date could ever fall', () => {
    const week = ['Sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
    expect(problemsOf({ loans: { closed: week } })).toEqual([
      'loans.closed: every weekday is closed, expected at least one open weekday',
    ]);
  });
});

describe('config: patrons.list', () => {
  it("is read from the config file's folder, as every other path", () => {
    const dir = tempDir('offcirc-config-');
    const file = writeConfig(dir, { patrons: { list: 'lists/patrons.list' } });
    expect(loadConfig({ config: file }, {}).config.patrons.list).toBe(
      path.join(dir, 'lists', 'patrons.list'),
    );
  });
});
