import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { LineFramer, describeDrop, DEFAULT_MAX_LINE, type FrameResult } from '../../src/devices/framing.js';
import { describeScan as visible } from '../../src/barcode/describe.js';

const frames = (results: FrameResult[]) => results.filter((r) => r.kind === 'frame').map((r) => r.text);
const bytes = (...values: number[]) => Buffer.from(values);

describe('LineFramer: line ends', () => {
  it('splits two barcodes that arrive in one chunk', () => {
    const framer = new LineFramer({ silenceMs: 2000 });
    const out = framer.push(Buffer.from('21234000000018\r31234000000016\r'), 10);
    expect(out).toEqual([
      { kind: 'frame', text: '21234000000018', at: 10 },
      { kind: 'frame', text: '31234000000016', at: 10 },
    ]);
    expect(framer.pendingLength).toBe(0);
  });

  it('assembles a barcode sent byte by byte, stamped with the time of its line end', () => {
    const framer = new LineFramer({ silenceMs: 2000 });
    const seen: FrameResult[] = [];
    [...Buffer.from('31234000000016\n')].forEach((b, i) => seen.push(...framer.push(bytes(b), 100 + i)));
    expect(seen).toEqual([{ kind: 'frame', text: '31234000000016', at: 114 }]);
  });

  it('accepts CR, LF and CRLF mixed in one stream, and drops the empty lines between them', () => {
    const framer = new LineFramer();
    const out = framer.push(Buffer.from('A1\rB2\nC3\r\nD4\n\r\r\n\n\nE5\r'), 0);
    expect(frames(out)).toEqual(['A1', 'B2', 'C3', 'D4', 'E5']);
    expect(out.every((r) => r.kind === 'frame')).toBe(true);
  });

  it('treats a CRLF split across two chunks as one line end, not an extra empty frame', () => {
    const framer = new LineFramer({ silenceMs: 2000 });
    expect(frames(framer.push(Buffer.from('21234000000018\r'), 0))).toEqual(['21234000000018']);
    const second = framer.push(Buffer.from('\n31234000000016\r'), 5);
    expect(second).toEqual([{ kind: 'frame', text: '31234000000016', at: 5 }]);
  });

  it('keeps a lone LF after a long pause from making a frame or a warning', () => {
    const framer = new LineFramer({ silenceMs: 100 });
    framer.push(Buffer.from('X\r'), 0);
    expect(framer.push(Buffer.from('\n'), 10_000)).toEqual([]);
    expect(framer.expire(20_000)).toBeUndefined();
  });
});

describe('LineFramer: what a bad scanner sends', () => {
  it('keeps non-ASCII bytes visible as latin1 characters instead of stripping them', () => {
    const framer = new LineFramer();
    const out = framer.push(bytes(0x33, 0x31, 0xe9, 0x32, 0xff, 0x0d), 0);
    expect(frames(out)).toEqual(['31\u00e92\u00ff']);
    expect(visible('31\u00e92\u00ff')).toBe('31\\xe92\\xff');
  });

  it('keeps NUL bytes in the text (the classifier rejects them with a reason)', () => {
    const framer = new LineFramer();
    expect(frames(framer.push(bytes(0x00, 0x33, 0x00, 0x0d, 0x00, 0x00, 0x0a), 0))).toEqual([
      '\u00003\u0000',
      '\u0000\u0000',
    ]);
  });

  it('drops a fragment with no line end after silenceMs, and never glues it to the next barcode', () => {
    const framer = new LineFramer({ silenceMs: 2000 });
    expect(framer.push(Buffer.from('3123'), 1000)).toEqual([]);
    expect(framer.deadline()).toBe(3000);
    expect(framer.expire(2999)).toBeUndefined();
    const dropped = framer.expire(3000);
    expect(dropped).toEqual({ kind: 'dropped', reason: 'silence', text: '3123', length: 4, at: 3000 });
    expect(framer.deadline()).toBeUndefined();
    expect(frames(framer.push(Buffer.from('31234000000016\r'), 3100))).toEqual(['31234000000016']);
  });

  it('drops a stale fragment itself when the caller’s timer is late and the next barcode arrives first', () => {
    const framer = new LineFramer({ silenceMs: 2000 });
    framer.push(Buffer.from('noise'), 0);
    const out = framer.push(Buffer.from('21234000000018\r'), 5000);
    expect(out).toEqual([
      { kind: 'dropped', reason: 'silence', text: 'noise', length: 5, at: 5000 },
      { kind: 'frame', text: '21234000000018', at: 5000 },
    ]);
  });

  it('keeps a slowly typed line when there is no silence limit (terminal input)', () => {
    const framer = new LineFramer();
    framer.push('2123', 0);
    expect(framer.expire(10 ** 9)).toBeUndefined();
    expect(framer.deadline()).toBeUndefined();
    expect(frames(framer.push('4000000018\n', 10 ** 9))).toEqual(['21234000000018']);
  });

  it('keeps a steady trickle of bytes as long as no gap reaches silenceMs', () => {
    const framer = new LineFramer({ silenceMs: 50 });
    const out: FrameResult[] = [];
    for (let i = 0; i < 20; i++) out.push(...framer.push('9', i * 49));
    out.push(...framer.push('\r', 20 * 49));
    expect(frames(out)).toEqual(['9'.repeat(20)]);
    expect(out).toHaveLength(1);
  });

  it('drops overlong noise once, then discards the rest of it up to the next line end', () => {
    const framer = new LineFramer({ silenceMs: 2000, maxLength: 16 });
    const out = framer.push(Buffer.alloc(40, 0x55), 0);
    expect(out).toEqual([{ kind: 'dropped', reason: 'overlong', text: 'U'.repeat(16), length: 40, at: 0 }]);
    expect(framer.push(Buffer.alloc(100, 0x55), 1)).toEqual([]);
    expect(framer.pendingLength).toBe(0);
    // The tail of the noise ends at this line end and is not a barcode; the next line is.
    expect(frames(framer.push(Buffer.from('UUU\r31234000000016\r'), 2))).toEqual(['31234000000016']);
  });

  it('ends an overlong run at silence: what follows the pause is a new line', () => {
    const framer = new LineFramer({ silenceMs: 100, maxLength: 8 });
    framer.push('x'.repeat(20), 0);
    expect(frames(framer.push('31234\r', 500))).toEqual(['31234']);
  });

  it('keeps a line of exactly maxLength and drops one byte more', () => {
    const framer = new LineFramer({ maxLength: DEFAULT_MAX_LINE });
    const longest = '7'.repeat(DEFAULT_MAX_LINE);
    expect(frames(framer.push(`${longest}\r`, 0))).toEqual([longest]);
    const out = framer.push(`${longest}8\r`, 1);
    expect(out.map((r) => [r.kind, r.kind === 'dropped' ? r.reason : ''])).toEqual([['dropped', 'overlong']]);
  });

  it('gives the last unterminated line at end of input, and nothing for an overlong one', () => {
    const framer = new LineFramer();
    framer.push('21234000000018\n3123400000001', 0);
    expect(framer.flush(7)).toEqual({ kind: 'frame', text: '3123400000001', at: 7 });
    expect(framer.flush(8)).toBeUndefined();
    const noisy = new LineFramer({ maxLength: 4 });
    noisy.push('123456', 0);
    expect(noisy.flush(1)).toBeUndefined();
  });

  it('drops the pending fragment when the port closes under it', () => {
    const framer = new LineFramer({ silenceMs: 2000 });
    framer.push(bytes(0x33, 0x31), 0);
    expect(framer.drop(5)).toEqual({ kind: 'dropped', reason: 'closed', text: '31', length: 2, at: 5 });
    expect(framer.drop(6)).toBeUndefined();
  });

  it('ignores empty chunks', () => {
    const framer = new LineFramer({ silenceMs: 10 });
    framer.push('12', 0);
    expect(framer.push(Buffer.alloc(0), 5)).toEqual([]);
    expect(framer.deadline()).toBe(10);
  });

  it('describes drops in words a technician can act on, without showing what was dropped', () => {
    const options = { silenceMs: 2000, maxLength: 256 };
    expect(
      describeDrop({ kind: 'dropped', reason: 'silence', text: '31\u0000', length: 3, at: 0 }, options),
    ).toBe(
      'dropped 3 bytes with no line end after 2000 ms of silence: 2 digits, 1 other, starting "31" (check the scanner sends CR or LF after each barcode)',
    );
    expect(
      describeDrop(
        { kind: 'dropped', reason: 'overlong', text: 'U'.repeat(256), length: 300, at: 0 },
        options,
      ),
    ).toBe(
      'dropped noise: over 256 bytes with no line end, the first 256: 256 letters, starting "UU" (check the baud rate and cable)',
    );
    expect(describeDrop({ kind: 'dropped', reason: 'closed', text: '3', length: 1, at: 0 })).toBe(
      'dropped 1 byte with no line end when the port closed: 1 digit, starting "3"',
    );
  });
});

/** Cuts `text` at the given fractions into chunks (some may be empty). */
function chop(text: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => Math.floor(c * (text.length + 1))))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let start = 0;
  for (const p of points) {
    chunks.push(text.subarray(start, p));
    start = p;
  }
  chunks.push(text.subarray(start));
  return chunks;
}

describe('LineFramer: properties', () => {
  const barcode = fc.stringMatching(/^[\x20-\x7e]{1,80}$/);
  const terminator = fc.constantFrom('\r', '\n', '\r\n', '\r\n\r\n', '\n\n');
  const cuts = fc.array(fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), { maxLength: 40 });

  it('gives back exactly the barcodes sent, however they are terminated and chopped', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(barcode, terminator), { maxLength: 20 }), cuts, (lines, cutAt) => {
        const stream = Buffer.from(lines.map(([b, t]) => b + t).join(''), 'latin1');
        const framer = new LineFramer({ silenceMs: 2000 });
        const out: FrameResult[] = [];
        chop(stream, cutAt).forEach((chunk, i) => out.push(...framer.push(chunk, i)));
        expect(out.every((r) => r.kind === 'frame')).toBe(true);
        expect(frames(out)).toEqual(lines.map(([b]) => b));
        expect(framer.pendingLength).toBe(0);
      }),
    );
  });

  it('keeps every byte other than CR and LF, as latin1', () => {
    const line = fc
      .uint8Array({ minLength: 1, maxLength: 60 })
      .map((a) => Buffer.from(a.filter((b) => b !== 0x0d && b !== 0x0a)));
    fc.assert(
      fc.property(fc.array(line, { maxLength: 10 }), cuts, (lines, cutAt) => {
        const kept = lines.filter((l) => l.length > 0);
        const stream = Buffer.concat(kept.flatMap((l) => [l, Buffer.from('\r\n')]));
        const framer = new LineFramer();
        const out = chop(stream, cutAt).flatMap((chunk) => framer.push(chunk, 0));
        expect(frames(out)).toEqual(kept.map((l) => l.toString('latin1')));
        expect(frames(out).map((t) => Buffer.from(t, 'latin1'))).toEqual(kept);
      }),
    );
  });

  it('never yields a line holding CR or LF or longer than maxLength, whatever the bytes and timing', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.uint8Array({ maxLength: 50 }), fc.nat({ max: 300 })), { maxLength: 30 }),
        (chunks) => {
          const framer = new LineFramer({ silenceMs: 100, maxLength: 32 });
          let now = 0;
          for (const [chunk, gap] of chunks) {
            now += gap;
            for (const r of [...framer.push(Buffer.from(chunk), now), framer.expire(now)]) {
              if (!r) continue;
              expect(r.text).not.toMatch(/[\r\n]/);
              expect(r.text.length).toBeLessThanOrEqual(32);
              if (r.kind === 'frame') expect(r.text.length).toBeGreaterThan(0);
            }
            expect(framer.pendingLength).toBeLessThanOrEqual(32);
          }
        },
      ),
    );
  });
});
