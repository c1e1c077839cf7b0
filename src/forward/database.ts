/**
 * What the forwarder says to PostgreSQL, statement by statement: the tables' version, the station's last
 * generation, a batch of lines (one transaction; lines already there must be the same text) and the
 * station's status row. Each is one or two round trips.
 */
import type pg from 'pg';
import { showUrl } from './connect.js';
import { migrate, schemaVersion, SCHEMA_VERSION } from './migrations.js';
import type { LineRow } from './record.js';

/** Forwarding can't go on past this until a person acts (a damaged line, a clash of names). */
export class StuckError extends Error {}

/** Makes sure offcirc's tables are there and current, creating them where this role may. */
export async function ensureSchema(client: pg.Client, url: string): Promise<void> {
  if ((await schemaVersion(client)) >= SCHEMA_VERSION) return;
  try {
    await migrate(client);
  } catch (error) {
    throw new Error(
      `the database ${showUrl(url)} has no offcirc tables (or older ones) and this station may not create ` +
        `them (${(error as Error).message}): run "offcirc collect migrate --db URL" as its owner`,
    );
  }
}

/** The station's last generation in the database and its last line, if it has any. */
export async function lastGeneration(
  client: pg.Client,
  station: string,
): Promise<{ generation: number; line: number } | undefined> {
  const result = await client.query<{ generation: number; line: number }>(
    `SELECT generation, max(line) AS line FROM offcirc.lines WHERE station = $1
     GROUP BY generation ORDER BY generation DESC LIMIT 1`,
    [station],
  );
  return result.rows[0];
}

/** The stored text of some lines of one generation, by line number. */
export async function storedRecords(
  client: pg.Client,
  station: string,
  generation: number,
  lines: number[],
): Promise<Map<number, string>> {
  const stored = await client.query<{ line: number; record: string }>(
    'SELECT line, record FROM offcirc.lines WHERE station = $1 AND generation = $2 AND line = ANY($3)',
    [station, generation, lines],
  );
  return new Map(stored.rows.map((r) => [r.line, r.record]));
}

export interface Batch {
  station: string;
  desk: string;
  library: string | undefined;
  generation: number;
  /** The line number of rows[0]. */
  first: number;
  rows: LineRow[];
}

/**
 * Inserts a batch in one transaction, ON CONFLICT DO NOTHING. Lines that were there already (sent
 * before a crash, the cursor not yet moved) must be the very same text, or it throws StuckError.
 */
export async function insertLines(client: pg.Client, batch: Batch): Promise<void> {
  const { station, generation, rows, first } = batch;
  const numbers = rows.map((_, i) => first + i);
  await client.query('BEGIN');
  try {
    const inserted = await client.query<{ line: number }>(
      `INSERT INTO offcirc.lines (station, generation, line, desk, library, stamp, kind, item, patron, record)
       SELECT $1, $2, t.line, $3, $4, t.stamp, t.kind, t.item, t.patron, t.record
       FROM unnest($5::int[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[])
         AS t(line, stamp, kind, item, patron, record)
       ON CONFLICT DO NOTHING RETURNING line`,
      [
        station,
        generation,
        batch.desk,
        batch.library ?? null,
        numbers,
        rows.map((r) => r.stamp),
        rows.map((r) => r.kind),
        rows.map((r) => r.item),
        rows.map((r) => r.patron),
        rows.map((r) => r.record),
      ],
    );
    if (inserted.rowCount !== rows.length) {
      const fresh = new Set(inserted.rows.map((r) => r.line));
      const already = numbers.filter((n) => !fresh.has(n));
      for (const [line, record] of await storedRecords(client, station, generation, already))
        if (record !== rows[line - first]?.record)
          throw new StuckError(
            `line ${line} of generation ${generation} is already in the database with other text: ` +
              `another station uses the name "${station}", or the cursor file was replaced`,
          );
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

export interface StationStatus {
  station: string;
  desk: string;
  library: string | undefined;
  inService: boolean;
  reason: string | undefined;
  scanners: { id: string; status: string; message: string }[];
  lastScan: number | undefined;
  linesToday: number;
  behind: number;
  forward: string;
}

/** The station's row for the dashboard; `heard_at` is the database's clock, not the station's. */
export async function upsertStatus(client: pg.Client, s: StationStatus): Promise<void> {
  await client.query(
    `INSERT INTO offcirc.stations
       (station, desk, library, in_service, reason, scanners, last_scan, lines_today, behind, forward, heard_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, now())
     ON CONFLICT (station) DO UPDATE SET desk = EXCLUDED.desk, library = EXCLUDED.library,
       in_service = EXCLUDED.in_service, reason = EXCLUDED.reason, scanners = EXCLUDED.scanners,
       last_scan = coalesce(EXCLUDED.last_scan, offcirc.stations.last_scan),
       lines_today = EXCLUDED.lines_today, behind = EXCLUDED.behind, forward = EXCLUDED.forward,
       heard_at = now()`,
    [
      s.station,
      s.desk,
      s.library ?? null,
      s.inService,
      s.inService ? null : (s.reason ?? null),
      JSON.stringify(s.scanners),
      s.lastScan === undefined ? null : new Date(s.lastScan),
      s.linesToday,
      s.behind,
      s.forward,
    ],
  );
}
