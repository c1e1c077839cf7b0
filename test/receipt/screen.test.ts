/**
 * The receipt on the kiosk screen: the printer's state on the status line (and its problem spelled out),
 * "No receipt: please ask staff" for a few seconds after a receipt is dropped, the receipt key in the
 * legend only where a receipt can be asked for, and the key reaching the station as a receipt request.
 */
import { describe, expect, it } from 'vitest';
import { verifyPin } from '../../src/config/pin.js';
import { configSchema, type ConfigInput } from '../../src/config/schema.js';
import type { StationView } from '../../src/station/view.js';
import { initialInput, inputRules, reduceKey } from '../../src/tui/controls.js';
import { UNICODE_GLYPHS } from '../../src/tui/glyphs.js';
import { RECEIPT_DROPPED, screenModel } from '../../src/tui/screenModel.js';
import { at, renderScreen } from '../tui/screen.js';
import { baseView, MemoryStation } from '../tui/station.js';

const NOW = at(14, 2, 0);
const PRINTER: ConfigInput = { receipt: { printer: { type: 'tcp', host: '127.0.0.1' } } };

function model(view: Partial<StationView>, config: ConfigInput = PRINTER, now = NOW) {
  const parsed = configSchema.parse(config);
  return screenModel({
    view: baseView(view),
    shown: {},
    input: initialInput(),
    now,
    config: parsed,
    rules: inputRules(parsed, verifyPin),
    size: { columns: 100, rows: 30 },
    glyphs: UNICODE_GLYPHS,
  });
}

class ReceiptStation extends MemoryStation {
  receipts = 0;
  receipt(): void {
    this.receipts++;
  }
}

describe('the printer on the screen', () => {
  it("shows the printer's state beside the scanners, and its problem on a row of its own", () => {
    expect(model({ printer: { status: 'connected', message: '10.0.0.4:9100 ready' } }).status).toMatchObject({
      printer: { word: 'ready', ok: true },
      problem: undefined,
    });
    expect(
      model({ printer: { status: 'connected', message: '10.0.0.4:9100 ready, paper low' } }).status.printer,
    ).toEqual({ word: 'PAPER LOW', ok: true });
    const out = model({ printer: { status: 'error', message: '/dev/ttyUSB0 is out of paper' } });
    expect(out.status.printer).toEqual({ word: 'NO PAPER', ok: false });
    expect(out.status.problem).toBe('printer: /dev/ttyUSB0 is out of paper');
    const gone = model({
      printer: { status: 'disconnected', message: '/dev/ttyUSB0 unplugged: waiting for it to come back' },
    });
    expect(gone.status.printer).toEqual({ word: 'DISCONNECTED', ok: false });
    // A scanner's problem comes first: it stops lending, a printer doesn't.
    expect(
      model({
        printer: { status: 'error', message: 'out of paper' },
        devices: [{ id: 'front', status: 'disconnected', message: 'unplugged' }],
      }).status.problem,
    ).toBe('front: unplugged');
    expect(model({}).status.printer).toBeUndefined();
  });

  it('tells the patron "No receipt: please ask staff" for decisionSeconds after a receipt is dropped', () => {
    const view = {
      printer: { status: 'error' as const, message: 'x is not answering', droppedAt: NOW - 1000 },
    };
    expect(model(view).note).toBe(RECEIPT_DROPPED);
    expect(RECEIPT_DROPPED).toBe('No receipt: please ask staff');
    expect(model(view, PRINTER, NOW + 5_001).note).toBeUndefined();
    expect(model({ printer: { status: 'connected', message: 'ready' } }).note).toBeUndefined();
    // The next patron's session: the last one's missing receipt is not theirs to read.
    expect(model({ ...view, patron: '21234000000026' }).note).toBeUndefined();
  });

  it('lists the receipt key only where a receipt can be asked for', () => {
    const legend = (config: ConfigInput) => model({}, config).legend.map((l) => `${l.key} ${l.label}`);
    expect(legend(PRINTER)).toContain('F5 Receipt');
    expect(legend({})).not.toContain('F5 Receipt');
    expect(legend({ receipt: { ...PRINTER.receipt, when: 'never' } })).not.toContain('F5 Receipt');
    expect(legend({ ...PRINTER, keys: { receipt: 'F6' } })).toContain('F6 Receipt');
  });
});

describe('the receipt key', () => {
  it('is F5 by default and never asks for the PIN', () => {
    const config = configSchema.parse({
      staff: { pin: `scrypt$${'0'.repeat(32)}$${'0'.repeat(64)}`, pinFor: ['quit', 'mode'] },
    });
    const { effects } = reduceKey(
      initialInput(),
      { type: 'function', key: 'F5' },
      NOW,
      inputRules(config, verifyPin),
    );
    expect(effects).toEqual([{ type: 'receipt' }]);
  });

  it('a config from before receipts with F5 on another key keeps working, without a receipt key', () => {
    const config = configSchema.parse({ keys: { loan: 'F5' } });
    expect(config.keys.receipt).toBeUndefined();
    const { effects } = reduceKey(
      initialInput(),
      { type: 'function', key: 'F5' },
      NOW,
      inputRules(config, verifyPin),
    );
    expect(effects).toEqual([{ type: 'command', command: 'loan' }]);
    expect(() => configSchema.parse({ keys: { loan: 'F5', receipt: 'F5' } })).toThrow(/used twice/);
  });

  it('on the screen, F5 asks the station for a receipt; the status line and the note show the printer', async () => {
    const station = new ReceiptStation({ printer: { status: 'connected', message: 'printer ready' } });
    const screen = renderScreen({ station, config: PRINTER, start: NOW });
    await screen.press('\x1b[15~');
    expect(station.receipts).toBe(1);
    expect(station.commands).toEqual([]);
    expect(screen.frame()).toMatch(/Printer: ready/);
    expect(screen.frame()).toMatch(/F5 {2}Receipt/);
    station.emit(undefined, {
      printer: { status: 'error', message: '/dev/ttyUSB0 is out of paper', droppedAt: NOW },
    });
    await screen.press('');
    expect(screen.frame()).toMatch(/Printer: NO PAPER/);
    expect(screen.frame()).toMatch(/No receipt: please ask staff/);
    expect(screen.frame()).toMatch(/printer: \/dev\/ttyUSB0 is out of paper/);
    screen.unmount();
  });
});
