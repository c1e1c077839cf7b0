/**
 * A small ESC/POS reader for tests: turns the bytes offcirc sends a receipt printer back into text lines,
 * naming each command it meets, and fails on any byte it doesn't know, so a stray control byte or an
 * escape sequence offcirc didn't mean to send can't hide in a receipt. Knows exactly the commands the
 * receipt path emits: ESC @, FS ., ESC M n, ESC t n (CP437 only), LF, GS V m, and DLE EOT 4.
 */
import CodepageEncoder from '@point-of-sale/codepage-encoder';

const CP437 = CodepageEncoder.getCodepoints('cp437', true);

export interface DecodedReceipt {
  /** The printed text, one entry per LF (the text after the last LF, if any, is the last entry). */
  lines: string[];
  /** Every command, in order: 'init', 'kanji-off', 'font 0', 'codepage 0', 'cut 1', 'status 4'. */
  commands: string[];
  /** Whether the bytes end with a cut (only line feeds may follow it). */
  endsWithCut: boolean;
  /** How many receipts (cuts) the bytes hold. */
  cuts: number;
}

export function decodeEscPos(bytes: Uint8Array): DecodedReceipt {
  const lines: string[] = [];
  const commands: string[] = [];
  let line = '';
  let lastCutAt = -1;
  let textAfterCut = false;
  const need = (i: number, n: number, what: string) => {
    if (i + n > bytes.length) throw new Error(`${what} cut short at byte ${i}`);
  };
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b === 0x1b) {
      need(i, 2, 'ESC');
      const c = bytes[i + 1]!;
      if (c === 0x40) {
        commands.push('init');
        i += 1;
      } else if (c === 0x4d) {
        need(i, 3, 'ESC M');
        commands.push(`font ${bytes[i + 2]}`);
        i += 2;
      } else if (c === 0x74) {
        need(i, 3, 'ESC t');
        if (bytes[i + 2] !== 0)
          throw new Error(`code page ${bytes[i + 2]} at byte ${i}: only CP437 (0) expected`);
        commands.push('codepage 0');
        i += 2;
      } else throw new Error(`unknown ESC 0x${c.toString(16)} at byte ${i}`);
    } else if (b === 0x1c) {
      need(i, 2, 'FS');
      if (bytes[i + 1] !== 0x2e) throw new Error(`unknown FS 0x${bytes[i + 1]!.toString(16)} at byte ${i}`);
      commands.push('kanji-off');
      i += 1;
    } else if (b === 0x1d) {
      need(i, 3, 'GS');
      if (bytes[i + 1] !== 0x56) throw new Error(`unknown GS 0x${bytes[i + 1]!.toString(16)} at byte ${i}`);
      const m = bytes[i + 2]!;
      if (m === 0 || m === 1 || m === 0x30 || m === 0x31) i += 2;
      else if (m === 65 || m === 66) {
        need(i, 4, 'GS V m n');
        i += 3;
      } else throw new Error(`unknown cut mode ${m} at byte ${i}`);
      commands.push(`cut ${m}`);
      lastCutAt = i;
      textAfterCut = false;
    } else if (b === 0x10) {
      need(i, 3, 'DLE');
      if (bytes[i + 1] !== 0x04) throw new Error(`unknown DLE at byte ${i}`);
      commands.push(`status ${bytes[i + 2]}`);
      i += 2;
    } else if (b === 0x0a) {
      lines.push(line);
      line = '';
    } else if (b < 0x20 || b === 0x7f) {
      throw new Error(`control byte 0x${b.toString(16)} at byte ${i}`);
    } else {
      line += String.fromCodePoint(CP437[b]!);
      if (lastCutAt >= 0) textAfterCut = true;
    }
  }
  if (line !== '') lines.push(line);
  return {
    lines,
    commands,
    endsWithCut: lastCutAt >= 0 && !textAfterCut,
    cuts: commands.filter((c) => c.startsWith('cut')).length,
  };
}

/** The receipt's own lines: the decoded text without the blank feed lines before the cut. */
export function receiptText(decoded: DecodedReceipt): string[] {
  const lines = [...decoded.lines];
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}
