/**
 * The recording format of "offcirc devices record": JSON lines {"t": <ms since the recording began>,
 * "hex": "<the bytes of one report or chunk>"}. Reading checks every line and names the first bad one.
 * Pure; O(n) in the size of the recording.
 */

/** One report (HID) or chunk (serial) as it arrived. */
export interface RecordedChunk {
  /** Milliseconds since the recording began. */
  t: number;
  bytes: Buffer;
}

/** A recording that can't be played: says which file, which line and what is wrong with it. */
export class RecordingError extends Error {
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    readonly problem: string,
  ) {
    super(line === undefined ? `${file}: ${problem}` : `${file} line ${line}: ${problem}`);
  }
}

/** The line for one chunk, newline included. */
export function recordingLine(t: number, bytes: Buffer): string {
  return `${JSON.stringify({ t: Math.max(0, Math.round(t)), hex: bytes.toString('hex') })}\n`;
}

const HEX = /^(?:[0-9a-fA-F]{2})+$/;

/** Reads a whole recording; blank lines are allowed, and keys other than t and hex are ignored. */
export function parseRecording(text: string, file: string): RecordedChunk[] {
  const chunks: RecordedChunk[] = [];
  const lines = text.split(/\r?\n/);
  let previous = 0;
  lines.forEach((line, index) => {
    const number = index + 1;
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new RecordingError(file, number, 'not a JSON line such as {"t": 0, "hex": "0000040000000000"}');
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      throw new RecordingError(file, number, 'not an object such as {"t": 0, "hex": "0000040000000000"}');
    const { t, hex } = value as { t?: unknown; hex?: unknown };
    if (typeof t !== 'number' || !Number.isFinite(t) || t < 0)
      throw new RecordingError(file, number, '"t" is not a time in milliseconds (a number, 0 or more)');
    if (t < previous)
      throw new RecordingError(file, number, `"t" goes back in time (${t} after ${previous})`);
    if (typeof hex !== 'string' || !HEX.test(hex))
      throw new RecordingError(file, number, '"hex" is not hex bytes');
    previous = t;
    chunks.push({ t, bytes: Buffer.from(hex, 'hex') });
  });
  return chunks;
}
