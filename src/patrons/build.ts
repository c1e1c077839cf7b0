/**
 * Builds a patron list in memory (16 bytes per identifier, grown by doubling) and writes it atomically:
 * a new file made with exclusive create and no-follow (mode 0600, readable by the kiosk's user only),
 * synced, renamed over the old list, the folder synced. A reader sees the old list or the new one whole.
 * Sorting is a counting sort on the first two hash bytes and an insertion sort within each bucket
 * (≈ n / 65536 entries each): O(n) for the uniformly spread hashes HMAC gives.
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import {
  ENTRY_BYTES,
  FLAG_BLOCKED,
  FLAG_INACTIVE,
  HASH_BYTES,
  KEY_BYTES,
  hashId,
  writeHeader,
} from './format.js';

export interface PatronEntry {
  /** The identifiers a card can carry (barcode, primary ID, …), as the kiosk will see them. */
  ids: string[];
  blocked: boolean;
  inactive: boolean;
  /** Local date as YYYYMMDD, or undefined for no expiry. */
  expiry?: number;
}

export class ListBuilder {
  readonly key: Buffer;
  private data = Buffer.alloc(ENTRY_BYTES * 1024);
  private n = 0;

  constructor(key: Buffer = randomBytes(KEY_BYTES)) {
    this.key = key;
  }

  get size(): number {
    return this.n;
  }

  add(entry: PatronEntry): void {
    const flags = (entry.blocked ? FLAG_BLOCKED : 0) | (entry.inactive ? FLAG_INACTIVE : 0);
    for (const id of new Set(entry.ids)) {
      if (this.data.length < (this.n + 1) * ENTRY_BYTES) {
        const grown = Buffer.alloc(this.data.length * 2);
        this.data.copy(grown);
        this.data = grown;
      }
      const at = this.n * ENTRY_BYTES;
      hashId(this.key, id).copy(this.data, at);
      this.data[at + HASH_BYTES] = flags;
      this.data.writeUInt32BE(entry.expiry ?? 0, at + HASH_BYTES + 1);
      this.n++;
    }
  }

  /**
   * The sorted entries. An identifier listed twice keeps one entry: blocked or inactive if either says
   * so (a card is lent to only when every row about it allows it), with the later expiry.
   */
  sorted(): { entries: Buffer; count: number } {
    const src = this.data;
    const counts = new Uint32Array(65537);
    for (let i = 0; i < this.n; i++) counts[src.readUInt16BE(i * ENTRY_BYTES) + 1]!++;
    for (let b = 1; b <= 65536; b++) counts[b]! += counts[b - 1]!;
    const out = Buffer.alloc(this.n * ENTRY_BYTES);
    const next = counts.slice(0, 65536);
    for (let i = 0; i < this.n; i++) {
      const bucket = src.readUInt16BE(i * ENTRY_BYTES);
      src.copy(out, next[bucket]! * ENTRY_BYTES, i * ENTRY_BYTES, (i + 1) * ENTRY_BYTES);
      next[bucket]!++;
    }
    const tmp = Buffer.alloc(ENTRY_BYTES);
    for (let b = 0; b < 65536; b++) {
      const lo = counts[b]!;
      const hi = counts[b + 1]!;
      for (let i = lo + 1; i < hi; i++) {
        out.copy(tmp, 0, i * ENTRY_BYTES, (i + 1) * ENTRY_BYTES);
        let j = i - 1;
        while (
          j >= lo &&
          out.compare(tmp, 0, HASH_BYTES, j * ENTRY_BYTES, j * ENTRY_BYTES + HASH_BYTES) > 0
        ) {
          out.copy(out, (j + 1) * ENTRY_BYTES, j * ENTRY_BYTES, (j + 1) * ENTRY_BYTES);
          j--;
        }
        tmp.copy(out, (j + 1) * ENTRY_BYTES);
      }
    }
    // Merge duplicates in place.
    let w = 0;
    for (let r = 0; r < this.n; r++) {
      const at = r * ENTRY_BYTES;
      if (w > 0) {
        const prev = (w - 1) * ENTRY_BYTES;
        if (out.compare(out, at, at + HASH_BYTES, prev, prev + HASH_BYTES) === 0) {
          out[prev + HASH_BYTES] = out[prev + HASH_BYTES]! | out[at + HASH_BYTES]!;
          const a = out.readUInt32BE(prev + HASH_BYTES + 1);
          const b = out.readUInt32BE(at + HASH_BYTES + 1);
          // 0 means no expiry: it outlasts any date.
          const later = a === 0 || b === 0 ? 0 : Math.max(a, b);
          out.writeUInt32BE(later, prev + HASH_BYTES + 1);
          continue;
        }
      }
      if (w !== r) out.copy(out, w * ENTRY_BYTES, at, at + ENTRY_BYTES);
      w++;
    }
    return { entries: out.subarray(0, w * ENTRY_BYTES), count: w };
  }

  /** Writes the list to `file`, replacing what is there atomically. Returns the entries written. */
  async write(file: string, builtAt: number): Promise<number> {
    const { entries, count } = this.sorted();
    await writeAtomic(file, [writeHeader(this.key, builtAt, count), entries]);
    return count;
  }
}

/** Writes `parts` to a fresh temporary file beside `file` (0600, exclusive, no-follow) and renames it over. */
export async function writeAtomic(file: string, parts: Buffer[]): Promise<void> {
  const dir = path.dirname(file);
  const temp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(
    temp,
    constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
    0o600,
  );
  try {
    try {
      for (const part of parts) await handle.write(part);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  const folder = await open(dir, constants.O_RDONLY).catch(() => undefined);
  await folder?.sync().catch(() => undefined);
  await folder?.close();
}
