/**
 * The receipt output's rules, with a real printer on a TCP listener: one receipt per session with that
 * session's loans only, printed as `receipt.when` says (always, when asked while open or shortly after,
 * never); returns since the last pause; a receipt that can't print is dropped and the station told.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ReceiptConfig } from '../../src/config/schema.js';
import type { KioskEvent, Transaction } from '../../src/kiosk/events.js';
import type { StationEvent } from '../../src/station/ports.js';
import type { LogFields, LogLevel } from '../../src/log.js';
import { TcpLink } from '../../src/receipt/links.js';
import { ReceiptOutput, type PrinterUpdate } from '../../src/receipt/output.js';
import { Printer } from '../../src/receipt/printer.js';
import { waitFor } from '../helpers/pty.js';
import { decodeEscPos } from './escpos-decode.js';
import { tcpPrinter, type TcpPrinter } from './printers.js';

const PATRON = '21234567890128';
const PATRON2 = '29876543210982';
const DAY = 86_400_000;

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const undo of cleanup.splice(0).reverse()) await undo();
});

interface Rig {
  output: ReceiptOutput;
  server: TcpPrinter;
  updates: PrinterUpdate[];
  logs: { level: LogLevel; message: string; fields?: LogFields }[];
  clock: { now: number };
  send(...events: StationEvent[]): void;
  /** The receipts printed so far, each as its text lines. */
  receipts(): string[][];
  waitReceipts(n: number): Promise<string[][]>;
}

async function rig(
  config: Partial<ReceiptConfig> = {},
  options: { idleTimeoutMs?: number; serverUp?: boolean } = {},
): Promise<Rig> {
  const server = await tcpPrinter({ answer: 0x12 });
  cleanup.push(() => server.close());
  if (options.serverUp === false) await server.close();
  const updates: PrinterUpdate[] = [];
  const logs: Rig['logs'] = [];
  const clock = { now: new Date(2026, 11, 2, 14, 0).getTime() };
  let status: { status: 'connected' | 'disconnected' | 'error'; message: string } = {
    status: 'disconnected',
    message: 'not yet',
  };
  const printer = new Printer(
    new TcpLink({ type: 'tcp', host: '127.0.0.1', port: server.port, askStatus: true }, 500),
    {
      timeoutMs: 500,
      reconnectMs: 100,
      report: (s, message) => (status = { status: s, message }),
    },
  );
  await printer.start();
  cleanup.push(() => printer.stop());
  const output = new ReceiptOutput({
    station: 'desk-1',
    config: { when: 'always', width: 42, header: [], footer: [], askSeconds: 10, ...config },
    print: (bytes) => printer.print(bytes),
    printerStatus: () => status,
    notify: (u) => updates.push(u),
    idleTimeoutMs: options.idleTimeoutMs ?? 60_000,
    log: (level, message, fields) => logs.push({ level, message, fields }),
    now: () => clock.now,
  });
  cleanup.push(() => output.stop());
  const receipts = () => {
    const decoded = decodeEscPos(server.received());
    const all: string[][] = [];
    let current: string[] = [];
    // Each receipt starts with ESC @; split the text at the cuts.
    for (const line of decoded.lines) current.push(line);
    const text = current.join('\n');
    for (const part of text.split(/\n{4}/))
      if (part.trim() !== '') all.push(part.split('\n').filter((l) => l !== ''));
    current = [];
    expect(all.length).toBe(decoded.cuts);
    return all;
  };
  return {
    output,
    server,
    updates,
    logs,
    clock,
    send: (...events) => events.forEach((e) => output.onEvent(e)),
    receipts,
    waitReceipts: (n) =>
      waitFor(() => (decodeEscPos(server.received()).cuts >= n ? receipts() : undefined), {
        what: () => `${n} receipt(s) (have ${decodeEscPos(server.received()).cuts})`,
      }),
  };
}

const opened = (patron: string, at = 0): KioskEvent => ({ type: 'session', action: 'opened', patron, at });
const ended = (patron: string, at = 0): KioskEvent => ({
  type: 'session',
  action: 'ended',
  patron,
  reason: 'command',
  at,
});
const loan = (item: string, patron: string, due?: number): KioskEvent => {
  const transaction: Transaction = { kind: 'loan', item, patron, at: 0, device: 'front' };
  return { type: 'transaction', transaction, line: 1, ...(due !== undefined && { due }) };
};
const giveBack = (item: string): KioskEvent => ({
  type: 'transaction',
  transaction: { kind: 'return', item, at: 0, device: 'front' },
  line: 1,
});
/** Lets the printer's answer arrive when a test expects that nothing printed. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 150));

describe('receipt.when "always"', () => {
  it("prints each session's loans at its end, with the due date where the kiosk gave one", async () => {
    const r = await rig();
    const due = r.clock.now + 21 * DAY;
    r.send(
      opened(PATRON),
      loan('31234567890126', PATRON, due),
      loan('31234567890134', PATRON),
      ended(PATRON),
    );
    const [receipt] = await r.waitReceipts(1);
    expect(receipt).toEqual([
      'Wed 2 Dec 2026                       14:00',
      'Station: desk-1',
      'Card: ****0128',
      '-'.repeat(42),
      'Loan  31234567890126',
      '  due about Wed 23 Dec 2026 (the library',
      '  system confirms it)',
      'Loan  31234567890134',
      '-'.repeat(42),
      '2 items borrowed',
    ]);
    await waitFor(() => r.updates.length === 1);
    expect(r.updates[0]).toMatchObject({ status: 'connected', receipt: 'printed' });
    expect(r.logs).toContainEqual(expect.objectContaining({ message: 'receipt printed (2 item(s))' }));
  });

  it('a session without loans prints nothing; a loan for another card never lands on this receipt', async () => {
    const r = await rig();
    r.send(opened(PATRON), ended(PATRON));
    r.send(opened(PATRON2), loan('31234567890126', PATRON), loan('31234567890134', PATRON2));
    // The same card again keeps its session: one receipt for both scans of it.
    r.send(opened(PATRON2), loan('31234567890142', PATRON2));
    // A new card: the kiosk ends the old session first; its "opened" alone ends the receipt too.
    r.send(opened(PATRON));
    const receipts = await r.waitReceipts(1);
    await settle();
    expect(r.receipts()).toHaveLength(1);
    expect(receipts[0]).toContain('Card: ****0982');
    expect(receipts[0]!.filter((l) => l.startsWith('Loan'))).toEqual([
      'Loan  31234567890134',
      'Loan  31234567890142',
    ]);
  });

  it('returns: the ones since the last pause, printed when the kiosk would clear its list', async () => {
    const r = await rig({}, { idleTimeoutMs: 200 });
    r.send(giveBack('31234567890126'), giveBack('31234567890134'));
    const [receipt] = await r.waitReceipts(1);
    expect(receipt).not.toContainEqual(expect.stringMatching(/Card/));
    expect(receipt).toContain('Return  31234567890126');
    expect(receipt).toContain('2 items returned');
    r.send(giveBack('31234567890142'), { type: 'mode', mode: 'loan', at: 0 });
    const receipts = await r.waitReceipts(2);
    expect(receipts[1]).toContain('Return  31234567890142');
    expect(receipts[1]).toContain('1 item returned');
  });
});

describe('the pause that ends a return receipt', () => {
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it('a rejected scan is someone still there; a printer or outbox notice is not', async () => {
    const r = await rig({}, { idleTimeoutMs: 400 });
    const started = Date.now();
    r.send(giveBack('31234567890126'));
    await sleep(250);
    r.send({ type: 'view', at: 0 }, { type: 'printer', status: 'connected', message: 'ready', at: 0 });
    await r.waitReceipts(1);
    expect(Date.now() - started).toBeLessThan(640);

    const s = await rig({}, { idleTimeoutMs: 400 });
    s.send(giveBack('31234567890126'));
    await sleep(250);
    s.send({ type: 'rejected', reason: 'not a library card or item barcode', at: 0 });
    await sleep(300); // 550 ms after the return, 300 after the rejection
    expect(s.receipts()).toEqual([]);
    await s.waitReceipts(1);
  });
});

describe('receipt.when "ask"', () => {
  it('prints nothing unasked; asked within askSeconds after the end, prints it once', async () => {
    const r = await rig({ when: 'ask', askSeconds: 10 });
    r.send(opened(PATRON), loan('31234567890126', PATRON), ended(PATRON));
    await settle();
    expect(r.receipts()).toEqual([]);
    r.clock.now += 9_000;
    expect(r.output.ask()).toBe('printing');
    expect(r.output.ask()).toBe('nothing');
    const receipts = await r.waitReceipts(1);
    await settle();
    expect(receipts).toHaveLength(1);
    expect(r.receipts()).toHaveLength(1);
  });

  it('asked too late, or after the next patron came: nothing prints', async () => {
    const r = await rig({ when: 'ask', askSeconds: 10 });
    r.send(opened(PATRON), loan('31234567890126', PATRON), ended(PATRON));
    r.clock.now += 10_001;
    expect(r.output.ask()).toBe('nothing');
    r.send(opened(PATRON2), loan('31234567890134', PATRON2), ended(PATRON2));
    r.send(opened(PATRON));
    // The new patron's own session, with nothing borrowed yet: not the last one's receipt, and the
    // session is not ended by a stray press.
    expect(r.output.ask()).toBe('nothing');
    r.send(ended(PATRON));
    await settle();
    expect(r.receipts()).toEqual([]);
  });

  it('asked during the session: prints at its end', async () => {
    const r = await rig({ when: 'ask' });
    r.send(opened(PATRON), loan('31234567890126', PATRON));
    expect(r.output.ask()).toBe('at-session-end');
    await settle();
    expect(r.receipts()).toEqual([]);
    r.send(loan('31234567890134', PATRON), ended(PATRON));
    const [receipt] = await r.waitReceipts(1);
    expect(receipt).toContain('2 items borrowed');
  });

  it('returns: asking prints the returns so far; later ones go on the next receipt', async () => {
    const r = await rig({ when: 'ask' });
    r.send(giveBack('31234567890126'));
    expect(r.output.ask()).toBe('printing');
    await r.waitReceipts(1);
    r.send(giveBack('31234567890134'));
    expect(r.output.ask()).toBe('printing');
    const receipts = await r.waitReceipts(2);
    expect(receipts[1]).toContain('Return  31234567890134');
    expect(receipts[1]).not.toContain('Return  31234567890126');
  });
});

describe('receipt.when "never"', () => {
  it('prints nothing, asked or not', async () => {
    const r = await rig({ when: 'never' });
    r.send(opened(PATRON), loan('31234567890126', PATRON));
    expect(r.output.ask()).toBe('nothing');
    r.send(ended(PATRON));
    await settle();
    expect(r.receipts()).toEqual([]);
  });
});

describe('a receipt that cannot print', () => {
  it("is told on a later turn, never from inside the station's onEvent (the station would emit inside its emit)", async () => {
    const r = await rig({ width: 10 as never }); // a width the schema refuses: the layout throws
    r.send(opened(PATRON), loan('31234567890126', PATRON), ended(PATRON));
    expect(r.updates).toEqual([]);
    await waitFor(() => r.updates.length === 1);
    expect(r.updates[0]).toMatchObject({ receipt: 'dropped' });
    expect(r.logs).toContainEqual(
      expect.objectContaining({
        message: expect.stringMatching(/could not be laid out: receipt width must be/),
      }),
    );
  });

  it('is dropped: the station is told, the log says why', async () => {
    const r = await rig({}, { serverUp: false });
    r.send(opened(PATRON), loan('31234567890126', PATRON), ended(PATRON));
    await waitFor(() => r.updates.length === 1);
    expect(r.updates[0]).toMatchObject({ receipt: 'dropped', status: 'error' });
    expect(r.logs).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        message: expect.stringMatching(/^receipt dropped: 127\.0\.0\.1:\d+ can't be reached/),
        fields: expect.objectContaining({ event: 'printer', receipt: 'dropped', items: 1 }),
      }),
    );
  });
});
