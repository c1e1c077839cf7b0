import { describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/schema.js';
import { runScreen } from '../../src/tui/run.js';
import { settle } from './screen.js';
import { MemoryStation } from './station.js';
import { TerminalInput, TerminalOutput } from './terminal.js';

function start(isTTY = true) {
  const station = new MemoryStation();
  const stdin = new TerminalInput();
  const stdout = new TerminalOutput(isTTY);
  const screen = runScreen({
    feed: station,
    control: station,
    config: configSchema.parse({}),
    // The streams above stand in for a terminal; Ink only uses these members of them.
    stdin: stdin as unknown as NodeJS.ReadStream,
    stdout: stdout as unknown as NodeJS.WriteStream,
    // vitest replaces the console with one patch-console can't wrap.
    patchConsole: false,
  });
  let exited = false;
  void screen.waitUntilExit().then(() => (exited = true));
  return { station, stdin, stdout, screen, exited: () => exited };
}

describe('runScreen', () => {
  it('keeps running through Ctrl-C and Ctrl-Z, and ends on the quit key', async () => {
    const run = start();
    await settle();
    run.stdin.type('\x03');
    run.stdin.type('\x1a');
    await settle();
    expect(run.exited()).toBe(false);
    expect(run.station.quits).toBe(0);

    run.stdin.type('\x1b[21~');
    await run.screen.waitUntilExit();
    expect(run.station.quits).toBe(1);
    expect(run.station.subscribers).toBe(0);
  });

  it('draws on the alternate screen of a terminal and gives the terminal back after', async () => {
    const run = start();
    await settle();
    expect(run.stdout.written.startsWith('\x1b[?1049h')).toBe(true);
    expect(run.stdout.written).not.toContain('\x1b[?1049l');
    run.screen.unmount();
    await run.screen.waitUntilExit();
    expect(run.stdout.written.endsWith('\x1b[?1049l')).toBe(true);
    expect(run.station.subscribers).toBe(0);
  });

  it('wipes the old frame when the terminal is resized', async () => {
    const run = start();
    await settle();
    const before = run.stdout.written.length;
    run.stdout.columns = 100;
    run.stdout.emit('resize');
    await settle();
    expect(run.stdout.written.slice(before)).toContain('\x1b[2J');
    run.screen.unmount();
  });

  it('writes no terminal modes to an output that is not a terminal', async () => {
    const run = start(false);
    await settle();
    run.screen.unmount();
    await run.screen.waitUntilExit();
    expect(run.stdout.written).not.toContain('\x1b[?1049');
  });
});
