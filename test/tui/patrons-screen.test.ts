/**
 * The screen's part of issue 11, drawn by the real KioskScreen (ink-testing-library): each loan's
 * provisional due date, the session's summary for a few seconds then nothing of the patron, the staff
 * admit key behind the PIN, the patron list's problems on the status line, a warned card's note.
 */
import { describe, expect, it } from 'vitest';
import { hashPin } from '../../src/config/pin.js';
import { SUMMARY_MS } from '../../src/tui/screenModel.js';
import { at, renderScreen } from './screen.js';
import { MemoryStation } from './station.js';

const F4 = '\x1bOS';
const PATRON = '21234000000018';
const due = (y: number, m: number, d: number) => new Date(y, m - 1, d + 1).getTime() - 1;

describe('the kiosk screen: due dates and the summary', () => {
  it('shows "due about" beside each loan, marked provisional', async () => {
    const station = new MemoryStation({
      patron: PATRON,
      recent: [
        { kind: 'loan', item: '31234000000016', at: at(14, 1), due: due(2026, 12, 14) },
        { kind: 'loan', item: '31234000000024', at: at(14, 2), due: due(2026, 12, 7) },
      ],
    });
    const s = renderScreen({ station });
    expect(s.frame()).toMatch(/14:01 +Loan +31234000000016 +due about Mon 14 Dec/);
    expect(s.frame()).toMatch(/14:02 +Loan +31234000000024 +due about Mon 7 Dec/);
    expect(s.frame()).toContain('due dates provisional: the library confirms them');
  });

  it('after the session, sums it up for a few seconds, then shows nothing of it', async () => {
    const station = new MemoryStation({ patron: PATRON });
    const s = renderScreen({ station });
    station.emit(
      {
        type: 'session',
        action: 'ended',
        patron: PATRON,
        reason: 'command',
        at: at(14, 2),
        summary: { loans: 3, due: [due(2026, 12, 14), due(2026, 12, 7), due(2026, 12, 14)] },
      },
      { patron: undefined, recent: [] },
    );
    await s.advance(0);
    const shown = s.frame();
    expect(shown).toContain('Thank you! You borrowed 3 items.');
    expect(shown).toContain('1 item due about Mon 7 Dec');
    expect(shown).toContain('2 items due about Mon 14 Dec');
    expect(shown).toContain('Scan your library card');
    expect(shown).not.toContain('0018');
    await s.advance(SUMMARY_MS);
    expect(s.frame()).not.toContain('Thank you');
    expect(s.frame()).not.toContain('due about');
  });

  it("a new patron's first loan replaces the last one's summary", async () => {
    const station = new MemoryStation({ patron: PATRON });
    const s = renderScreen({ station });
    station.emit(
      {
        type: 'session',
        action: 'ended',
        patron: PATRON,
        reason: 'replaced',
        at: at(14, 2),
        summary: { loans: 1, due: [] },
      },
      { patron: '21234000000026', recent: [] },
    );
    await s.advance(0);
    expect(s.frame()).toContain('Thank you! You borrowed 1 item.');
    const tx = {
      kind: 'loan' as const,
      item: '31234000000032',
      patron: '21234000000026',
      at: at(14, 2),
      device: 'front',
    };
    station.emit(
      { type: 'transaction', transaction: tx, line: 1 },
      { recent: [{ kind: 'loan', item: tx.item, at: tx.at }] },
    );
    await s.advance(0);
    expect(s.frame()).not.toContain('Thank you');
  });
});

describe('the kiosk screen: staff admit a refused card', () => {
  it('F4 asks for the PIN and, with the right one, asks the station to admit; the legend offers it only when there is a card to admit', async () => {
    const station = new MemoryStation();
    const s = renderScreen({ station, config: { staff: { pin: hashPin('4739') } } });
    expect(s.frame()).not.toContain('Admit');
    station.emit(
      {
        type: 'rejected',
        reason: 'card blocked or inactive on the patron list: please see staff',
        device: 'front',
        at: at(14, 2),
      },
      { admittable: true },
    );
    await s.advance(0);
    expect(s.frame()).toContain("This card can't be used to borrow right now. Please see staff.");
    expect(s.frame()).toMatch(/F4 +Admit \(staff\)/);
    await s.press(F4);
    expect(s.frame()).toContain('Staff PIN to let the refused card borrow:');
    await s.press('1111', '\r');
    expect(s.frame()).toContain('wrong PIN, 2 tries left');
    expect(station.commands).toEqual([]);
    await s.press('4739', '\r');
    expect(station.commands).toEqual(['admit']);
  });

  it('without a staff PIN configured, F4 does nothing', async () => {
    const station = new MemoryStation({ admittable: true });
    const s = renderScreen({ station });
    await s.press(F4);
    expect(station.commands).toEqual([]);
    expect(s.frame()).not.toContain('Staff PIN');
    expect(s.frame()).not.toContain('Admit');
  });
});

describe('the kiosk screen: the patron list for staff, and a warned card', () => {
  it('says on the status line when the list is older than maxAgeDays, and nothing while it is fresh', async () => {
    const station = new MemoryStation({
      patronList: { loaded: true, builtAt: at(14, 2) - 2 * 86_400_000, entries: 10 },
    });
    const s = renderScreen({ station, config: { patrons: { maxAgeDays: 2 } } });
    expect(s.frame()).not.toContain('Patron list');
    station.emit(undefined, {
      patronList: { loaded: true, builtAt: at(14, 2) - 3 * 86_400_000, entries: 10 },
    });
    await s.advance(0);
    expect(s.frame()).toContain('Patron list is 3 days old: import a new one');
  });

  it("says when the list can't be read, and when a configured list is missing", async () => {
    const station = new MemoryStation({
      patronList: { loaded: true, builtAt: at(14, 2), problem: '/x/patrons.list: cut short' },
    });
    const s = renderScreen({ station, config: { patrons: { list: '/x/patrons.list' } } });
    expect(s.frame()).toContain("Patron list can't be read (see the log)");
    station.emit(undefined, { patronList: { loaded: false } });
    await s.advance(0);
    expect(s.frame()).toContain('No patron list: cards are not checked');
  });

  it('asks a patron lent to with a warning to see staff', async () => {
    const station = new MemoryStation({ patron: PATRON, patronWarning: true });
    const s = renderScreen({ station });
    expect(s.frame()).toContain("Your library card needs attention: please see staff when you're done.");
  });
});

describe('the kiosk screen: the end of a run of returns', () => {
  it('says how many items were returned, for a few seconds', async () => {
    const station = new MemoryStation({ mode: 'return', recent: [] });
    const s = renderScreen({ station });
    station.emit({ type: 'returns', action: 'ended', returns: 2, reason: 'command', at: at(14, 2) });
    await s.advance(0);
    expect(s.frame()).toContain('Thank you! You returned 2 items.');
    await s.advance(SUMMARY_MS);
    expect(s.frame()).not.toContain('Thank you');
  });
});
