/**
 * Folds everything drawn inside it to characters the Linux console font has (glyphs.ts's foldForConsole),
 * line by line after Ink has laid out and truncated the text: Ink's own "…" and whatever words arrive from
 * devices, the journal or config are caught too. O(frame) per frame.
 *
 * Ink has no public hook for this. Its <Transform> may only hold text, so this uses what <Transform> is
 * made of: an `ink-box` host element with `internal_transform`, which Ink applies to every line written
 * inside the box (borders excepted: they come from the chosen box style). Kept here alone, and tested
 * (test/tui/glyphs-screen.test.ts), because it leans on Ink's internals.
 */
import { createElement, type ReactNode } from 'react';
import { foldForConsole } from '../glyphs.js';

const fold = (line: string) => foldForConsole(line);

export function ConsoleFold({
  children,
  width,
  height,
}: {
  children: ReactNode;
  width: number;
  height: number;
}) {
  // The style is what <Box flexDirection="column" width height overflow="hidden"> would give the host node.
  return createElement(
    'ink-box',
    {
      style: {
        flexWrap: 'nowrap',
        flexDirection: 'column',
        flexGrow: 0,
        flexShrink: 1,
        width,
        height,
        overflowX: 'hidden',
        overflowY: 'hidden',
      },
      internal_transform: fold,
    },
    children,
  );
}
