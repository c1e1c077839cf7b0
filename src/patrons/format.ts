/**
 * The kiosk's patron list file: a 64-byte header (magic, the HMAC key, when it was built, the count) and
 * then fixed 16-byte entries sorted by hash: 11 bytes of HMAC-SHA-256(key, card), a flags byte (blocked,
 * inactive), the expiry date as a big-endian YYYYMMDD (0: none). No names, no card numbers in plain text.
 *
 * 11 bytes (88 bits) of hash: an unknown card matches one of a million entries by chance with
 * probability 10^6 / 2^88 ≈ 3·10^-21. Memory is the file's size: 16 bytes per identifier (≈ 16 MB for a
 * million). A lookup is one HMAC and a binary search of ≤ 20 steps.
 */
import { createHmac } from 'node:crypto';
import type { PatronRecord } from '../kiosk/patrons.js';

export const MAGIC = Buffer.from('OFFCIRC-PATRONS1', 'latin1');
export const HEADER_BYTES = 64;
export const ENTRY_BYTES = 16;
export const HASH_BYTES = 11;
export const KEY_BYTES = 32;
export const FLAG_BLOCKED = 1;
export const FLAG_INACTIVE = 2;

const KEY_AT = 16;
const BUILT_AT = KEY_AT + KEY_BYTES;
const COUNT_AT = BUILT_AT + 8;

/** The truncated keyed hash of one identifier (as the kiosk sees it: trimmed, exact case). */
export function hashId(key: Buffer, id: string): Buffer {
  return createHmac('sha256', key).update(id, 'utf8').digest().subarray(0, HASH_BYTES);
}

export function writeHeader(key: Buffer, builtAt: number, count: number): Buffer {
  const header = Buffer.alloc(HEADER_BYTES);
  MAGIC.copy(header, 0);
  key.copy(header, KEY_AT);
  header.writeDoubleBE(builtAt, BUILT_AT);
  header.writeUInt32BE(count, COUNT_AT);
  return header;
}

/** A list read into memory: lookups are synchronous and allocate one hash. */
export class PatronList {
  private constructor(
    private readonly key: Buffer,
    private readonly entries: Buffer,
    readonly count: number,
    readonly builtAt: number,
  ) {}

  /** Checks the header and the size; throws an Error saying what is wrong with the file. */
  static fromBuffer(data: Buffer): PatronList {
    if (data.length < HEADER_BYTES || !data.subarray(0, MAGIC.length).equals(MAGIC))
      throw new Error('not a patron list written by "offcirc patrons import"');
    const count = data.readUInt32BE(COUNT_AT);
    if (data.length !== HEADER_BYTES + count * ENTRY_BYTES)
      throw new Error(`cut short or padded: ${data.length} bytes for ${count} entries`);
    const key = Buffer.from(data.subarray(KEY_AT, KEY_AT + KEY_BYTES));
    return new PatronList(key, data.subarray(HEADER_BYTES), count, data.readDoubleBE(BUILT_AT));
  }

  /** The card's entry, or null when it is not on the list. */
  lookup(id: string): PatronRecord | null {
    const hash = hashId(this.key, id);
    let lo = 0;
    let hi = this.count - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const at = mid * ENTRY_BYTES;
      const cmp = hash.compare(this.entries, at, at + HASH_BYTES);
      if (cmp === 0) {
        const flags = this.entries[at + HASH_BYTES]!;
        const expiry = this.entries.readUInt32BE(at + HASH_BYTES + 1);
        return {
          blocked: (flags & FLAG_BLOCKED) !== 0,
          inactive: (flags & FLAG_INACTIVE) !== 0,
          ...(expiry !== 0 && { expiry }),
        };
      }
      if (cmp > 0) lo = mid + 1;
      else hi = mid - 1;
    }
    return null;
  }
}
