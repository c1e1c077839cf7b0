/**
 * Puts the kiosk screen on the terminal for `offcirc run`: the alternate screen, raw keys, no exit on
 * Ctrl-C (the screen decides what quits), console output kept out of the frame.
 */
import { render } from 'ink';
import type { Config } from '../config/schema.js';
import type { StationControl, StationFeed } from '../station/view.js';
import { KioskScreen } from './KioskScreen.js';

export interface ScreenOptions {
  feed: StationFeed;
  control: StationControl;
  config: Config;
  stdin?: NodeJS.ReadStream;
  stdout?: NodeJS.WriteStream;
  now?: () => number;
  /** The TERM that picks the screen's symbols when config.screen.glyphs is "auto" (default: process.env.TERM). */
  term?: string;
  /** Route console output around the frame (default true; false where console isn't Node's own, as in tests). */
  patchConsole?: boolean;
}

const ALTERNATE_SCREEN_ON = '\x1b[?1049h\x1b[2J\x1b[H';
const ALTERNATE_SCREEN_OFF = '\x1b[?1049l';
const CLEAR = '\x1b[2J\x1b[3J\x1b[H';

/** Shows the screen until the quit key (then the returned promise resolves) or `unmount()`. */
export function runScreen(options: ScreenOptions): { waitUntilExit(): Promise<void>; unmount(): void } {
  const stdin = options.stdin ?? process.stdin;
  const stdout = options.stdout ?? process.stdout;
  const terminal = stdout.isTTY === true;
  if (terminal) stdout.write(ALTERNATE_SCREEN_ON);
  // Registered before Ink's own listener so the old frame, reflowed by the terminal, is wiped before the
  // new one is drawn.
  const onResize = () => stdout.write(CLEAR);
  if (terminal) stdout.on('resize', onResize);

  const instance = render(
    <KioskScreen
      feed={options.feed}
      control={options.control}
      config={options.config}
      now={options.now}
      term={options.term}
      frameAtTop={terminal}
    />,
    { stdin, stdout, exitOnCtrlC: false, patchConsole: options.patchConsole ?? true },
  );

  let restored = false;
  const restore = () => {
    if (restored) return;
    restored = true;
    stdout.off('resize', onResize);
    if (terminal) stdout.write(ALTERNATE_SCREEN_OFF);
  };
  const exited = instance.waitUntilExit().then(
    () => restore(),
    (error: unknown) => {
      restore();
      throw error;
    },
  );
  return {
    waitUntilExit: () => exited,
    unmount: () => {
      instance.unmount();
      restore();
    },
  };
}
