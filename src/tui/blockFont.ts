/**
 * Block letters for the mode banner: the few letters the screen needs, 5 rows high, drawn with full
 * blocks so the mode reads from across the room (and on a monochrome terminal). O(text × scale²).
 */

const GLYPHS: Record<string, string[]> = {
  A: [' ### ', '#   #', '#####', '#   #', '#   #'],
  C: [' ####', '#    ', '#    ', '#    ', ' ####'],
  E: ['#####', '#    ', '#### ', '#    ', '#####'],
  F: ['#####', '#    ', '#### ', '#    ', '#    '],
  I: ['###', ' # ', ' # ', ' # ', '###'],
  L: ['#    ', '#    ', '#    ', '#    ', '#####'],
  N: ['#   #', '##  #', '# # #', '#  ##', '#   #'],
  O: [' ### ', '#   #', '#   #', '#   #', ' ### '],
  R: ['#### ', '#   #', '#### ', '#  # ', '#   #'],
  S: [' ####', '#    ', ' ### ', '    #', '#### '],
  T: ['#####', '  #  ', '  #  ', '  #  ', '  #  '],
  U: ['#   #', '#   #', '#   #', '#   #', ' ### '],
  V: ['#   #', '#   #', '#   #', ' # # ', '  #  '],
  '>': ['  #  ', '   # ', '#####', '   # ', '  #  '],
  '<': ['  #  ', ' #   ', '#####', ' #   ', '  #  '],
  ' ': ['  ', '  ', '  ', '  ', '  '],
};

export const BLOCK_HEIGHT = 5;

/** True when every character of `text` has a glyph. */
export function canDraw(text: string): boolean {
  return [...text].every((c) => c in GLYPHS);
}

/** The rows of `text` in block letters, `scale` times as wide and as high; unknown characters are skipped. */
export function blockRows(text: string, scale = 1): string[] {
  const glyphs = [...text].map((c) => GLYPHS[c]).filter((g): g is string[] => g !== undefined);
  const rows: string[] = [];
  for (let row = 0; row < BLOCK_HEIGHT; row++) {
    const line = glyphs
      .map((g) => g[row] ?? '')
      .join(' ')
      .replace(/./g, (c) => (c === '#' ? '█' : ' ').repeat(scale));
    for (let s = 0; s < scale; s++) rows.push(line);
  }
  return rows;
}

/** How many columns `blockRows(text, scale)` takes. */
export function blockWidth(text: string, scale = 1): number {
  return blockRows(text, scale)[0]?.length ?? 0;
}
