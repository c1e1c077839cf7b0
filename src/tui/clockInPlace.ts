/**
 * The idle screen's minute, drawn alone. When the only thing a minute changes on screen is the clock,
 * redrawing the whole frame through React and Ink (layout, every cell re-tokenized, the frame diffed and
 * rewritten) costs tens of milliseconds of cold code and garbage a minute; writing the clock's five
 * characters where Ink last drew them costs one small write. Used only where the frame starts at the
 * terminal's top-left corner (runScreen's alternate screen), so a cell's place in Ink's layout is its place
 * on the terminal.
 *
 * Ink keeps the last frame it drew, with the old minute: the next frame differs from it, so Ink rewrites
 * the whole frame, with the minute computed then.
 */
import type { DOMElement } from 'ink';
import type { ScreenModel } from './screenModel.js';

/** Where an element was drawn in Ink's last layout (cells from the top-left of the frame), and its size. */
export interface Place {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The element's place in the frame, from its yoga layout, if it was laid out and lies wholly within it. */
export function placeOf(element: DOMElement | null): Place | undefined {
  if (!element?.yogaNode) return undefined;
  const { yogaNode } = element;
  let x = 0;
  let y = 0;
  let root: DOMElement = element;
  for (let node: DOMElement | undefined = element; node; node = node.parentNode) {
    if (!node.yogaNode) return undefined;
    x += node.yogaNode.getComputedLeft();
    y += node.yogaNode.getComputedTop();
    root = node;
  }
  const place = { x, y, width: yogaNode.getComputedWidth(), height: yogaNode.getComputedHeight() };
  // Outside the root's box it would be clipped (the screen's box hides its overflow): not on screen.
  const inside =
    x >= 0 &&
    y >= 0 &&
    x + place.width <= (root.yogaNode?.getComputedWidth() ?? 0) &&
    y + place.height <= (root.yogaNode?.getComputedHeight() ?? 0);
  return inside ? place : undefined;
}

/**
 * The bytes that draw `text` in bold (as StatusLine draws the clock) at `place`, leaving the cursor and
 * its attributes as they were (DECSC/DECRC: xterm, tmux, screen and the Linux console have them).
 */
export function boldAt(place: Pick<Place, 'x' | 'y'>, text: string): string {
  return `\x1b7\x1b[${place.y + 1};${place.x + 1}H\x1b[1m${text}\x1b[22m\x1b8`;
}

/** Whether two models of the screen differ in nothing but the clock. */
export function onlyClockDiffers(drawn: ScreenModel, next: ScreenModel): boolean {
  const withoutClock = (m: ScreenModel) => JSON.stringify({ ...m, status: { ...m.status, clock: '' } });
  return drawn.status.clock.length === next.status.clock.length && withoutClock(drawn) === withoutClock(next);
}
