/**
 * The forwarder against a real PostgreSQL: every durable line exactly once, in order, through restarts,
 * a lost or stale cursor, rotations (also two while the database is away) and a database restart.
 */
import {
  appendFileSync,
  mkdirSync,
  mkdtempSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { connect } from '../../src/forward/connect.js';
import { cursorPath, readCursor, writeCursor } from '../../src/forward/cursor.js';
import { Forwarder, type ForwarderOptions } from '../../src/forward/forwarder.js';
import { migrate } from '../../src/forward/migrations.js';
import { formatLine } from '../../src/journal/line.js';
import type { LogFields, LogLevel } from '../../src/log.js';
import type { StationView } from '../../src/station/view.js';
import { itemBarcode, PATRON } from '../helpers/barcodes.js';
import { waitFor } from '../helpers/pty.js';
import { describeWithPostgres, startPostgres, type PgCluster } from '../helpers/postgres.js';

// A view with what the forwarder reads (in service, devices, today); the kiosk's own fields don't matter.
const VIEW = {
  station: 's',
  mode: 'loan',
  inService: true,
  recent: [],
  devices: [{ id: 'front', status: 'connected', message: 'ready' }],
  journal: { path: '', today: 0 },
} as unknown as StationView;

let seq = 0;
const loanLine = () =>
  formatLine(
    {
      kind: 'loan',
      item: itemBarcode(++seq),
      patron: PATRON,
      at: Date.UTC(2026, 10, 30, 9, 0),
      device: 'front',
    },
    'crlf',
  );

describeWithPostgres('forwarder', () => {
  let cluster: PgCluster;
  beforeAll(async () => {
    cluster = await startPostgres();
  }, 60_000);
  afterAll(async () => {
    await cluster?.dispose();
  });

  async function setUp() {
    const db = await cluster.createDatabase();
    const admin = await connect({ url: cluster.adminUrl(db) });
    await migrate(admin);
    await admin.end();
    const dir = mkdtempSync(path.join(tmpdir(), 'offcirc-fwd-'));
    const journal = path.join(dir, 'OffCirc.dat');
    const records: (LogFields & { level: LogLevel; message: string })[] = [];
    const make = (extra: Partial<ForwarderOptions> = {}) =>
      new Forwarder({
        journalPath: journal,
        station: 's1',
        desk: 'MAIN',
        target: { url: cluster.adminUrl(db) },
        log: (level, message, fields) => records.push({ level, message, ...fields }),
        batchLines: 7,
        retryMaxMs: 300,
        statusMs: 200,
        ...extra,
      });
    const rows = () =>
      cluster.query<{ generation: number; line: number; record: string }>(
        db,
        "SELECT generation, line, record FROM offcirc.lines WHERE station = 's1' ORDER BY generation, line",
      );
    const write = (n: number) => {
      const lines: string[] = [];
      for (let i = 0; i < n; i++) lines.push(loanLine());
      appendFileSync(journal, lines.join(''));
      return lines.map((l) => l.replace(/\r\n$/, ''));
    };
    return { db, dir, journal, records, make, rows, write };
  }

  const started: Forwarder[] = [];
  const run = (f: Forwarder) => {
    started.push(f);
    f.start(() => VIEW);
    return f;
  };
  afterAll(async () => {
    for (const f of started) await f.stop();
  });

  it('sends every line once, in order, in batches; resumes after a restart from its 0600 cursor', async () => {
    const t = await setUp();
    const first = t.write(20);
    const f = run(t.make());
    await waitFor(async () => (await t.rows()).length === 20, { timeoutMs: 15_000, what: '20 rows' });
    expect((await t.rows()).map((r) => r.record)).toEqual(first);
    expect((await t.rows()).every((r) => r.generation === 1)).toBe(true);
    await waitFor(() => f.current().state === 'caught-up', { what: 'caught up' });
    expect(statSync(cursorPath(t.journal)).mode & 0o777).toBe(0o600);
    await f.stop();

    const more = t.write(5);
    const g = run(t.make());
    await waitFor(async () => (await t.rows()).length === 25, { timeoutMs: 15_000, what: '25 rows' });
    expect((await t.rows()).map((r) => r.record)).toEqual([...first, ...more]);
    expect((await t.rows()).map((r) => r.line)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
    expect(await readCursor(cursorPath(t.journal))).toMatchObject({ generation: 1, line: 25 });
    expect(t.records.filter((r) => r.event === 'forward').map((r) => r.state)).toContain('caught-up');
    await g.stop();
  }, 60_000);

  it('a crash after COMMIT and before the cursor moved sends nothing twice', async () => {
    const t = await setUp();
    const lines = t.write(10);
    const f = run(t.make());
    await waitFor(async () => (await t.rows()).length === 10, { timeoutMs: 15_000, what: '10 rows' });
    await f.stop();
    // The cursor as it was before the last batches were confirmed.
    const cursor = await readCursor(cursorPath(t.journal));
    await writeCursor(cursorPath(t.journal), { ...cursor!, line: 3 });
    const g = run(t.make());
    await waitFor(() => g.current().state === 'caught-up', { what: 'caught up again' });
    expect((await t.rows()).map((r) => r.record)).toEqual(lines);
    expect(await readCursor(cursorPath(t.journal))).toMatchObject({ line: 10 });
    await g.stop();
  }, 60_000);

  it('a lost cursor: resumes where the database is when the journal matches, else a new generation', async () => {
    const t = await setUp();
    const lines = t.write(9);
    const f = run(t.make());
    await waitFor(async () => (await t.rows()).length === 9, { timeoutMs: 15_000, what: '9 rows' });
    await f.stop();
    rmSync(cursorPath(t.journal));
    const more = t.write(2);
    const g = run(t.make());
    await waitFor(async () => (await t.rows()).length === 11, { timeoutMs: 15_000, what: '11 rows' });
    expect((await t.rows()).map((r) => r.record)).toEqual([...lines, ...more]);
    await g.stop();

    // Another file at the journal's path and no cursor: never merged into generation 1's keys.
    rmSync(cursorPath(t.journal));
    rmSync(t.journal);
    const other = t.write(3);
    const h = run(t.make());
    await waitFor(async () => (await t.rows()).length === 14, { timeoutMs: 15_000, what: '14 rows' });
    const rows = await t.rows();
    expect(rows.filter((r) => r.generation === 2).map((r) => r.record)).toEqual(other);
    expect(t.records.some((r) => r.level === 'warn' && /not the last generation/.test(r.message))).toBe(true);
    await h.stop();
  }, 60_000);

  it('a rotation: finishes the rotated file from the outbox, then the new journal as the next generation', async () => {
    const t = await setUp();
    const db = t.db;
    const f = run(t.make());
    const a = t.write(4);
    f.onEvent(
      { type: 'transaction', transaction: { kind: 'return', item: 'x', at: 0, device: 'front' }, line: 4 },
      () => VIEW,
    );
    await waitFor(async () => (await t.rows()).length === 4, { timeoutMs: 15_000, what: '4 rows' });
    await f.stop();
    // While the forwarder is down: lines the database hasn't seen, then two rotations.
    const b = t.write(3);
    mkdirSync(path.join(t.dir, 'outbox'));
    renameSync(t.journal, path.join(t.dir, 'outbox', 'OffCirc-s1-20261130-090000.dat'));
    const c = t.write(2);
    renameSync(t.journal, path.join(t.dir, 'outbox', 'OffCirc-s1-20261130-100000.dat'));
    const d = t.write(5);
    // Someone else's file in the outbox is not ours.
    writeFileSync(path.join(t.dir, 'outbox', 'OffCirc-other-20261130-093000.dat'), loanLine());
    const g = run(t.make());
    await waitFor(async () => (await t.rows()).length === 14, { timeoutMs: 15_000, what: '14 rows' });
    await waitFor(() => g.current().state === 'caught-up', { what: 'caught up' });
    const rows = await t.rows();
    const byGeneration = (n: number) => rows.filter((r) => r.generation === n).map((r) => r.record);
    expect(byGeneration(1)).toEqual([...a, ...b]);
    expect(byGeneration(2)).toEqual(c);
    expect(byGeneration(3)).toEqual(d);
    expect(await cluster.query(db, 'SELECT count(*)::int AS n FROM offcirc.lines')).toEqual([{ n: 14 }]);
    await g.stop();
  }, 60_000);

  it('the database away from the first start: a file rotated meanwhile goes first, one from before forwarding never', async () => {
    const t = await setUp();
    mkdirSync(path.join(t.dir, 'outbox'));
    // Rotated (and uploaded by hand) before forwarding was set up.
    const old = path.join(t.dir, 'outbox', 'OffCirc-s1-20261101-090000.dat');
    writeFileSync(old, loanLine());
    utimesSync(old, new Date(Date.now() - 86400_000), new Date(Date.now() - 86400_000));
    const away = run(t.make({ target: { url: `postgres://nobody@127.0.0.1:1/none` } }));
    await waitFor(() => away.current().state === 'error', { what: 'an error state' });
    expect(await readCursor(cursorPath(t.journal))).toMatchObject({ generation: 0, line: 0, file: null });
    const a = t.write(3);
    renameSync(t.journal, path.join(t.dir, 'outbox', 'OffCirc-s1-20261202-090000.dat'));
    const b = t.write(2);
    await away.stop();
    const f = run(t.make());
    await waitFor(async () => (await t.rows()).length === 5, { timeoutMs: 15_000, what: '5 rows' });
    await waitFor(() => f.current().state === 'caught-up', { what: 'caught up' });
    const rows = await t.rows();
    expect(rows.map((r) => [r.generation, r.record])).toEqual([
      ...a.map((r) => [1, r]),
      ...b.map((r) => [2, r]),
    ]);
    await f.stop();
  }, 60_000);

  it('the database stopped and started: says why in words, lending files keep growing, then it catches up', async () => {
    const t = await setUp();
    const f = run(t.make());
    const before = t.write(3);
    f.onEvent(
      { type: 'transaction', transaction: { kind: 'return', item: 'x', at: 0, device: 'front' }, line: 3 },
      () => VIEW,
    );
    await waitFor(async () => (await t.rows()).length === 3, { timeoutMs: 15_000, what: '3 rows' });
    await cluster.stop();
    try {
      const during = t.write(6);
      f.onEvent(
        { type: 'transaction', transaction: { kind: 'return', item: 'x', at: 0, device: 'front' }, line: 9 },
        () => VIEW,
      );
      // The error (the connection dropped by the stop) may be seen before the new lines are counted:
      // wait for both, in either order.
      await waitFor(() => f.current().state === 'error' && f.current().behind > 0, {
        timeoutMs: 15_000,
        what: 'an error state, behind by the lines written meanwhile',
      });
      expect(f.current().reason).toMatch(
        /(database at|connection to) .* (refused the connection|closed the connection|broke)/,
      );
      await cluster.start();
      await waitFor(async () => (await t.rows()).length === 9, { timeoutMs: 20_000, what: '9 rows' });
      expect((await t.rows()).map((r) => r.record)).toEqual([...before, ...during]);
      await waitFor(() => f.current().state === 'caught-up', { what: 'caught up' });
    } finally {
      await cluster.start().catch(() => undefined);
    }
    const status = await cluster.query(
      t.db,
      'SELECT station, desk, in_service, scanners FROM offcirc.stations',
    );
    expect(status).toEqual([
      {
        station: 's1',
        desk: 'MAIN',
        in_service: true,
        scanners: [{ id: 'front', status: 'connected', message: 'ready' }],
      },
    ]);
    await f.stop();
  }, 90_000);

  it('the journal unreadable (out of service): the reason in words, and the dashboard still hears the station', async () => {
    const t = await setUp();
    const f = run(t.make());
    t.write(2);
    f.onEvent(
      { type: 'transaction', transaction: { kind: 'return', item: 'x', at: 0, device: 'front' }, line: 2 },
      () => VIEW,
    );
    await waitFor(async () => (await t.rows()).length === 2, { timeoutMs: 15_000, what: '2 rows' });
    // The journal's path becomes a folder: the station goes out of service; the forwarder can't read it.
    rmSync(t.journal);
    mkdirSync(t.journal);
    const down = {
      ...VIEW,
      inService: false,
      outOfServiceReason: 'EISDIR writing the journal',
    } as StationView;
    f.onEvent(
      { type: 'transaction', transaction: { kind: 'return', item: 'y', at: 0, device: 'front' }, line: 3 },
      () => down,
    );
    f.onEvent({ type: 'service', inService: false, reason: 'EISDIR writing the journal', at: 0 }, () => down);
    await waitFor(() => f.current().state === 'error', { timeoutMs: 15_000, what: 'error' });
    expect(f.current().reason).toMatch(/can't read the journal \(.*EISDIR\)/);
    await waitFor(
      async () =>
        (await cluster.query<{ in_service: boolean }>(t.db, 'SELECT in_service FROM offcirc.stations'))[0]
          ?.in_service === false,
      { timeoutMs: 10_000, what: 'the station out of service in the database' },
    );
    expect(await cluster.query(t.db, 'SELECT reason FROM offcirc.stations')).toEqual([
      { reason: 'EISDIR writing the journal' },
    ]);
    await f.stop();
  }, 30_000);

  it('a line that is not a record stops forwarding there, said in words, and nothing after it is sent', async () => {
    const t = await setUp();
    t.write(2);
    appendFileSync(t.journal, 'garbage\r\n');
    t.write(1);
    const f = run(t.make());
    await waitFor(() => f.current().state === 'error', { timeoutMs: 15_000, what: 'error' });
    expect(f.current().reason).toMatch(/line 3 of generation 1 is not an OffCirc.dat record/);
    expect((await t.rows()).length).toBe(2);
    await f.stop();
  }, 30_000);

  void pg;
});
