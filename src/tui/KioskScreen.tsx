/**
 * The kiosk screen: a view of the station's feed that turns keys into station commands. It keeps only view
 * state (the last decision and its time, the PIN prompt, the terminal size) and writes nothing but the
 * terminal: the screen itself and the bell on a rejection.
 */
import { useEffect, useLayoutEffect, useMemo, useReducer, useRef, useState } from 'react';
import { Box, useApp, useStdout } from 'ink';
import type { Config } from '../config/schema.js';
import { verifyPin } from '../config/pin.js';
import type { StationControl, StationFeed } from '../station/view.js';
import { initialInput, inputRules, type InputState, reduceKey } from './controls.js';
import type { KeyAction } from './keys.js';
import { chooseGlyphs } from './glyphs.js';
import { noteEvent, screenModel, type Shown } from './screenModel.js';
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
}

export function KioskScreen({
  feed,
  control,
  config,
  now = Date.now,
  term = process.env.TERM,
}: KioskScreenProps) {
  const { exit } = useApp();
  const { stdout } = useStdout();
  const size = useTerminalSize();
  // Whether the last frame had anything that changes by the second: the tick follows it.
  const [live, setLive] = useState(true);
  useSecondTick(now, live);
  const [, redraw] = useReducer((n: number) => n + 1, 0);
  const shown = useRef<Shown>({});
  const input = useRef<InputState>(initialInput());
  const rules = useMemo(() => inputRules(config, verifyPin), [config]);
  const glyphs = chooseGlyphs(config.screen.glyphs, term);

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

  const model = screenModel({
    view: feed.view(),
    shown: shown.current,
    input: input.current,
    now: now(),
    config,
    rules,
    size,
    glyphs,
  });
  useEffect(() => {
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
      <StatusLine status={model.status} glyphs={glyphs} />
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
