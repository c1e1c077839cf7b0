import { describe, it, expect, afterAll, beforeAll } from 'vitest';
import { closeSync, constants, openSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { TerminalScanner, TypedLines, KEYBOARD_GROUP } from '../../src/devices/terminal.js';
import { recordingSink } from '../helpers/recording-sink.js';
import { startPty, waitFor } from '../helpers/pty.js';
import { bundleFixture, spawnJsonLines, type Bundle } from '../helpers/ts-child.js';

const config = { id: 'terminal', type: 'terminal' } as const;
const tick = () => new Promise((resolve) => setImmediate(resolve));

function started(input = new PassThrough(), now?: () => number) {
  const sink = recordingSink();
  const scanner = new TerminalScanner(config, sink, input, { now });
  return { sink, scanner, input, ready: scanner.start() };
}

describe('TerminalScanner on a stream', () => {
  it('says it is reading the terminal, and makes each line a scan in the keyboard group', async () => {
    let clock = 1000;
    const { sink, input, ready } = started(new PassThrough(), () => clock);
    await ready;
    expect(sink.statuses).toEqual([
      { device: 'terminal', status: 'connected', message: 'reading scans typed on the terminal' },
    ]);
    input.write('21234000000018\n31234000000016\r');
    clock = 2000;
    input.write('21234000000026\r');
    input.write('\n31234000000024\r\n');
    await waitFor(() => sink.scans.length === 4);
    expect(sink.scans).toEqual([
      { text: '21234000000018', device: 'terminal', at: 1000, group: 'keyboard' },
      { text: '31234000000016', device: 'terminal', at: 1000, group: 'keyboard' },
      { text: '21234000000026', device: 'terminal', at: 2000, group: 'keyboard' },
      { text: '31234000000024', device: 'terminal', at: 2000, group: 'keyboard' },
    ]);
    expect(KEYBOARD_GROUP).toBe('keyboard');
    expect(sink.warnings).toEqual([]);
  });

  it('still scans an unterminated last line at end of input, then says it has ended', async () => {
    const { sink, input, ready } = started();
    await ready;
    input.end('21234000000018\n3123400000001');
    await waitFor(() => sink.finished.length === 1, { what: 'ended' });
    expect(sink.log).toEqual(['status connected', 'scan 21234000000018', 'scan 3123400000001', 'ended']);
    expect(sink.finished).toEqual(['terminal']);
  });

  it('ends without a scan on empty input or blank lines', async () => {
    const { sink, input, ready } = started();
    await ready;
    input.end('\r\n\n\r');
    await waitFor(() => sink.finished.length === 1);
    expect(sink.scans).toEqual([]);
  });

  it('keeps a typed line however slowly it is typed', async () => {
    let clock = 0;
    const { sink, input, ready } = started(new PassThrough(), () => clock);
    await ready;
    input.write('2123');
    await tick();
    clock = 60 * 60 * 1000;
    input.write('4000000018\n');
    await waitFor(() => sink.scans.length === 1);
    expect(sink.scans[0]?.text).toBe('21234000000018');
    expect(sink.warnings).toEqual([]);
  });

  it('decodes UTF-8 split across chunks, and shows bytes that are not UTF-8 instead of dropping them', async () => {
    const { sink, input, ready } = started();
    await ready;
    input.write(Buffer.from([0x33, 0xc3]));
    input.write(Buffer.from([0xa9, 0x0a, 0x33, 0xff, 0x0a]));
    await waitFor(() => sink.scans.length === 2);
    expect(sink.scans.map((s) => s.text)).toEqual(['3é', '3\ufffd']);
  });

  it('reads a stream that gives strings', async () => {
    const input = new PassThrough();
    input.setEncoding('utf8');
    const { sink, ready } = started(input);
    await ready;
    input.end('21234000000018\r\n');
    await waitFor(() => sink.finished.length === 1);
    expect(sink.scans.map((s) => s.text)).toEqual(['21234000000018']);
  });

  it('ignores a pasted line too long to be a barcode, with a warning, and reads on', async () => {
    const { sink, input, ready } = started();
    await ready;
    input.write(`${'x'.repeat(300)}\n21234000000018\n`);
    await waitFor(() => sink.scans.length === 1);
    expect(sink.scans[0]?.text).toBe('21234000000018');
    expect(sink.warnings).toEqual([
      {
        device: 'terminal',
        message:
          'ignored a typed line of 300+ characters (longer than 256, no barcode is), the first 256: 256 letters, starting "xx"',
      },
    ]);
  });

  it('reports a failing input as an error and ends, without crashing on a second error', async () => {
    const { sink, input, ready } = started();
    await ready;
    input.write('2123');
    input.emit('error', new Error('read EIO'));
    input.emit('error', new Error('read EIO again'));
    expect(sink.log).toEqual(['status connected', 'status error', 'ended']);
    expect(sink.statuses[1]?.message).toBe('terminal input failed: read EIO');
  });

  it('stop() stops reading and pauses the input', async () => {
    const { sink, scanner, input, ready } = started();
    await ready;
    input.write('21234000000018\n');
    await waitFor(() => sink.scans.length === 1);
    await scanner.stop();
    expect(input.isPaused()).toBe(true);
    input.write('31234000000016\n');
    input.end();
    input.resume(); // drain it ourselves: nothing may reach the scanner now
    await new Promise((resolve) => input.once('end', resolve));
    expect(sink.scans).toHaveLength(1);
    expect(sink.finished).toEqual([]);
    input.emit('error', new Error('late error'));
  });
});

describe('TypedLines (shared with the screen)', () => {
  it('frames typed text exactly as the terminal scanner does', () => {
    const lines = new TypedLines();
    const out = [
      ...lines.push('212340', 0),
      ...lines.push(Buffer.from('00000018\r'), 1),
      ...lines.push('\n3123', 2),
      ...lines.end(3),
    ];
    expect(out).toEqual([
      { kind: 'frame', text: '21234000000018', at: 1 },
      { kind: 'frame', text: '3123', at: 3 },
    ]);
    expect(lines.end(4)).toEqual([]);
  });

  it('takes a smaller cap where the screen wants one', () => {
    const lines = new TypedLines(4);
    expect(lines.push('12345\n1234\n', 0).map((r) => r.kind)).toEqual(['dropped', 'frame']);
  });
});

describe('TerminalScanner as a real process', () => {
  let bundle: Bundle;
  beforeAll(async () => {
    bundle = await bundleFixture('test/devices/fixtures/terminal-child.ts');
  });
  afterAll(async () => {
    await bundle?.dispose();
  });

  it('reads piped input (printf … | offcirc run --headless), last line unterminated, and lets the process end', async () => {
    const run = spawnJsonLines(process.execPath, [bundle.file]);
    run.child.stdin?.end('21234000000018\n3123400000001');
    expect(await run.exitWithin(10_000)).toBe(0);
    expect(run.lines.map((l) => `${String(l.type)} ${String(l.text ?? l.status ?? l.device)}`)).toEqual([
      'status connected',
      'scan 21234000000018',
      'scan 3123400000001',
      'ended terminal',
    ]);
    expect(run.lines[1]).toMatchObject({ device: 'terminal', group: 'keyboard' });
    expect(run.stderr()).toBe('');
  });

  it('reads lines from a real terminal (a pty as standard input)', async () => {
    const pair = await startPty();
    const tty = openSync(pair.scannerPath, constants.O_RDWR | constants.O_NOCTTY);
    const run = spawnJsonLines(process.execPath, [bundle.file], [tty, 'pipe', 'pipe']);
    closeSync(tty);
    try {
      await run.waitForLine((l) => l.type === 'status', 'connected');
      await pair.write('21234000000018\r31234000000016\n');
      await run.waitForLine((l) => l.text === '31234000000016', 'the second scan');
      expect(run.lines.filter((l) => l.type === 'scan').map((l) => l.text)).toEqual([
        '21234000000018',
        '31234000000016',
      ]);
    } finally {
      run.child.kill('SIGTERM');
      await run.exited;
      await pair.dispose();
    }
  });
});
