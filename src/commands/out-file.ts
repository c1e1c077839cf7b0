/**
 * The output file of merge and export: refused when it is one of the inputs (by real path and by
 * dev+inode) or already exists without --force; written whole or not at all (temp file in the same
 * folder, fsync, rename, fsync of the folder).
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { open, realpath, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { describeFsError } from '../journal/parse.js';

/** Why writing `out` is refused, or undefined when it may be written. */
export async function outputRefusal(
  out: string,
  inputs: readonly string[],
  force: boolean,
): Promise<string | undefined> {
  let outStat;
  try {
    outStat = await stat(out);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') return `${out}: ${describeFsError(error)}`;
  }
  if (outStat?.isDirectory()) return `${out} is a directory; --out takes a file name`;
  const outReal = await realpath(out).catch(() => undefined);
  for (const input of inputs) {
    const inputStat = await stat(input).catch(() => undefined);
    const inputReal = await realpath(input).catch(() => undefined);
    const sameInode =
      outStat !== undefined &&
      inputStat !== undefined &&
      outStat.dev === inputStat.dev &&
      outStat.ino === inputStat.ino;
    if (sameInode || (outReal !== undefined && outReal === inputReal)) {
      return `refusing to write ${out}: it is the input ${input}${input === out ? '' : ' (the same file by another name)'}`;
    }
  }
  if (outStat !== undefined && !force) {
    return `refusing to overwrite ${out}: it already exists (use --force to replace it)`;
  }
  return undefined;
}

/** Bytes written per write() call: few syscalls for a million lines, a flat 1 MiB of memory. */
const BUFFER = 1 << 20;

/**
 * Collects output and writes it in 1 MiB blocks, in order. write() never waits: a full block is queued
 * and a fresh one started, and write() returns true when two are waiting, so the caller awaits drain()
 * before producing much more (memory stays at a few blocks) while one block is written as the next fills.
 */
export class BufferedOut {
  private buffer = Buffer.allocUnsafe(BUFFER);
  private view: DataView<ArrayBufferLike> = new DataView(this.buffer.buffer, this.buffer.byteOffset, BUFFER);
  private used = 0;
  private queue: Promise<void> = Promise.resolve();
  /** Blocks queued and not yet written. */
  private pending = 0;
  /** The writes of the blocks queued, oldest first (each settles when its block is written). */
  private readonly writes: Promise<void>[] = [];
  /** Blocks written, to be filled again. */
  private readonly spare: Buffer<ArrayBuffer>[] = [];

  constructor(private readonly handle: FileHandle) {}

  /**
   * Adds bytes (an ASCII string or raw bytes); true when blocks are waiting to be written: await drain()
   * soon. One block may be written while the next is filled, so the caller waits only when two are.
   */
  write(data: string | Uint8Array): boolean {
    const length = data.length;
    let queued = false;
    if (this.used + length > BUFFER) {
      this.enqueue(this.buffer.subarray(0, this.used), this.buffer);
      this.fresh();
      queued = this.pending >= 2;
      if (length > BUFFER) {
        this.enqueue(typeof data === 'string' ? Buffer.from(data, 'latin1') : Buffer.from(data));
        return true;
      }
    }
    if (typeof data === 'string') this.buffer.write(data, this.used, 'latin1');
    else this.buffer.set(data, this.used);
    this.used += length;
    return queued;
  }

  /**
   * write() of bytes [start, end) of the memory `source` views, copied straight into the block, 4 bytes
   * a step (lines are short: this beats making a view for a native copy; the last word may overlap the
   * one before): the merge calls this for every line. True when a block was queued: await drain() soon.
   */
  writeRange(source: DataView<ArrayBufferLike>, start: number, end: number): boolean {
    const length = end - start;
    if (this.used + length > BUFFER || length < 4) {
      return this.write(new Uint8Array(source.buffer, source.byteOffset + start, length));
    }
    const to = this.view;
    const used = this.used;
    for (let i = 0; ; i += 4) {
      if (i > length - 4) i = length - 4;
      to.setInt32(used + i, source.getInt32(start + i, true), true);
      if (i === length - 4) break;
    }
    this.used = used + length;
    return false;
  }

  /** Resolves when every queued block is written; rejects with the first write error. */
  drain(): Promise<void> {
    return this.queue;
  }

  /**
   * Back-pressure that keeps the disk busy: resolves when at most one block is left to write (so it is
   * written while the caller fills the next; drain() would let the writer idle meanwhile); rejects with
   * the first write error.
   */
  room(): Promise<void> {
    const writes = this.writes;
    return writes.length >= 2 ? (writes[writes.length - 2] as Promise<void>) : this.queue;
  }

  /** Writes everything held and waits for it. */
  async flush(): Promise<void> {
    if (this.used > 0) {
      this.enqueue(this.buffer.subarray(0, this.used), this.buffer);
      this.fresh();
    }
    await this.queue;
  }

  /** Starts a new block (the one before is queued and must not change). */
  private fresh(): void {
    this.buffer = this.spare.pop() ?? Buffer.allocUnsafe(BUFFER);
    this.view = new DataView(this.buffer.buffer, this.buffer.byteOffset, BUFFER);
    this.used = 0;
  }

  /** Queues the write of `block`; `own` is the block of ours it is part of, filled again once written. */
  private enqueue(block: Uint8Array, own?: Buffer<ArrayBuffer>): void {
    const handle = this.handle;
    this.pending++;
    const writes = this.writes;
    this.queue = this.queue.then(async () => {
      try {
        let done = 0;
        while (done < block.length) {
          const { bytesWritten } = await handle.write(block, done, block.length - done);
          done += bytesWritten;
        }
        // A block of ours, written: the next one is filled in it (a fresh 1 MiB a block made memory
        // grow with the output, the garbage collector freeing them late).
        if (own !== undefined) this.spare.push(own);
      } finally {
        this.pending--;
        writes.shift();
      }
    });
    writes.push(this.queue);
    // A failed write is reported by drain(), room() or flush(); until then it is not an unhandled rejection.
    this.queue.catch(() => undefined);
  }
}

/** Writing the output failed; the message says where and why in plain words. */
export class OutputError extends Error {
  override readonly name = 'OutputError';
}

/**
 * Runs `produce` against a temp file beside `out`, then makes it `out` in one rename. If `produce`
 * throws (or returns false: "don't keep it"), or any step fails, the temp file is removed and `out` is
 * untouched. Returns whether `out` was written.
 */
export async function writeAtomically(
  out: string,
  produce: (sink: BufferedOut) => Promise<boolean>,
): Promise<boolean> {
  const target = path.resolve(out);
  const folder = path.dirname(target);
  const temp = path.join(
    folder,
    `.${path.basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`,
  );
  let handle: FileHandle | undefined;
  let sink: BufferedOut | undefined;
  let step = `creating a temporary file in ${folder}`;
  try {
    handle = await open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o644);
    step = `writing ${out}`;
    sink = new BufferedOut(handle);
    if (!(await produce(sink))) {
      await sink.drain().catch(() => undefined);
      await handle.close();
      handle = undefined;
      await unlink(temp).catch(() => undefined);
      return false;
    }
    await sink.flush();
    step = `syncing ${out} to disk`;
    await handle.sync();
    await handle.close();
    handle = undefined;
    step = `renaming the temporary file to ${out}`;
    await rename(temp, target);
  } catch (error) {
    // Let queued writes settle before the handle goes, then drop the temp file.
    await sink?.drain().catch(() => undefined);
    await handle?.close().catch(() => undefined);
    await unlink(temp).catch(() => undefined);
    // Not a system error (an unreadable input, a bug): it is not about the output, pass it on as it is.
    if (typeof (error as NodeJS.ErrnoException | undefined)?.code !== 'string') throw error;
    throw new OutputError(`${step}: ${describeFsError(error)}`, { cause: error });
  }
  // The rename is durable only once the folder is synced; a failure here leaves a complete file.
  const dir = await open(folder, 'r').catch(() => undefined);
  await dir?.sync().catch(() => undefined);
  await dir?.close().catch(() => undefined);
  return true;
}
