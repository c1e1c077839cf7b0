/**
 * The one place that reads raw terminal input for the screen. Ink's `useInput` can't tell F-keys apart,
 * so this listens to the raw chunks Ink passes to its internal emitter (event 'input', undocumented in
 * Ink 6: kept here alone so an Ink upgrade has one thing to check) and parses them with KeyParser.
 */
import { useEffect, useRef } from 'react';
import { useStdin } from 'ink';
import { KeyParser, type KeyAction } from './keys.js';

/** How long an unfinished escape sequence waits for the rest before it counts as a lone Escape. */
export const ESCAPE_WAIT_MS = 100;

export function useTerminalKeys(onAction: (action: KeyAction) => void, escapeWaitMs = ESCAPE_WAIT_MS): void {
  const { internal_eventEmitter: emitter, setRawMode, isRawModeSupported } = useStdin();
  const handler = useRef(onAction);
  handler.current = onAction;

  useEffect(() => {
    // Raw mode is what makes Ink read stdin at all; it also stops Ctrl-C/Z/\ from raising signals.
    if (!isRawModeSupported) return;
    setRawMode(true);
    return () => setRawMode(false);
  }, [isRawModeSupported, setRawMode]);

  useEffect(() => {
    const parser = new KeyParser();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deliver = (actions: KeyAction[]) => {
      for (const action of actions) handler.current(action);
    };
    const onInput = (chunk: string) => {
      if (timer) clearTimeout(timer);
      timer = undefined;
      deliver(parser.push(String(chunk)));
      if (parser.hasPending()) timer = setTimeout(() => deliver(parser.flushPending()), escapeWaitMs);
    };
    emitter.on('input', onInput);
    return () => {
      emitter.off('input', onInput);
      if (timer) clearTimeout(timer);
    };
  }, [emitter, escapeWaitMs]);
}
