/**
 * The "must show": three real `offcirc run --headless` stations on socat ptys forwarding to one
 * real PostgreSQL while scans arrive; the database stopped and started in the middle, one station
 * SIGKILLed and restarted, one rotated. Then every journal line is in the database exactly once, and the
 * desk exports together hold every transaction exactly once, each station's order kept.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { itemBarcode, PATRON } from '../helpers/barcodes.js';
import { runOffcirc, startOffcirc, tempDir, writeConfig, type OffcircProcess } from '../helpers/offcirc.js';
import { describeWithPostgres, startPostgres, type PgCluster } from '../helpers/postgres.js';
import { startPty, waitFor, type PtyPair } from '../helpers/pty.js';

interface Station {
  name: string;
  desk: string;
  dir: string;
  config: string;
  pty: PtyPair;
  p: OffcircProcess;
  /** Items this station has lent, in the order scanned. */
  items: string[];
}

/** The lines of a file, without their endings. */
const linesOf = (file: string): string[] =>
  readFileSync(file, 'latin1')
    .split('\r\n')
    .filter((l) => l !== '');

/** Every line a station wrote, in its own order: the outbox files (oldest first), then the journal. */
function stationLines(s: Station): string[] {
  const outbox = path.join(s.dir, 'outbox');
  const rotated = (existsSync(outbox) ? readdirSync(outbox, { withFileTypes: true }) : [])
    .filter((e) => e.isFile() && e.name.endsWith('.dat'))
    .map((e) => e.name)
    .sort();
  return [
    ...rotated.flatMap((n) => linesOf(path.join(outbox, n))),
    ...linesOf(path.join(s.dir, 'OffCirc.dat')),
  ];
}

describeWithPostgres('three stations forwarding to one PostgreSQL', () => {
  let cluster: PgCluster;
  let db: string;
  const stations: Station[] = [];
  beforeAll(async () => {
    cluster = await startPostgres();
    db = await cluster.createDatabase();
  }, 60_000);
  afterAll(async () => {
    for (const s of stations) {
      if (s.p.child.exitCode === null && s.p.child.signalCode === null) s.p.child.kill('SIGKILL');
      await s.p.exited;
      await s.pty.dispose();
    }
    await cluster?.dispose();
  });

  const start = (s: Omit<Station, 'p'> & { p?: OffcircProcess }): OffcircProcess =>
    startOffcirc(['run', '--headless', '--config', s.config]);

  async function ready(s: Station) {
    await s.p.waitFor((r) => r.event === 'ready', `${s.name} ready`);
    await s.p.waitFor((r) => r.event === 'device' && r.status === 'connected', `${s.name}'s scanner`);
    await s.pty.write(`${PATRON}\r`);
    await s.p.waitFor((r) => r.event === 'session' && r.action === 'opened', `${s.name}'s session`, 15_000);
  }

  /** Scans `n` new items at station `s`, a person's pace, and waits until each is durable. */
  async function lend(s: Station, n: number) {
    const before = s.p.records.filter((r) => r.event === 'transaction').length;
    for (let i = 0; i < n; i++) {
      const item = itemBarcode(stations.indexOf(s) * 10_000 + s.items.length + 1);
      s.items.push(item);
      await s.pty.write(`${item}\r`);
      await new Promise((r) => setTimeout(r, 25));
    }
    await s.p.waitForCount((r) => r.event === 'transaction', before + n, `${s.name}'s loans`, 20_000);
  }

  it('every line exactly once in the database and in the desk files, each station in its order', async () => {
    const admin = cluster.adminUrl(db);
    expect((await runOffcirc(['collect', 'migrate', '--db', admin])).stdout).toMatch(
      /applied migration\(s\) 1/,
    );
    for (const [i, desk] of ['MAIN', 'MAIN', 'EAST'].entries()) {
      const name = `fw-${i + 1}`;
      const added = await runOffcirc(['collect', 'add-station', name, '--db', admin], {
        input: `pw-${name}\n`,
      });
      expect(added).toMatchObject({ code: 0 });
      const dir = tempDir('offcirc-fw-');
      writeFileSync(path.join(dir, 'db-password'), `pw-${name}\n`, { mode: 0o600 });
      const pty = await startPty();
      const config = writeConfig(dir, {
        station: name,
        desk,
        library: 'MAIN',
        journal: { path: 'OffCirc.dat' },
        devices: [{ id: 'front', type: 'serial', path: pty.scannerPath }],
        session: { doubleReadMs: 0, idleTimeoutSeconds: 600 },
        logging: { dir: path.join(dir, 'logs') },
        forward: {
          url: cluster.tcpUrl(db, name),
          passwordFile: 'db-password',
          batchLines: 5,
          retryMaxSeconds: 1,
          statusSeconds: 1,
        },
      });
      const partial = { name, desk, dir, config, pty, items: [] as string[] };
      stations.push({ ...partial, p: start(partial) });
    }
    await Promise.all(stations.map(ready));
    await Promise.all(
      stations.map((s) =>
        s.p.waitFor((r) => r.event === 'forward' && r.state === 'connected', `${s.name} connected`),
      ),
    );

    await Promise.all(stations.map((s) => lend(s, 8)));

    // The database goes away while scans arrive: lending goes on, each station says so.
    const during = Promise.all(stations.map((s) => lend(s, 8)));
    await cluster.stop();
    await during;
    await Promise.all(
      stations.map((s) =>
        s.p.waitFor((r) => r.event === 'forward' && r.state === 'error', `${s.name}'s forward error`, 20_000),
      ),
    );
    const error = stations[0]!.p.records.find((r) => r.event === 'forward' && r.state === 'error');
    expect(String(error?.reason)).toMatch(
      /database at postgres:\/\/fw-1@127\.0\.0\.1:\d+\/\w+ |connection to /,
    );
    await lend(stations[0]!, 3);
    await cluster.start();

    // Station 2 is killed outright and restarted while the others lend.
    const s2 = stations[1]!;
    s2.p.child.kill('SIGKILL');
    await s2.p.exited;
    s2.p = start(s2);
    await ready(s2);

    // Station 1 is rotated while it lends.
    const s1 = stations[0]!;
    const lending = lend(s1, 6);
    const rotated = await runOffcirc(['rotate', '--config', s1.config]);
    expect(rotated.code).toBe(0);
    await lending;
    await Promise.all([lend(s1, 4), lend(s2, 6), lend(stations[2]!, 6)]);

    // Everything reaches the database: per station, exactly its lines in its own order.
    for (const s of stations) {
      const expected = stationLines(s);
      expect(expected.length).toBe(s.items.length);
      await waitFor(
        async () =>
          (
            await cluster.query<{ n: number }>(
              db,
              'SELECT count(*)::int AS n FROM offcirc.lines WHERE station = $1',
              [s.name],
            )
          )[0]?.n === expected.length,
        { timeoutMs: 30_000, what: `${s.name}'s ${expected.length} lines in the database` },
      );
      const rows = await cluster.query<{ record: string; generation: number }>(
        db,
        'SELECT record, generation FROM offcirc.lines WHERE station = $1 ORDER BY generation, line',
        [s.name],
      );
      expect(rows.map((r) => r.record)).toEqual(expected);
      expect(rows.map((r) => r.record.slice(13, 27))).toEqual(s.items);
    }
    expect(
      new Set(
        (
          await cluster.query<{ generation: number }>(
            db,
            "SELECT generation FROM offcirc.lines WHERE station = 'fw-1'",
          )
        ).map((r) => r.generation),
      ),
    ).toEqual(new Set([1, 2]));

    // The desk files: every transaction once, each station's order kept.
    const files: Record<string, string> = {};
    for (const desk of ['MAIN', 'EAST']) {
      const out = path.join(tempDir('offcirc-desk-'), `${desk}.dat`);
      const exported = await runOffcirc(['collect', 'export', '--desk', desk, '--out', out, '--db', admin]);
      expect(exported).toMatchObject({ code: 0 });
      files[desk] = out;
      const verified = await runOffcirc(['verify', out]);
      expect(verified.code).toBe(0);
    }
    const all = [...linesOf(files.MAIN!), ...linesOf(files.EAST!)];
    const every = stations.flatMap(stationLines);
    expect(all.slice().sort()).toEqual(every.slice().sort());
    for (const s of stations) {
      const mine = new Set(s.items);
      const file = files[s.desk]!;
      expect(linesOf(file).filter((l) => mine.has(l.slice(13, 27)))).toEqual(stationLines(s));
    }
    // Patron IDs never appear whole in a station's log (forward events carry no line content).
    for (const s of stations) {
      expect(s.p.stdout()).not.toContain(PATRON);
      expect(s.p.records.some((r) => r.event === 'forward' && r.state === 'caught-up')).toBe(true);
    }
    // A status row for each station, heard from lately, in service.
    const status = await cluster.query<{ station: string; in_service: boolean; behind: number }>(
      db,
      'SELECT station, in_service, behind FROM offcirc.stations ORDER BY station',
    );
    expect(status.map((r) => [r.station, r.in_service])).toEqual([
      ['fw-1', true],
      ['fw-2', true],
      ['fw-3', true],
    ]);
  }, 150_000);
});
