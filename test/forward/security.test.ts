/**
 * The station role's least privilege (row-level security by role name), the password from a file or
 * PGPASSWORD (checked by the server: scram over TCP), and TLS as the URL's sslmode asks.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { connect } from '../../src/forward/connect.js';
import { addStationRole, migrate } from '../../src/forward/migrations.js';
import { describeWithPostgres, startPostgres, type PgCluster } from '../helpers/postgres.js';

const LINE = `202611301402L31234000000016${' '.repeat(66)}21234000000018`;
const insert = (client: pg.Client, station: string, line: number) =>
  client.query(
    `INSERT INTO offcirc.lines (station, generation, line, desk, stamp, kind, item, patron, record)
     VALUES ($1, 1, $2, 'MAIN', '202611301402', 'L', '31234000000016', '21234000000018', $3)`,
    [station, line, LINE],
  );

describeWithPostgres('the station role and the connection', () => {
  let cluster: PgCluster;
  let db: string;
  const dir = mkdtempSync(path.join(tmpdir(), 'offcirc-sec-'));
  const passwordFile = (name: string, text: string) => {
    const file = path.join(dir, name);
    writeFileSync(file, text, { mode: 0o600 });
    return file;
  };
  beforeAll(async () => {
    cluster = await startPostgres();
    db = await cluster.createDatabase();
    const admin = await connect({ url: cluster.adminUrl(db) });
    await migrate(admin);
    await addStationRole(admin, 'sec-a', 'password-a');
    await addStationRole(admin, 'sec-b', 'password-b');
    await insert(admin, 'sec-b', 1);
    await admin.query(`INSERT INTO offcirc.stations (station, in_service) VALUES ('sec-b', true)`);
    await admin.end();
  }, 60_000);
  afterAll(async () => {
    await cluster?.dispose();
  });

  it('migrating again changes nothing', async () => {
    const admin = await connect({ url: cluster.adminUrl(db) });
    expect(await migrate(admin)).toEqual([]);
    await admin.end();
  });

  it("a station inserts and reads its own lines only; can't change, delete, batch or see others'", async () => {
    const a = await connect({
      url: cluster.tcpUrl(db, 'sec-a'),
      passwordFile: passwordFile('a', 'password-a\n'),
    });
    try {
      await insert(a, 'sec-a', 1);
      expect((await a.query('SELECT station, line FROM offcirc.lines')).rows).toEqual([
        { station: 'sec-a', line: 1 },
      ]);
      await expect(insert(a, 'sec-b', 2)).rejects.toThrow(/row-level security/);
      await expect(a.query("UPDATE offcirc.lines SET record = 'x'")).rejects.toThrow(/permission denied/);
      await expect(a.query('DELETE FROM offcirc.lines')).rejects.toThrow(/permission denied/);
      await expect(a.query('UPDATE offcirc.lines SET batch = 1')).rejects.toThrow(/permission denied/);
      await expect(a.query('SELECT patron FROM offcirc.lines')).rejects.toThrow(/permission denied/);
      await expect(a.query('SELECT * FROM offcirc.batches')).rejects.toThrow(/permission denied/);
      await expect(a.query('SELECT * FROM offcirc.settings')).rejects.toThrow(/permission denied/);
      // Another station's status row: invisible, so an update touches nothing.
      const touched = await a.query("UPDATE offcirc.stations SET in_service = false WHERE station = 'sec-b'");
      expect(touched.rowCount).toBe(0);
      await expect(
        a.query("INSERT INTO offcirc.stations (station, in_service) VALUES ('sec-c', true)"),
      ).rejects.toThrow(/row-level security/);
    } finally {
      await a.end();
    }
    const rows = await cluster.query(
      db,
      "SELECT count(*)::int AS n FROM offcirc.lines WHERE station = 'sec-b'",
    );
    expect(rows).toEqual([{ n: 1 }]);
  });

  it('the password from PGPASSWORD; a wrong one is refused in words', async () => {
    const saved = process.env.PGPASSWORD;
    process.env.PGPASSWORD = 'password-a';
    try {
      const a = await connect({ url: cluster.tcpUrl(db, 'sec-a') });
      await a.end();
    } finally {
      if (saved === undefined) delete process.env.PGPASSWORD;
      else process.env.PGPASSWORD = saved;
    }
    await expect(
      connect({ url: cluster.tcpUrl(db, 'sec-a'), passwordFile: passwordFile('wrong', 'nope\n') }),
    ).rejects.toThrow(/refused the login: password authentication failed for user "sec-a"/);
    await expect(
      connect({ url: cluster.tcpUrl(db, 'sec-a'), passwordFile: path.join(dir, 'missing') }),
    ).rejects.toThrow(/password file .*missing can't be read \(ENOENT\)/);
  });

  it('TLS as sslmode asks (libpq meaning): require encrypts, verify-full checks the certificate', async () => {
    const secure = await startPostgres({ tls: true });
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.message);
    process.on('warning', onWarning);
    try {
      const sdb = await secure.createDatabase();
      const admin = await connect({ url: secure.adminUrl(sdb) });
      await migrate(admin);
      await addStationRole(admin, 'tls-a', 'password-t');
      await admin.end();
      const password = passwordFile('t', 'password-t');
      const encrypted = async (query: string) => {
        const client = await connect({ url: secure.tcpUrl(sdb, 'tls-a', query), passwordFile: password });
        try {
          return (
            await client.query<{ ssl: boolean }>('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()')
          ).rows[0]?.ssl;
        } finally {
          await client.end();
        }
      };
      expect(await encrypted('sslmode=require')).toBe(true);
      expect(
        await encrypted(`sslmode=verify-full&sslrootcert=${encodeURIComponent(secure.certificate)}`),
      ).toBe(true);
      // Not the certificate it trusts (none given): refused, in words.
      await expect(encrypted('sslmode=verify-full')).rejects.toThrow(/TLS to .* failed: .*certificate/);
      expect(await encrypted('sslmode=disable')).toBe(false);
      // node-postgres's own warning about sslmode would land on the kiosk's screen: never emitted.
      expect(warnings.filter((w) => /sslmode|SSL modes/.test(w))).toEqual([]);
    } finally {
      process.off('warning', onWarning);
      await secure.dispose();
    }
  }, 60_000);

  it('sslmode=require against a server without TLS fails, saying so', async () => {
    await expect(
      connect({
        url: cluster.tcpUrl(db, 'sec-a', 'sslmode=require'),
        passwordFile: passwordFile('a2', 'password-a'),
      }),
    ).rejects.toThrow(/does not offer TLS, but the URL asks for it \(sslmode\)/);
  });
});
