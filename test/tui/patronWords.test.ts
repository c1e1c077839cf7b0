import { describe, expect, it } from 'vitest';
import { REJECTIONS } from '../../src/barcode/classify.js';
import { KIOSK_REASONS } from '../../src/kiosk/reasons.js';
import { TYPED_TOO_LONG } from '../../src/tui/controls.js';
import { patronWords, UNKNOWN_WORDS } from '../../src/tui/patronWords.js';

/** Words that mean something to staff and the software, not to someone borrowing a book. */
const JARGON =
  /check digit|session|patron|mode\b|journal|offline file|mod 10|barcode rule|unreadable scan|scan:/i;

/**
 * Every reason the two tables can give, the built ones with arguments such as the station passes: a
 * reason added to either table shows up here without anyone listing it.
 */
function everyReason(): { name: string; reason: string }[] {
  const reasons: { name: string; reason: string }[] = Object.entries(REJECTIONS).map(([name, reason]) => ({
    name: `REJECTIONS.${name}`,
    reason,
  }));
  for (const [name, value] of Object.entries(KIOSK_REASONS)) {
    if (typeof value === 'string') reasons.push({ name: `KIOSK_REASONS.${name}`, reason: value });
    else
      for (const kind of ['loan', 'return'] as const)
        reasons.push({
          name: `KIOSK_REASONS.${name}(${kind})`,
          // Called as the kiosk calls them: outOfService(reason), notSaved(kind, reason).
          reason: (value as (...args: string[]) => string)(
            ...(value.length === 1
              ? ['ENOSPC: no space left on device']
              : [kind, 'ENOSPC: no space left on device']),
          ),
        });
  }
  return [...reasons, { name: 'TYPED_TOO_LONG', reason: TYPED_TOO_LONG }];
}

describe('patronWords', () => {
  it('has a sentence for every reason in both tables, built ones included', () => {
    const reasons = everyReason();
    expect(reasons.length).toBeGreaterThanOrEqual(Object.keys(REJECTIONS).length + 8);
    for (const { name, reason } of reasons) expect(patronWords(reason), name).not.toBe(UNKNOWN_WORDS);
  });

  it('speaks without jargon, in plain ASCII sentences any console shows', () => {
    for (const { name, reason } of everyReason()) {
      const words = patronWords(reason);
      expect(words, name).not.toMatch(JARGON);
      expect(words, name).toMatch(/^[A-Z][\x20-\x7e]*[.!]$/);
      expect(words, name).not.toContain('ENOSPC');
    }
    expect(UNKNOWN_WORDS).not.toMatch(JARGON);
  });

  it('says what the issue asked for the two reasons patrons met most', () => {
    expect(patronWords(REJECTIONS.checkDigit)).toBe(
      "This barcode didn't read correctly. Please scan it again.",
    );
    expect(patronWords(KIOSK_REASONS.alreadyLoaned)).toBe("You've already borrowed this item just now.");
  });

  it('tells a loan from a return that was not saved, whatever the error', () => {
    expect(patronWords(KIOSK_REASONS.notSaved('loan', 'EIO: i/o error, write'))).toMatch(/NOT borrowed/);
    expect(patronWords(KIOSK_REASONS.notSaved('return', 'disk (full): really'))).toMatch(/NOT returned/);
    expect(patronWords(KIOSK_REASONS.outOfService(''))).toMatch(/can't save anything/);
  });

  it("treats the scanner drivers' unreadable scans as a bad read", () => {
    expect(patronWords('unreadable scan: the scanner sent a 7-byte report, expected 8')).toBe(
      patronWords(REJECTIONS.checkDigit),
    );
  });

  it("shows config's refuse sentences as written, and sends anything else to staff", () => {
    const own = new Set(["That is the book's ISBN. Scan the library barcode."]);
    expect(patronWords("That is the book's ISBN. Scan the library barcode.", own)).toBe(
      "That is the book's ISBN. Scan the library barcode.",
    );
    expect(patronWords("That is the book's ISBN. Scan the library barcode.")).toBe(UNKNOWN_WORDS);
    expect(patronWords('not saved: line would not round-trip')).toBe(UNKNOWN_WORDS);
    expect(patronWords('')).toBe(UNKNOWN_WORDS);
  });
});
