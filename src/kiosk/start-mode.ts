/**
 * Which mode the kiosk starts in. A mode forced with `run --mode` wins; else the mode staff left it in
 * (a restart after a crash or a power cut must not turn a return desk into a loan desk); else the
 * config's `startMode`. Pure.
 */
import type { Mode } from './events.js';

export type ModeSource = 'run --mode' | 'remembered' | 'startMode';

export function chooseStartMode(
  forced: Mode | undefined,
  remembered: Mode | undefined,
  startMode: Mode,
): { mode: Mode; from: ModeSource } {
  if (forced) return { mode: forced, from: 'run --mode' };
  if (remembered) return { mode: remembered, from: 'remembered' };
  return { mode: startMode, from: 'startMode' };
}
