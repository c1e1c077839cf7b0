import { describe, expect, it } from 'vitest';
import { createDueRule } from '../../src/kiosk/due.js';

const endOf = (y: number, m: number, d: number) => new Date(y, m - 1, d + 1).getTime() - 1;
const at = new Date(2026, 11, 2, 10, 30).getTime(); // Wednesday 2 Dec 2026

describe('provisional due dates', () => {
  it('is loans.days later, at the end of that local day', () => {
    expect(createDueRule({ days: 14, closed: [], items: [] })(ITEM, at)).toBe(endOf(2026, 12, 16));
  });

  it('moves a due date on a closed weekday or date to the next open day, past several', () => {
    // 2 Dec + 18 days = Sunday 20 Dec; closed Sundays, 21 and 22 Dec closed too, so Wednesday 23 Dec.
    const rule = createDueRule({ days: 18, closed: ['Sunday', '2026-12-21', '2026-12-22'], items: [] });
    expect(rule(ITEM, at)).toBe(endOf(2026, 12, 23));
  });

  it('crosses the year and the end of a month', () => {
    const rule = createDueRule({ days: 30, closed: ['2027-01-01'], items: [] });
    expect(rule(ITEM, at)).toBe(endOf(2027, 1, 2));
  });

  it("takes the first matching item rule's loanDays, else loans.days, else none", () => {
    const rule = createDueRule({
      days: 21,
      closed: [],
      items: [{ pattern: '^3\\d{4}9', loanDays: 2 }, { pattern: '^3\\d{13}$' }],
    });
    expect(rule('31234900000011', at)).toBe(endOf(2026, 12, 4));
    expect(rule(ITEM, at)).toBe(endOf(2026, 12, 23));
    expect(createDueRule({ closed: [], items: [{ pattern: '^3', loanDays: 3 }] })('X1', at)).toBeUndefined();
  });

  it('counts calendar days across a change of clocks (Europe: last Sunday of March)', () => {
    const before = new Date(2027, 2, 27, 23, 0).getTime();
    expect(createDueRule({ days: 1, closed: [], items: [] })(ITEM, before)).toBe(endOf(2027, 3, 28));
  });
});

const ITEM = '31234000000016';
