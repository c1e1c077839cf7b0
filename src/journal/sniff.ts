/** What a file that is plainly not an OffCirc.dat is, told from its first bytes. */

const SPACE = 0x20;
const CR = 0x0d;

/** Magic numbers of files staff might pick by mistake, so the answer says what the file is. */
const MAGIC: readonly (readonly [number[], string])[] = [
  [[0xff, 0xd8, 0xff], 'a JPEG image'],
  [[0x89, 0x50, 0x4e, 0x47], 'a PNG image'],
  [[0x25, 0x50, 0x44, 0x46], 'a PDF document'],
  [[0x50, 0x4b, 0x03, 0x04], 'a ZIP archive (an Excel .xlsx or Word .docx?)'],
  [[0xd0, 0xcf, 0x11, 0xe0], 'an old Microsoft Office document (.xls, .doc)'],
  [[0x1f, 0x8b], 'a gzip archive'],
  [[0xff, 0xfe], 'UTF-16 text (save it as ASCII or UTF-8)'],
  [[0xfe, 0xff], 'UTF-16 text (save it as ASCII or UTF-8)'],
];

/**
 * Tells from a file's first bytes whether it is binary rather than a text file gone wrong: a known magic
 * number, or a first line (up to 512 bytes) holding a NUL or mostly non-text bytes. Only the first line
 * counts, so a journal whose tail was zero-filled by a crash still gets its lines checked one by one.
 * Returns what the file looks like, or undefined.
 */
export function sniffBinary(head: Uint8Array): string | undefined {
  for (const [magic, what] of MAGIC) {
    if (head.length >= magic.length && magic.every((byte, i) => head[i] === byte)) return what;
  }
  const firstLf = head.subarray(0, 512).indexOf(0x0a);
  // A first line too short to judge (an empty line first): look at the 512 bytes instead.
  const n = firstLf >= 16 ? firstLf : Math.min(head.length, 512);
  let odd = 0;
  for (let i = 0; i < n; i++) {
    const b = head[i] ?? 0;
    if (b === 0) return 'a binary file (it holds NUL bytes)';
    if ((b < SPACE && b !== 0x0a && b !== CR && b !== 0x09) || b > 0x7e) odd++;
  }
  return n > 0 && odd * 10 > n * 3 ? 'a binary file (most of its first bytes are not text)' : undefined;
}
