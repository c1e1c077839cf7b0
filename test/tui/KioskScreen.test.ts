import { describe, expect, it } from 'vitest';
import { hashPin } from '../../src/config/pin.js';
import { LINE_SILENCE_MS } from '../../src/tui/controls.js';
import { REJECTIONS } from '../../src/barcode/classify.js';
import type { KioskEvent } from '../../src/kiosk/events.js';
import { KIOSK_REASONS } from '../../src/kiosk/reasons.js';
import { at, renderScreen, settle } from './screen.js';
import { MemoryStation } from './station.js';

const PATRON = '21234000000018';
const ITEM = '31234000000016';
const PIN = '4739';
const PIN_HASH = hashPin(PIN);

const F1 = '\x1bOP';
const F2 = '\x1bOQ';
const F3 = '\x1bOR';
const F10 = '\x1b[21~';

const loaned = (item: string, when = at(14, 2)): KioskEvent => ({
  type: 'transaction',
  transaction: { kind: 'loan', item, patron: PATRON, at: when, device: 'front' },
  line: 1,
});

/** Opens a loan session on the station as the kiosk would: the event, with the view already changed. */
function openSession(station: MemoryStation, endsAt = at(14, 3)) {
  station.emit(
    { type: 'session', action: 'opened', patron: PATRON, at: at(14, 2) },
    { patron: PATRON, sessionEndsAt: endsAt },
  );
}

describe('KioskScreen: idle', () => {
  it('in loan mode says LOAN and asks for the library card, with status and key legend', async () => {
    const s = renderScreen();
    await settle();
    const frame = s.frame();
    expect(frame).toContain('→ LOAN');
    expect(frame).toContain('█');
    expect(frame).toContain('Scan your library card');
    expect(frame).toContain('front connected');
    expect(frame).toContain('front-desk-1');
    // The clock by the minute: an idle screen redraws once a minute, not every second.
    expect(frame).toMatch(/14:02(?!:)/);
    expect(frame).toContain('Journal: /var/lib/offcirc/OffCirc.dat');
    expect(frame).toContain('0 today');
    expect(frame).toMatch(/F1 +Loan +F2 +Return +F3 +Done +F10 +Quit/);
    expect(frame).not.toContain('RETURN');
    s.unmount();
  });

  it('in return mode says RETURN and asks for items', async () => {
    const s = renderScreen({ station: new MemoryStation({ mode: 'return' }) });
    await settle();
    expect(s.frame()).toContain('← RETURN');
    expect(s.frame()).toContain('Scan items to return');
    expect(s.frame()).not.toContain('LOAN');
    s.unmount();
  });

  it('follows a mode change from the station by itself', async () => {
    const s = renderScreen();
    await settle();
    s.station.emit({ type: 'mode', mode: 'return', at: at(14, 2) }, { mode: 'return' });
    await settle();
    expect(s.frame()).toContain('← RETURN');
    s.unmount();
  });

  it('shows the legend from config.keys', async () => {
    const s = renderScreen({ config: { keys: { loan: 'F5', return: 'F6', endSession: 'F7', quit: 'F12' } } });
    await settle();
    expect(s.frame()).toMatch(/F5 +Loan +F6 +Return +F7 +Done +F12 +Quit/);
    s.unmount();
  });
});

describe('KioskScreen: session', () => {
  it('shows the masked card and a countdown that follows the clock', async () => {
    const s = renderScreen();
    openSession(s.station);
    await settle();
    expect(s.frame()).toContain('Scan your items — card ••••0018');
    expect(s.frame()).toContain('Time left 1:00');
    expect(s.frame()).not.toContain('2123400000');
    await s.advance(1000);
    expect(s.frame()).toContain('Time left 0:59');
    expect(s.frame()).toMatch(/14:02(?!:)/);
    await s.advance(58_500);
    expect(s.frame()).toContain('Time left 0:01');
    await s.advance(1000);
    expect(s.frame()).toContain('Time left 0:00');
    s.unmount();
  });

  it('lists the session’s transactions with time, kind and item, and clears them when the session ends', async () => {
    const s = renderScreen();
    openSession(s.station);
    s.station.emit(loaned(ITEM), { recent: [{ kind: 'loan', item: ITEM, at: at(14, 2) }] });
    s.station.emit(loaned('31234000000024', at(14, 3)), {
      recent: [
        { kind: 'loan', item: ITEM, at: at(14, 2) },
        { kind: 'loan', item: '31234000000024', at: at(14, 3) },
      ],
    });
    await settle();
    expect(s.frame()).toMatch(/14:02 +Loan +31234000000016/);
    expect(s.frame()).toMatch(/14:03 +Loan +31234000000024/);

    s.station.emit(
      { type: 'session', action: 'ended', patron: PATRON, reason: 'idle', at: at(14, 4) },
      { patron: undefined, sessionEndsAt: undefined, recent: [] },
    );
    await settle();
    // Neither the list nor the still-fresh decision banner may show the previous patron's items.
    expect(s.frame()).not.toContain('31234000000016');
    expect(s.frame()).not.toContain('31234000000024');
    expect(s.frame()).not.toContain('Loaned');
    expect(s.frame()).not.toContain('0018');
    expect(s.frame()).toContain('Scan your library card');
    s.unmount();
  });
});

describe('KioskScreen: last decision', () => {
  it('shows what was done, prominently, then lets it go after decisionSeconds', async () => {
    const s = renderScreen({ config: { screen: { decisionSeconds: 4 } } });
    openSession(s.station, at(14, 10));
    s.station.emit(loaned(ITEM), { recent: [{ kind: 'loan', item: ITEM, at: at(14, 2) }] });
    await settle();
    expect(s.frame()).toMatch(/✓ Loaned +31234000000016/);
    expect(s.frame()).toContain('╭');
    await s.advance(3999);
    expect(s.frame()).toContain('✓ Loaned');
    await s.advance(1);
    expect(s.frame()).not.toContain('✓ Loaned');
    // The transaction stays in the session list.
    expect(s.frame()).toMatch(/14:02 +Loan +31234000000016/);
    s.unmount();
  });

  it('shows a return as ✓ Returned and the item', async () => {
    const s = renderScreen({ station: new MemoryStation({ mode: 'return' }) });
    s.station.emit(
      {
        type: 'transaction',
        transaction: { kind: 'return', item: ITEM, at: at(14, 2), device: 'front' },
        line: 2,
      },
      { recent: [{ kind: 'return', item: ITEM, at: at(14, 2) }] },
    );
    await settle();
    expect(s.frame()).toMatch(/✓ Returned +31234000000016/);
    expect(s.frame()).toMatch(/14:02 +Return +31234000000016/);
    s.unmount();
  });

  it('says why not on a rejection and rings the bell once', async () => {
    const s = renderScreen();
    await settle();
    s.station.emit({
      type: 'rejected',
      reason: "That is the book's ISBN. Scan the library barcode.",
      at: at(14, 2),
      text: '9780306406157',
    });
    await settle();
    expect(s.frame()).toContain("✗ That is the book's ISBN. Scan the library barcode.");
    expect(s.frame()).not.toContain('9780306406157');
    expect(s.stdout.frames.filter((f) => f === '\x07')).toHaveLength(1);
    s.unmount();
  });

  it('does not ring when config.screen.bell is false, nor ever for an ignored double read', async () => {
    const quiet = renderScreen({ config: { screen: { bell: false } } });
    quiet.station.emit({ type: 'rejected', reason: REJECTIONS.unknown, at: at(14, 2) });
    await settle();
    expect(quiet.frame()).toContain("✗ This isn't a library card or a library barcode.");
    expect(quiet.stdout.frames.join('')).not.toContain('\x07');
    quiet.unmount();

    const s = renderScreen();
    openSession(s.station);
    s.station.emit(loaned(ITEM));
    s.station.emit({ type: 'ignored', reason: KIOSK_REASONS.doubleRead, at: at(14, 2) });
    await settle();
    expect(s.stdout.frames.join('')).not.toContain('\x07');
    // Discreet: below the decision, which stays.
    expect(s.frame()).toContain('· That was read twice: it counts once.');
    expect(s.frame()).toContain('✓ Loaned');
    s.unmount();
  });
});

describe('KioskScreen: out of service', () => {
  it('says so plainly with the reason for staff, and comes back by itself', async () => {
    const s = renderScreen();
    await settle();
    s.station.emit(
      { type: 'service', inService: false, reason: 'ENOSPC', at: at(14, 2) },
      { inService: false, outOfServiceReason: 'Writing the journal failed: ENOSPC: no space left on device' },
    );
    await settle();
    const down = s.frame();
    expect(down).toContain('OUT OF SERVICE — loans and returns');
    expect(down).toContain("can't be saved right now. Please see staff.");
    expect(down).toContain('For staff: Writing the journal failed: ENOSPC');
    expect(down).not.toContain('Scan your library card');
    expect(down).toContain('front-desk-1');

    s.station.emit(
      { type: 'service', inService: true, at: at(14, 3) },
      { inService: true, outOfServiceReason: undefined },
    );
    await settle();
    expect(s.frame()).not.toContain('OUT OF SERVICE');
    expect(s.frame()).toContain('Scan your library card');
    s.unmount();
  });
});

describe('KioskScreen: status', () => {
  it('names disconnected and failed scanners in words, with the first problem', async () => {
    const s = renderScreen({
      station: new MemoryStation({
        devices: [
          { id: 'front', status: 'connected', message: 'ok' },
          { id: 'back', status: 'disconnected', message: 'unplugged: waiting for it to come back' },
          { id: 'kbd', status: 'error', message: 'HID support unavailable: install libusb-1.0-0' },
        ],
        journal: { path: '/j/OffCirc.dat', today: 17, lastWrite: { ok: false, error: 'EIO', at: at(14, 1) } },
        outbox: 2,
      }),
    });
    await settle();
    const frame = s.frame();
    expect(frame).toContain('front connected');
    expect(frame).toContain('back DISCONNECTED');
    expect(frame).toContain('kbd ERROR');
    // The first problem's reason on a row of its own, whole: the technician's clue.
    expect(s.lines()).toContain('  back: unplugged: waiting for it to come back');
    expect(frame).toContain('17 today');
    expect(frame).toContain('WRITE FAILED 14:01: EIO');
    expect(frame).toContain('Outbox: 2');
    s.unmount();
  });

  // Alma's default path under a home folder is longer than what is left of an 80-column status line.
  const LONG = '/home/kiosk/Alma Offline Circulation/OffCirc/files/OffCirc.dat';
  it('at 80 columns with a long journal path, still says the last write, shortening the path', async () => {
    const s = renderScreen({
      station: new MemoryStation({
        journal: { path: LONG, today: 3, lastWrite: { ok: true, at: at(14, 2) } },
        outbox: 1,
      }),
    });
    await s.resize(80, 24);
    const line = s.lines().find((l) => l.startsWith('Journal:')) ?? '';
    expect(line).toContain('last write OK 14:02');
    expect(line).toContain('3 today');
    expect(line).toContain('Outbox: 1');
    expect(line).toMatch(/^Journal: \/home.*….*OffCirc\.dat /);
    s.unmount();
  });

  it('at 80 columns with a long journal path and a long error, shows the error as far as it fits', async () => {
    const error = 'ENOSPC: no space left on device, write (the disk is full: free some space)';
    const s = renderScreen({
      station: new MemoryStation({
        journal: { path: LONG, today: 3, lastWrite: { ok: false, error, at: at(14, 1) } },
      }),
    });
    await s.resize(80, 24);
    const line = s.lines().find((l) => l.startsWith('Journal:')) ?? '';
    expect(line).toContain('WRITE FAILED 14:01: ENOSPC');
    expect(line).toContain('Journal: /');
    s.unmount();
  });

  it('follows device changes pushed by the station', async () => {
    const s = renderScreen();
    await settle();
    s.station.emit(undefined, { devices: [{ id: 'front', status: 'disconnected', message: 'unplugged' }] });
    await settle();
    expect(s.frame()).toContain('front DISCONNECTED');
    s.station.emit(undefined, {
      devices: [{ id: 'front', status: 'connected', message: 'ok' }],
      journal: { path: '/var/lib/offcirc/OffCirc.dat', today: 1, lastWrite: { ok: true, at: at(14, 2) } },
    });
    await settle();
    expect(s.frame()).toContain('front connected');
    expect(s.frame()).toContain('last write OK 14:02');
    s.unmount();
  });
});

describe('KioskScreen: keys', () => {
  it('turns F1, F2, F3 into station commands, in any terminal’s form', async () => {
    const s = renderScreen();
    await s.press(F1, F2, F3, '\x1b[[A', '\x1b[12~', '\x1b[1;2R');
    expect(s.station.commands).toEqual(['loan', 'return', 'endSession', 'loan', 'return', 'endSession']);
    s.unmount();
  });

  it('reads an F-key split across two reads', async () => {
    const s = renderScreen();
    await s.press('\x1b[2', '1~');
    expect(s.station.quits).toBe(1);
    s.unmount();
  });

  it('sends a line typed with Enter as a scan without showing it', async () => {
    const s = renderScreen();
    await s.press('2123400');
    expect(s.frame()).not.toContain('2123400');
    await s.press('0000018\r');
    expect(s.station.scans).toEqual([PATRON]);
    expect(s.frame()).not.toContain(PATRON);
    await s.press('31234000000016\r\n31234000000024\n');
    expect(s.station.scans).toEqual([PATRON, ITEM, '31234000000024']);
    s.unmount();
  });

  it('hands a line too long for any barcode to the station as unusable, never cut short', async () => {
    const s = renderScreen();
    await s.press('3'.repeat(300), '\r');
    expect(s.station.scans).toEqual([]);
    expect(s.station.unusable).toHaveLength(1);
    expect(s.station.unusable[0]!.error).toBe('unreadable scan: more than 256 characters before Enter');
    s.unmount();
  });

  it('shows a line being typed as one dot per character, never the characters, until Enter', async () => {
    const s = renderScreen();
    await s.press('2123400');
    expect(s.frame()).toContain('Typed: ••••••• · Enter sends it, Esc clears it');
    expect(s.frame()).not.toContain('2123400');
    // A person copying a label by hand pauses to read: nine seconds later the line still waits.
    await s.advance(LINE_SILENCE_MS - 1000);
    await s.press('0000018');
    expect(s.frame()).toContain(`Typed: ${'•'.repeat(14)} ·`);
    await s.press('\r');
    expect(s.station.scans).toEqual([PATRON]);
    expect(s.frame()).not.toContain('Typed:');
    s.unmount();
  });

  it('drops a half-typed line after ten seconds of silence, and says so by clearing the dots', async () => {
    const s = renderScreen();
    await s.press('99');
    expect(s.frame()).toContain('Typed: ••');
    await s.advance(LINE_SILENCE_MS + 1);
    expect(s.frame()).not.toContain('Typed:');
    await s.press('31234000000016\r');
    expect(s.station.scans).toEqual([ITEM]);
    s.unmount();
  });

  it('does nothing on Ctrl-C, Ctrl-Z, Ctrl-\\, Ctrl-D, arrows or unbound F-keys', async () => {
    const s = renderScreen();
    await s.press('\x03', '\x1a', '\x1c', '\x04', '\x1b[A', '\x1b[19~', '\t');
    expect(s.station.quits).toBe(0);
    expect(s.station.commands).toEqual([]);
    expect(s.station.scans).toEqual([]);
    expect(s.frame()).toContain('Scan your library card');
    expect(s.station.subscribers).toBe(1);
    s.unmount();
  });

  it('quits at once on F10 without a PIN, and lets go of the feed', async () => {
    const s = renderScreen();
    await settle();
    expect(s.station.subscribers).toBe(1);
    await s.press(F10);
    expect(s.station.quits).toBe(1);
    await settle();
    expect(s.station.subscribers).toBe(0);
  });

  it('unsubscribes from the feed on unmount', async () => {
    const s = renderScreen();
    await settle();
    s.unmount();
    expect(s.station.subscribers).toBe(0);
  });
});

describe('KioskScreen: staff PIN', () => {
  it('asks for the PIN on F10, shows it masked, keeps it from the scans, and quits on the right PIN', async () => {
    const s = renderScreen({ config: { staff: { pin: PIN_HASH } } });
    await s.press(F10);
    expect(s.station.quits).toBe(0);
    expect(s.frame()).toContain('Staff PIN to quit:');
    expect(s.frame()).toContain('Enter = OK · Esc = cancel');
    await s.press('47', '39');
    expect(s.frame()).toContain('••••_');
    expect(s.frame()).not.toContain(PIN);
    await s.press('\r');
    expect(s.station.scans).toEqual([]);
    expect(s.station.quits).toBe(1);
  });

  it('cancels with Escape, and the next typed line is a scan again', async () => {
    const s = renderScreen({ config: { staff: { pin: PIN_HASH } } });
    await s.press(F10, '12');
    await s.press('\x1b');
    await s.waitFor((f) => !f.includes('Staff PIN'), 'the prompt to close');
    await s.press('31234000000016\r');
    expect(s.station.scans).toEqual([ITEM]);
    expect(s.station.quits).toBe(0);
    s.unmount();
  });

  it('locks quitting for a minute after three wrong PINs, says so with the time left, then allows it again', async () => {
    const s = renderScreen({ config: { staff: { pin: PIN_HASH } } });
    await s.press(F10, '1111\r');
    expect(s.frame()).toContain('✗ wrong PIN, 2 tries left');
    await s.press('2222\r');
    expect(s.frame()).toContain('✗ wrong PIN, 1 try left');
    await s.press('3333\r');
    expect(s.frame()).not.toContain('Staff PIN to quit');
    expect(s.frame()).toContain('Staff PIN locked after 3 wrong tries: try again in 1:00');

    await s.press(F10);
    expect(s.frame()).not.toContain('Staff PIN to quit');
    await s.advance(30_000);
    expect(s.frame()).toContain('try again in 0:30');
    await s.advance(30_000);
    expect(s.frame()).not.toContain('locked');

    await s.press(F10, PIN, '\r');
    expect(s.station.quits).toBe(1);
    expect(s.station.scans).toEqual([]);
  });

  it('guards the mode keys when pinFor has "mode", but not the end-session key', async () => {
    const s = renderScreen({ config: { staff: { pin: PIN_HASH, pinFor: ['quit', 'mode'] } } });
    await s.press(F2);
    expect(s.station.commands).toEqual([]);
    expect(s.frame()).toContain('Staff PIN to switch to RETURN:');
    await s.press(PIN, '\r');
    expect(s.station.commands).toEqual(['return']);
    await s.press(F3);
    expect(s.station.commands).toEqual(['return', 'endSession']);
    expect(s.frame()).toMatch(/F1 +Loan \(staff\)/);
    s.unmount();
  });

  it('closes a prompt left alone for 30 s, so scans reach the station again', async () => {
    const s = renderScreen({ config: { staff: { pin: PIN_HASH } } });
    await s.press(F10);
    await s.advance(30_001);
    expect(s.frame()).not.toContain('Staff PIN');
    await s.press('31234000000016\r');
    expect(s.station.scans).toEqual([ITEM]);
    s.unmount();
  });
});

/** Every line of the frame, measured in terminal columns (the screen uses only narrow characters). */
const widths = (lines: string[]) => lines.map((l) => [...l].length);

describe('KioskScreen: size', () => {
  const long = {
    station: 'front-desk-with-a-very-long-station-name',
    devices: [
      { id: 'front-scanner-by-the-door', status: 'connected' as const, message: 'ok' },
      {
        id: 'back-scanner-in-the-office',
        status: 'error' as const,
        message: 'HID support unavailable: install libusb-1.0-0 and restart offcirc, then check the cable',
      },
    ],
    journal: {
      path: `/srv/${'deeply/nested/'.repeat(12)}Alma Offline Circulation/OffCirc/files/OffCirc.dat`,
      today: 12345,
      lastWrite: {
        ok: false as const,
        error: `EACCES: permission denied, open '${'/x'.repeat(60)}'`,
        at: at(14, 1),
      },
    },
    outbox: 12,
  };
  const longItem = (i: number) => `3${String(i).padStart(79, '0')}`;

  it('on a terminal smaller than 80×24, with a scanner problem, still shows the key legend', async () => {
    const s = renderScreen({
      station: new MemoryStation({
        devices: [{ id: 'front', status: 'error', message: 'not found: plug the scanner in' }],
      }),
    });
    await s.resize(60, 20);
    expect(s.lines().length).toBeLessThanOrEqual(19);
    expect(s.frame()).toMatch(/F10 +Quit/);
    expect(s.frame()).toContain('front: not found');
    expect(s.frame()).toContain('LOAN');
    s.unmount();
  });

  it('fits 80×24 with long barcodes, paths, names and messages, in every state', async () => {
    const station = new MemoryStation({
      ...long,
      patron: 'P'.repeat(200),
      sessionEndsAt: at(14, 59),
      recent: Array.from({ length: 12 }, (_, i) => ({
        kind: 'loan' as const,
        item: longItem(i),
        at: at(14, i),
      })),
    });
    // Config's refuse sentences reach the screen as written: the way a long reason gets there.
    const refuse = [
      { pattern: '^x', reason: 'x'.repeat(300) },
      { pattern: '^R', reason: 'R'.repeat(300) },
    ];
    const s = renderScreen({ station, config: { staff: { pin: PIN_HASH }, barcodes: { refuse } } });
    await s.resize(80, 24);
    s.station.emit(loaned(longItem(11)));
    s.station.emit({ type: 'ignored', reason: 'x'.repeat(300), at: at(14, 2) });
    await s.press(F10, '1\r');
    const check = (state: string) => {
      const lines = s.lines();
      expect(Math.max(...widths(lines)), `${state}:\n${s.frame()}`).toBeLessThanOrEqual(80);
      expect(lines.length, state).toBeLessThanOrEqual(23);
    };
    check('session');
    // Problems come first, so a cut line never hides the scanner that needs attention.
    expect(s.frame()).toContain('back-scanner-in-the-office ERROR');
    // Long barcodes are cut in the middle: the end, which tells items apart, stays.
    expect(s.lines().some((l) => /^ 14:11 +Loan +30+…0+11$/.test(l.trimEnd()))).toBe(true);
    expect(s.frame()).toContain('✓ Loaned');
    expect(s.frame()).toContain('wrong PIN');
    expect(s.frame()).toContain('front-desk-with-a-v…');
    expect(s.frame()).toMatch(/14:02(?!:)/);
    expect(s.frame()).toMatch(/F10 +Quit \(staff\)/);
    // The five newest fit; the oldest are left out, not squeezed.
    expect(s.frame()).toContain('14:11');
    expect(s.frame()).not.toContain('14:06');

    s.station.emit({ type: 'rejected', reason: 'R'.repeat(300), at: at(14, 2) });
    await settle();
    check('rejection');

    s.station.emit(undefined, { inService: false, outOfServiceReason: 'E'.repeat(400) });
    await settle();
    check('out of service');
    expect(s.frame()).toContain('OUT OF SERVICE');
    s.unmount();
  });

  it('uses a larger terminal: bigger letters and more of the session, and redraws on resize', async () => {
    const station = new MemoryStation({
      patron: PATRON,
      sessionEndsAt: at(14, 10),
      recent: Array.from({ length: 12 }, (_, i) => ({
        kind: 'loan' as const,
        item: `3123400000${1000 + i}`,
        at: at(14, i),
      })),
    });
    const s = renderScreen({ station });
    await s.resize(80, 24);
    const small = s.lines();
    expect(s.frame()).not.toContain('14:06');

    await s.resize(130, 45);
    const big = s.lines();
    expect(Math.max(...widths(big))).toBeGreaterThan(80);
    expect(Math.max(...widths(big))).toBeLessThanOrEqual(130);
    expect(big.length).toBeGreaterThan(small.length);
    expect(big.length).toBeLessThanOrEqual(44);
    expect(s.frame()).toContain('████████'); // letters twice as wide
    for (let i = 0; i < 12; i++) expect(s.frame()).toContain(`3123400000${1000 + i}`);

    await s.resize(80, 24);
    expect(Math.max(...widths(s.lines()))).toBeLessThanOrEqual(80);
    expect(s.lines().length).toBeLessThanOrEqual(23);
    s.unmount();
  });
});
