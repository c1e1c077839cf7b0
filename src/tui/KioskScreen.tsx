/**
 * The kiosk screen: a view of the station's feed that turns keys into station commands. It keeps only view
 * state (the last decision and its time, the PIN prompt, the terminal size) and writes nothing but the
 * terminal: the screen itself, the bell on a rejection and, on an idle minute, the clock alone.
 */
import { useEffect, useLayoutEffect, useMemo, useReducer, useRef, useState } from 'react';
import { Box, type DOMElement, useApp, useStdout } from 'ink';
import type { Config } from '../config/schema.js';
import { verifyPin } from '../config/pin.js';
import type { StationControl, StationFeed } from '../station/view.js';
import { initialInput, inputRules, type InputState, reduceKey } from './controls.js';
import type { KeyAction } from './keys.js';
import { chooseGlyphs } from './glyphs.js';
import { boldAt, onlyClockDiffers, placeOf } from './clockInPlace.js';
import { noteEvent, screenModel, type ScreenModel, type Shown } from './screenModel.js';
import { useSecondTick } from './useSecondTick.js';
import { useTerminalKeys } from './useTerminalKeys.js';
import { useTerminalSize } from './useTerminalSize.js';
import { ConsoleFold } from './components/ConsoleFold.js';
import { Instruction } from './components/Instruction.js';
import { KeyLegend } from './components/KeyLegend.js';
import { LastDecision } from './components/LastDecision.js';
import { ModeBanner } from './components/ModeBanner.js';
import { OutOfService } from './components/OutOfService.js';
import { PinPrompt } from './components/PinPrompt.js';
import { RecentList } from './components/RecentList.js';
import { StatusLine } from './components/StatusLine.js';

export interface KioskScreenProps {
  feed: StationFeed;
  control: StationControl;
  config: Config;
  /** The clock (ms since the epoch); tests pass a fake one. */
  now?: () => number;
  /** The terminal's TERM, which picks the symbols when config.screen.glyphs is "auto". */
  term?: string;
  /**
   * The frame starts at the terminal's top-left corner (runScreen's alternate screen): an idle minute that
   * changes only the clock then writes the clock alone (clockInPlace.ts) instead of redrawing the frame.
   */
  frameAtTop?: boolean;
}

/** A frame rendered this recently may still be on its way to the terminal (Ink throttles its writes). */
const FRAME_SETTLE_MS = 1000;

export function KioskScreen({
  feed,
  control,
  config,
  now = Date.now,
  term = process.env.TERM,
  frameAtTop = false,
}: KioskScreenProps) {
  const { exit } = useApp();
  const { stdout } = useStdout();
  const size = useTerminalSize();
  // Whether the last frame had anything that changes by the second: the tick follows it.
  const [live, setLive] = useState(true);
  const [, redraw] = useReducer((n: number) => n + 1, 0);
  const shown = useRef<Shown>({});
  const input = useRef<InputState>(initialInput());
  const rules = useMemo(() => inputRules(config, verifyPin), [config]);
  const glyphs = chooseGlyphs(config.screen.glyphs, term);
  // The last model rendered, when (by the wall clock, not `now`), and where its clock was laid out.
  const drawn = useRef<{ model: ScreenModel; at: number }>(undefined);
  const clock = useRef<DOMElement>(null);
  /** What the screen shows now. */
  const currentModel = () =>
    screenModel({
      view: feed.view(),
      shown: shown.current,
      input: input.current,
      now: now(),
      config,
      rules,
      size,
      glyphs,
    });

  // On an idle minute: when the model differs from the one drawn in nothing but the clock, write the
  // clock alone; else (or where the frame's place on the terminal isn't known) re-render as usual.
  const quietMinute = () => {
    const last = drawn.current;
    if (!frameAtTop || !last || Date.now() - last.at < FRAME_SETTLE_MS) return false;
    const next = currentModel();
    const place = placeOf(clock.current);
    if (!place || place.width !== next.status.clock.length || !onlyClockDiffers(last.model, next))
      return false;
    stdout.write(boldAt(place, next.status.clock));
    return true;
  };
  useSecondTick(now, live, quietMinute);

  // A layout effect subscribes during the first, synchronous render: no event between render() and a
  // later effect turn is missed.
  useLayoutEffect(
    () =>
      feed.subscribe((event) => {
        // The bell goes straight to the terminal: BEL moves no cursor, so Ink's frame stays intact.
        if (event?.type === 'rejected' && config.screen.bell) stdout.write('\x07');
        shown.current = noteEvent(shown.current, event, feed.view(), now());
        redraw();
      }),
    [feed, config.screen.bell, stdout, now],
  );

  useTerminalKeys((action: KeyAction) => {
    const { state, effects } = reduceKey(input.current, action, now(), rules);
    input.current = state;
    for (const effect of effects) {
      if (effect.type === 'command') control.command(effect.command);
      else if (effect.type === 'receipt') control.receipt?.();
      else if (effect.type === 'scan') control.scanLine(effect.text, effect.error);
      else {
        control.quit();
        exit();
      }
    }
    redraw();
  });

  const model = currentModel();
  useEffect(() => {
    drawn.current = { model, at: Date.now() };
    if (model.live !== live) setLive(model.live);
  });

  const screen = (
    <>
      {model.outOfService ? (
        <OutOfService reason={model.outOfService.reason} columns={size.columns} glyphs={glyphs} />
      ) : (
        <>
          <ModeBanner mode={model.mode} scale={model.bannerScale} glyphs={glyphs} />
          <Box height={1} flexShrink={0} />
          <Instruction instruction={model.instruction} />
          <Box height={1} flexShrink={0} />
          <LastDecision decision={model.decision} note={model.note} glyphs={glyphs} />
          <RecentList recent={model.recent} rows={model.recentRows} summary={model.summary} />
        </>
      )}
      <Box flexGrow={1} />
      <PinPrompt staff={model.staff} glyphs={glyphs} />
      <StatusLine status={model.status} glyphs={glyphs} clockRef={clock} />
      <KeyLegend legend={model.legend} />
    </>
  );
  // One row stays free below: an output as tall as the terminal makes Ink clear the screen on every frame.
  const height = Math.max(1, size.rows - 1);
  return glyphs.name === 'console' ? (
    <ConsoleFold width={size.columns} height={height}>
      {screen}
    </ConsoleFold>
  ) : (
    <Box flexDirection="column" width={size.columns} height={height} overflow="hidden">
      {screen}
    </Box>
  );
}
