/**
 * The idle screen's minute on a terminal: the clock alone is rewritten where the frame drew it, and only
 * while nothing else on screen changed; any other change still redraws the whole frame, with the minute.
 */
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { configSchema } from '../../src/config/schema.js';
import { boldAt, onlyClockDiffers } from '../../src/tui/clockInPlace.js';
import { initialInput, inputRules } from '../../src/tui/controls.js';
import { UNICODE_GLYPHS } from '../../src/tui/glyphs.js';
import { runScreen } from '../../src/tui/run.js';
import { screenModel } from '../../src/tui/screenModel.js';
import { settle } from './screen.js';
import { baseView, MemoryStation } from './station.js';
import { TerminalInput, TerminalOutput } from './terminal.js';

// Ink draws no live frames where it believes it runs under CI (is-in-ci reads CI and
// CONTINUOUS_INTEGRATION once, when ink loads): this file is about live frames, so ink loads as on a
// kiosk's terminal. vi.hoisted runs before the imports above.
const ciEnv = vi.hoisted(() => {
  const saved = { CI: process.env.CI, CONTINUOUS_INTEGRATION: process.env.CONTINUOUS_INTEGRATION };
  delete process.env.CI;
  delete process.env.CONTINUOUS_INTEGRATION;
  return saved;
});
afterAll(() => {
  for (const [name, value] of Object.entries(ciEnv)) if (value !== undefined) process.env[name] = value;
});

// eslint-disable-next-line no-control-regex -- stripping the terminal's escapes is the point
const ESCAPES = /\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[78]/g;

afterEach(() => vi.useRealTimers());

async function start() {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  vi.setSystemTime(new Date(2026, 11, 2, 10, 0, 30));
  const station = new MemoryStation();
  const stdout = new TerminalOutput();
  const screen = runScreen({
    feed: station,
    control: station,
    config: configSchema.parse({}),
    stdin: new TerminalInput() as unknown as NodeJS.ReadStream,
    stdout: stdout as unknown as NodeJS.WriteStream,
    patchConsole: false,
  });
  await settle();
  const drawn = stdout.written;
  /** What was written since the last call. */
  let seen = drawn.length;
  const since = () => {
    const text = stdout.written.slice(seen);
    seen = stdout.written.length;
    return text;
  };
  return { station, stdout, screen, first: drawn, since };
}

/** Row and column (1-based) of `text` in a frame drawn from the top-left corner of the terminal. */
function whereIn(frame: string, text: string): { row: number; column: number } {
  const lines = frame.replace(ESCAPES, '').split('\n');
  const row = lines.findIndex((line) => line.includes(text));
  return { row: row + 1, column: (lines[row] ?? '').indexOf(text) + 1 };
}

describe('the idle minute on a terminal', () => {
  it('rewrites the clock alone, where the frame drew it, minute after minute', async () => {
    const run = await start();
    const { row, column } = whereIn(run.first, '10:00');
    expect(row).toBeGreaterThan(1);

    await vi.advanceTimersByTimeAsync(30_000);
    await settle();
    expect(run.since()).toBe(`\x1b7\x1b[${row};${column}H\x1b[1m10:01\x1b[22m\x1b8`);
    await vi.advanceTimersByTimeAsync(60_000);
    await settle();
    expect(run.since()).toBe(`\x1b7\x1b[${row};${column}H\x1b[1m10:02\x1b[22m\x1b8`);

    // The next change redraws the whole frame, with the minute of now.
    run.station.emit({ type: 'mode', mode: 'return', at: Date.now() }, { mode: 'return' });
    await vi.advanceTimersByTimeAsync(100);
    await settle();
    const frame = run.since().replace(ESCAPES, '');
    expect(frame).toContain('RETURN');
    expect(frame).toContain('10:02');
    run.screen.unmount();
  });

  it('redraws the whole frame when something besides the clock changed by the minute', async () => {
    const run = await start();
    // A change the station made without telling the screen: the minute's redraw must still show it.
    run.station.current = { ...run.station.current, journal: { ...run.station.current.journal, today: 7 } };
    await vi.advanceTimersByTimeAsync(30_000);
    await settle();
    const frame = run.since().replace(ESCAPES, '');
    expect(frame).toContain('7 today');
    expect(frame).toContain('10:01');
    run.screen.unmount();
  });
});

describe('onlyClockDiffers', () => {
  const model = (view = baseView(), now = new Date(2026, 11, 2, 10, 0).getTime()) => {
    const config = configSchema.parse({});
    return screenModel({
      view,
      shown: {},
      input: initialInput(),
      now,
      config,
      rules: inputRules(config, () => false),
      size: { columns: 80, rows: 24 },
      glyphs: UNICODE_GLYPHS,
    });
  };

  it('holds across a minute of an idle screen, and not when anything else changed', () => {
    const before = model();
    expect(onlyClockDiffers(before, model(baseView(), new Date(2026, 11, 2, 10, 1).getTime()))).toBe(true);
    expect(onlyClockDiffers(before, model(baseView({ mode: 'return' })))).toBe(false);
    expect(onlyClockDiffers(before, model(baseView({ outbox: 1 })))).toBe(false);
  });

  it('writes the clock in bold at a place and leaves the cursor where it was', () => {
    expect(boldAt({ x: 75, y: 20 }, '10:01')).toBe('\x1b7\x1b[21;76H\x1b[1m10:01\x1b[22m\x1b8');
  });
});
