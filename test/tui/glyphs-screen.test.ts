/**
 * The kiosk screen on the Linux console (TERM=linux): every frame, in every state, keeps to the characters
 * the console fonts have (glyphs.ts), the borders included, and still says everything it says elsewhere.
 */
import { describe, expect, it } from 'vitest';
import { hashPin } from '../../src/config/pin.js';
import { REJECTIONS } from '../../src/barcode/classify.js';
import type { KioskEvent } from '../../src/kiosk/events.js';
import { KIOSK_REASONS } from '../../src/kiosk/reasons.js';
import { consoleSafe } from '../../src/tui/glyphs.js';
import { at, renderScreen, settle } from './screen.js';
import { MemoryStation } from './station.js';

const PATRON = '21234000000018';
const ITEM = '31234000000016';
const F10 = '\x1b[21~';

const loaned = (item: string): KioskEvent => ({
  type: 'transaction',
  transaction: { kind: 'loan', item, patron: PATRON, at: at(14, 2), device: 'front' },
  line: 1,
});

/** The characters of `frame` the console fonts lack, with their code points, so a failure names them. */
function unsafe(frame: string): string[] {
  return [...new Set([...frame.replace(/\n/g, '')].filter((c) => !consoleSafe(c)))].map(
    (c) => `${c} U+${c.codePointAt(0)!.toString(16).padStart(4, '0')}`,
  );
}

function expectConsoleSafe(frame: string, state: string) {
  expect(unsafe(frame), `${state}:\n${frame}`).toEqual([]);
}

describe('KioskScreen with TERM=linux', () => {
  it('draws every state with console characters only, long texts cut with "~"', async () => {
    const station = new MemoryStation({
      station: 'front-desk-with-a-very-long-station-name',
      devices: [
        { id: 'front', status: 'connected', message: 'ok' },
        { id: 'back', status: 'error', message: 'HID support unavailable — install libusb-1.0-0 “now”' },
      ],
      journal: {
        path: `/srv/${'deeply/nested/'.repeat(8)}OffCirc.dat`,
        today: 3,
        lastWrite: { ok: true, at: at(14, 1) },
      },
      outbox: 2,
    });
    const s = renderScreen({ station, term: 'linux', config: { staff: { pin: hashPin('4739') } } });
    await s.resize(80, 24);
    const idle = s.frame();
    expectConsoleSafe(idle, 'idle');
    expect(idle).toContain('-> LOAN');
    expect(idle).toContain('█');
    expect(idle).toContain('front-desk-with-a-v~');
    expect(idle).toMatch(/Journal: \/srv\/.*~.*\| 3 today \| last write OK 14:01/);
    // Text from a device is folded too: its dash and quotes become ASCII, column for column.
    expect(idle).toContain('back: HID support unavailable - install libusb-1.0-0 "now"');

    s.station.emit(
      { type: 'session', action: 'opened', patron: PATRON, at: at(14, 2) },
      { patron: PATRON, sessionEndsAt: at(14, 3) },
    );
    s.station.emit(loaned(ITEM), { recent: [{ kind: 'loan', item: ITEM, at: at(14, 2) }] });
    await settle();
    const session = s.frame();
    expectConsoleSafe(session, 'session');
    expect(session).toContain('Scan your items - card ****0018');
    expect(session).toContain('Time left 1:00 | press F3');
    expect(session).toMatch(/OK Loaned +31234000000016/);
    // Words for the patron here too: the list's heading and the F3 key say what they are without "session".
    expect(session).toContain('Borrowed just now (1)');
    expect(session).toMatch(/F3 +Done/);
    expect(session).not.toMatch(/session/i);
    // The single-line box, not the rounded one.
    expect(session).toMatch(/┌─+┐/);
    expect(session).toMatch(/└─+┘/);

    await s.press('1234');
    expectConsoleSafe(s.frame(), 'typing');
    expect(s.frame()).toContain('Typed: **** | Enter sends it, Esc clears it');
    await s.press('\x1b');
    await s.waitFor((f) => !f.includes('Typed:'), 'the typed line cleared');

    s.station.emit({ type: 'rejected', reason: REJECTIONS.checkDigit, at: at(14, 2) });
    s.station.emit({ type: 'ignored', reason: KIOSK_REASONS.doubleRead, at: at(14, 2) });
    await settle();
    const rejected = s.frame();
    expectConsoleSafe(rejected, 'rejected');
    expect(rejected).toContain("X This barcode didn't read correctly. Please scan it again.");
    expect(rejected).toContain('- That was read twice: it counts once.');
    expect(rejected).not.toContain('check digit');

    await s.press(F10, '1', '\r');
    const pin = s.frame();
    expectConsoleSafe(pin, 'PIN prompt');
    expect(pin).toContain('Staff PIN to quit:');
    expect(pin).toContain('X wrong PIN, 2 tries left');
    expect(pin).toContain('Enter = OK | Esc = cancel');
    await s.press('47');
    expect(s.frame()).toContain(' **_');
    await s.press('\x1b');

    s.station.emit(undefined, { mode: 'return', patron: undefined, sessionEndsAt: undefined });
    await settle();
    expectConsoleSafe(s.frame(), 'return');
    expect(s.frame()).toContain('<- RETURN');

    s.station.emit(undefined, { inService: false, outOfServiceReason: 'ENOSPC: no space left on device' });
    await settle();
    expectConsoleSafe(s.frame(), 'out of service');
    expect(s.frame()).toContain('OUT OF SERVICE - loans and returns');

    await s.resize(50, 14);
    expectConsoleSafe(s.frame(), 'out of service, narrow');
    expect(s.frame()).toContain('X OUT OF SERVICE X');
    s.station.emit(undefined, { inService: true, outOfServiceReason: undefined });
    await settle();
    expectConsoleSafe(s.frame(), 'narrow');
    expect(s.frame()).toContain('<- RETURN | Give items back');
    s.unmount();
  });

  it('follows config.screen.glyphs over TERM', async () => {
    const ascii = renderScreen({ term: 'xterm-256color', config: { screen: { glyphs: 'ascii' } } });
    await settle();
    expect(ascii.frame()).toContain('-> LOAN');
    expectConsoleSafe(ascii.frame(), 'ascii on xterm');
    ascii.unmount();

    const unicode = renderScreen({ term: 'linux', config: { screen: { glyphs: 'unicode' } } });
    unicode.station.emit(
      { type: 'session', action: 'opened', patron: PATRON, at: at(14, 2) },
      { patron: PATRON, sessionEndsAt: at(14, 3) },
    );
    unicode.station.emit(loaned(ITEM));
    await settle();
    expect(unicode.frame()).toContain('→ LOAN');
    expect(unicode.frame()).toContain('✓ Loaned');
    expect(unicode.frame()).toContain('╭');
    unicode.unmount();
  });

  it('takes TERM from the environment when none is given', async () => {
    const saved = process.env.TERM;
    process.env.TERM = 'linux';
    try {
      const s = renderScreen({ term: undefined, station: new MemoryStation() });
      await settle();
      expect(s.frame()).toContain('-> LOAN');
      s.unmount();
    } finally {
      process.env.TERM = saved;
    }
  });
});
