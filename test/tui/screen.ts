/** Renders the kiosk screen with ink-testing-library and gives tests plain-text frames and key presses. */
import { createElement } from 'react';
import { render } from 'ink-testing-library';
import { configSchema, type Config, type ConfigInput } from '../../src/config/schema.js';
import { KioskScreen } from '../../src/tui/KioskScreen.js';
import { MemoryStation } from './station.js';

/**
 * Lets React and Ink settle after input or a feed event (STACK.md §5): React 19 schedules the update on
 * one turn and Ink writes the frame on the next, so a few turns are yielded.
 */
export async function settle(): Promise<void> {
  for (let i = 0; i < 4; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

// eslint-disable-next-line no-control-regex -- stripping ANSI escapes is the point
const ANSI = /\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07]*\x07/g;

/** Local time on a fixed day, so clock assertions hold in any time zone. */
export const at = (hours: number, minutes: number, seconds = 0, ms = 0) =>
  new Date(2026, 10, 30, hours, minutes, seconds, ms).getTime();

export function renderScreen(
  /** `term` is the TERM the screen sees (default xterm-256color: the Unicode symbols). */
  options: { station?: MemoryStation; config?: ConfigInput; start?: number; term?: string } = {},
) {
  const station = options.station ?? new MemoryStation();
  const config: Config = configSchema.parse(options.config ?? {});
  let time = options.start ?? at(14, 2, 0);
  const now = () => time;
  // An explicit undefined leaves TERM to the screen's own default (the environment).
  const term = 'term' in options ? options.term : 'xterm-256color';
  const ui = render(createElement(KioskScreen, { feed: station, control: station, config, now, term }));
  const frame = () => (ui.lastFrame() ?? '').replace(ANSI, '');
  return {
    ...ui,
    station,
    config,
    frame,
    lines: () => frame().split('\n'),
    /** Moves the fake clock and redraws, as the once-a-second tick would. */
    advance: async (ms: number) => {
      time += ms;
      ui.rerender(createElement(KioskScreen, { feed: station, control: station, config, now, term }));
      await settle();
    },
    press: async (...chunks: string[]) => {
      for (const chunk of chunks) {
        ui.stdin.write(chunk);
        await settle();
      }
      await settle();
    },
    resize: async (columns: number, rows: number) => {
      Object.defineProperty(ui.stdout, 'columns', { value: columns, configurable: true });
      Object.defineProperty(ui.stdout, 'rows', { value: rows, configurable: true });
      ui.stdout.emit('resize');
      await settle();
    },
    /** Waits (bounded) until the frame satisfies `test`, for what only a timer brings (a lone Escape). */
    waitFor: async (test: (frame: string) => boolean, what: string) => {
      for (let i = 0; i < 200; i++) {
        if (test(frame())) return;
        await new Promise((r) => setTimeout(r, 10));
      }
      throw new Error(`timed out waiting for ${what}; last frame:\n${frame()}`);
    },
  };
}
