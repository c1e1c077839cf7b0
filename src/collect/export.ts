/**
 * The collector's batches: one OffCirc.dat per desk with every transaction of that desk not yet in a
 * batch, merged across stations (merge.ts), verified by the same checks as `offcirc verify`, written
 * whole (temp file, fsync, rename) and recorded as a batch whose bytes the database keeps, so a download
 * is the same file. A transaction is in exactly one batch. Exports of one desk never run at once (an
 * advisory lock); stations keep inserting meanwhile, and only the lines read are marked.
 *
 * Cost: one read of the desk's waiting lines, O(n log k) to merge, one write and one read of the file.
 */
import { createHash, randomBytes } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type pg from 'pg';
import { LINE_ENDINGS, type LineEnding } from '../journal/line.js';
import { mergeStations, type StationLine } from './merge.js';
import { verifyFile } from './verify-file.js';

export interface ExportOptions {
  desk: string;
  /** Also write again the desk's lines already exported in batches not marked uploaded. */
  again?: boolean;
  lineEnding?: LineEnding;
  now?: () => number;
}

export interface Exported {
  /** The new batch, when there were lines in no batch yet. */
  batch?: { id: number; lines: number; loans: number; returns: number; sha256: string };
  /** The file's bytes. */
  content: Buffer;
  lines: number;
  /** With `again`: the batches repeated, with how many of their lines. */
  repeated: { batch: number; lines: number }[];
}

/** Nothing to export: says what is already exported and waits for upload. */
export class NothingToExport extends Error {}
/** The merged file failed verification: nothing was recorded or written. */
export class ExportRefused extends Error {
  constructor(
    message: string,
    readonly problems: string[],
  ) {
    super(message);
  }
}

const render = (lines: readonly StationLine[], ending: LineEnding): Buffer =>
  Buffer.from(lines.map((l) => l.record + LINE_ENDINGS[ending]).join(''), 'latin1');

/**
 * Exports desk `desk` to `out` (a new file; the caller checked it may be written). Rejects with
 * NothingToExport, ExportRefused, or the database's or file system's error.
 */
export async function exportDesk(
  client: pg.Client,
  out: string | undefined,
  options: ExportOptions,
): Promise<Exported> {
  const ending = options.lineEnding ?? 'crlf';
  // Without `out` (the dashboard) the file is only written to be verified, then the batch is downloaded.
  const temp = out
    ? path.join(path.dirname(out), `.${path.basename(out)}.${randomBytes(6).toString('hex')}.tmp`)
    : path.join(tmpdir(), `offcirc-export-${randomBytes(6).toString('hex')}.dat`);
  const shown = out ?? `desk ${options.desk}'s file`;
  await client.query('BEGIN');
  let committed = false;
  try {
    await client.query("SELECT pg_advisory_xact_lock(hashtext('offcirc export ' || $1))", [options.desk]);
    const fresh = (
      await client.query<StationLine>(
        `SELECT station, generation, line, stamp, record FROM offcirc.lines
         WHERE desk = $1 AND batch IS NULL ORDER BY station, generation, line`,
        [options.desk],
      )
    ).rows;
    let repeatedLines: (StationLine & { batch: number })[] = [];
    if (options.again)
      repeatedLines = (
        await client.query<StationLine & { batch: string }>(
          `SELECT l.station, l.generation, l.line, l.stamp, l.record, l.batch FROM offcirc.lines l
           JOIN offcirc.batches b ON b.id = l.batch
           WHERE l.desk = $1 AND b.uploaded_at IS NULL ORDER BY l.station, l.generation, l.line`,
          [options.desk],
        )
      ).rows.map((r) => ({ ...r, batch: Number(r.batch) }));
    if (fresh.length === 0 && repeatedLines.length === 0) {
      const waiting = await client.query<{ id: string; lines: number }>(
        'SELECT id, lines FROM offcirc.batches WHERE desk = $1 AND uploaded_at IS NULL ORDER BY id',
        [options.desk],
      );
      const list = waiting.rows.map((b) => `${b.id} (${b.lines})`).join(', ');
      throw new NothingToExport(
        `desk ${options.desk}: no transactions waiting for export` +
          (list ? `; exported but not marked uploaded: batch ${list} (--again writes them again)` : ''),
      );
    }
    // With --again the file holds both; the new batch keeps only its own lines.
    const all = repeatedLines.length
      ? [...fresh, ...repeatedLines].sort((a, b) =>
          a.station !== b.station
            ? a.station < b.station
              ? -1
              : 1
            : a.generation - b.generation || a.line - b.line,
        )
      : fresh;
    const content = render(mergeStations(all), ending);
    await writeNew(temp, content);
    const check = await verifyFile(temp, shown, new Date(options.now?.() ?? Date.now()));
    if (check.total > 0)
      throw new ExportRefused(
        `desk ${options.desk}: the merged file did not pass verification (${check.total} problem(s)); nothing was exported`,
        check.problems,
      );
    let batch: Exported['batch'];
    if (fresh.length) {
      const own = repeatedLines.length ? render(mergeStations(fresh), ending) : content;
      const sha256 = createHash('sha256').update(own).digest('hex');
      const loans = fresh.filter((l) => l.record[12] === 'L').length;
      const inserted = await client.query<{ id: string }>(
        `INSERT INTO offcirc.batches (desk, lines, loans, returns, content, sha256)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
        [options.desk, fresh.length, loans, fresh.length - loans, own, sha256],
      );
      const id = Number(inserted.rows[0]?.id);
      const marked = await client.query(
        `UPDATE offcirc.lines l SET batch = $1
         FROM unnest($2::text[], $3::int[], $4::int[]) AS k(station, generation, line)
         WHERE l.station = k.station AND l.generation = k.generation AND l.line = k.line AND l.batch IS NULL`,
        [id, fresh.map((l) => l.station), fresh.map((l) => l.generation), fresh.map((l) => l.line)],
      );
      if (marked.rowCount !== fresh.length)
        throw new Error(
          `batch ${id}: marked ${marked.rowCount} of ${fresh.length} lines; nothing was exported`,
        );
      batch = { id, lines: fresh.length, loans, returns: fresh.length - loans, sha256 };
    }
    await client.query('COMMIT');
    committed = true;
    if (out) await rename(temp, out);
    else await unlink(temp).catch(() => undefined);
    const counts = new Map<number, number>();
    for (const l of repeatedLines) counts.set(l.batch, (counts.get(l.batch) ?? 0) + 1);
    return {
      ...(batch && { batch }),
      content,
      lines: all.length,
      repeated: [...counts].map(([b, lines]) => ({ batch: b, lines })),
    };
  } catch (error) {
    if (!committed) await client.query('ROLLBACK').catch(() => undefined);
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}

/** Writes a new file (never over one) and fsyncs it. */
async function writeNew(file: string, content: Buffer): Promise<void> {
  const handle = await open(file, 'wx', 0o600);
  try {
    await handle.writeFile(content);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** The bytes of batch `id` as exported, or undefined when there is no such batch. */
export async function batchContent(
  client: pg.Client,
  id: number,
): Promise<{ desk: string; content: Buffer } | undefined> {
  const result = await client.query<{ desk: string; content: Buffer }>(
    'SELECT desk, content FROM offcirc.batches WHERE id = $1',
    [id],
  );
  return result.rows[0];
}

/** Records that staff uploaded batch `id` to Alma; an Error in words when it can't be. */
export async function markUploaded(
  client: pg.Client,
  id: number,
  by: string,
): Promise<{ desk: string; lines: number }> {
  const done = await client.query<{ desk: string; lines: number }>(
    `UPDATE offcirc.batches SET uploaded_at = now(), uploaded_by = $2
     WHERE id = $1 AND uploaded_at IS NULL RETURNING desk, lines`,
    [id, by],
  );
  const row = done.rows[0];
  if (row) return row;
  const found = await client.query<{ uploaded_at: Date; uploaded_by: string }>(
    'SELECT uploaded_at, uploaded_by FROM offcirc.batches WHERE id = $1',
    [id],
  );
  const before = found.rows[0];
  if (!before) throw new Error(`there is no batch ${id}`);
  throw new Error(
    `batch ${id} was already marked uploaded at ${before.uploaded_at.toISOString()} by ${before.uploaded_by}: don't upload it again`,
  );
}
