/**
 * `offcirc collect export` and `mark-uploaded` against a real PostgreSQL: one verified file per desk, a
 * transaction in exactly one batch, --again says what it repeats, an upload recorded once.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import { connect } from '../../src/forward/connect.js';
import { migrate } from '../../src/forward/migrations.js';
import { formatLine } from '../../src/journal/line.js';
import { itemBarcode, PATRON } from '../helpers/barcodes.js';
import { describeWithPostgres, startPostgres, type PgCluster } from '../helpers/postgres.js';

const at = (minute: number) => new Date(2026, 10, 30, 9, minute).getTime();
const record = (kind: 'loan' | 'return', item: string, minute: number) =>
  formatLine(
    kind === 'loan'
      ? { kind, item, patron: PATRON, at: at(minute), device: 'd' }
      : { kind, item, at: at(minute), device: 'd' },
    'lf',
  ).slice(0, -1);

async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(['node', 'offcirc', ...argv], {
    out: (t) => out.push(t),
    err: (t) => err.push(t),
  });
  return { code, out: out.join(''), err: err.join('') };
}

describeWithPostgres('collect export and mark-uploaded', () => {
  let cluster: PgCluster;
  let url: string;
  let db: string;
  const dir = mkdtempSync(path.join(tmpdir(), 'offcirc-export-'));
  const insert = async (station: string, desk: string, lines: { line: number; text: string }[]) => {
    for (const { line, text } of lines)
      await cluster.query(
        db,
        `INSERT INTO offcirc.lines (station, generation, line, desk, stamp, kind, item, patron, record)
         VALUES ($1, 1, $2, $3, $4, $5, $6, $7, $8)`,
        [
          station,
          line,
          desk,
          text.slice(0, 12),
          text[12],
          text.slice(13, 93).trim(),
          text.slice(93) || null,
          text,
        ],
      );
  };
  beforeAll(async () => {
    cluster = await startPostgres();
    db = await cluster.createDatabase();
    url = cluster.adminUrl(db);
    const admin = await connect({ url });
    await migrate(admin);
    await admin.end();
  }, 60_000);
  afterAll(async () => {
    await cluster?.dispose();
  });

  it("merges a desk's stations, keeps each station's order, records the batch, and never exports twice", async () => {
    // Station a's clock went back at its third line: that line still follows its second.
    const a = [
      record('loan', itemBarcode(1), 0),
      record('loan', itemBarcode(2), 5),
      record('return', itemBarcode(1), 1),
    ];
    const b = [record('return', itemBarcode(3), 2), record('loan', itemBarcode(4), 6)];
    await insert(
      'a',
      'MAIN',
      a.map((text, i) => ({ line: i + 1, text })),
    );
    await insert(
      'b',
      'MAIN',
      b.map((text, i) => ({ line: i + 1, text })),
    );
    await insert('c', 'EAST', [{ line: 1, text: record('loan', itemBarcode(9), 3) }]);

    const out = path.join(dir, 'main.dat');
    const first = await cli('collect', 'export', '--desk', 'MAIN', '--out', out, '--db', url);
    expect(first).toMatchObject({ code: 0 });
    expect(first.out).toMatch(
      /desk MAIN: wrote .*main.dat with 5 transaction\(s\); batch 1: 5 new transaction\(s\) \(3 loan\(s\), 2 return\(s\)\)/,
    );
    const expected = [a[0], b[0], a[1], a[2], b[1]].map((l) => `${l}\r\n`).join('');
    expect(readFileSync(out, 'latin1')).toBe(expected);
    const stored = await cluster.query<{ content: Buffer }>(
      db,
      'SELECT content FROM offcirc.batches WHERE id = 1',
    );
    expect(stored[0]?.content.toString('latin1')).toBe(expected);
    expect(
      await cluster.query(
        db,
        "SELECT count(*)::int AS n FROM offcirc.lines WHERE desk = 'MAIN' AND batch = 1",
      ),
    ).toEqual([{ n: 5 }]);

    // Nothing new: no file, and it says which batch waits for upload.
    const nothing = await cli(
      'collect',
      'export',
      '--desk',
      'MAIN',
      '--out',
      path.join(dir, 'none.dat'),
      '--db',
      url,
    );
    expect(nothing.code).toBe(0);
    expect(nothing.out).toMatch(
      /no transactions waiting for export; exported but not marked uploaded: batch 1 \(5\)/,
    );
    expect(existsSync(path.join(dir, 'none.dat'))).toBe(false);

    // An existing --out is refused before anything happens.
    const exists = await cli('collect', 'export', '--desk', 'EAST', '--out', out, '--db', url);
    expect(exists.code).toBe(64);
    expect(exists.err).toMatch(/refusing to overwrite/);

    // A new line, then --again: the file holds batch 1 again and the new one; it says what it repeats.
    await insert('b', 'MAIN', [{ line: 3, text: record('return', itemBarcode(4), 7) }]);
    const again = await cli(
      'collect',
      'export',
      '--desk',
      'MAIN',
      '--out',
      path.join(dir, 'again.dat'),
      '--again',
      '--db',
      url,
    );
    expect(again.code).toBe(0);
    expect(again.err).toMatch(/repeats 5 transaction\(s\) of batch 1 \(exported, not marked uploaded\)/);
    expect(again.out).toMatch(/with 6 transaction\(s\); batch 2: 1 new transaction/);
    expect(readFileSync(path.join(dir, 'again.dat'), 'latin1')).toBe(
      expected + `${record('return', itemBarcode(4), 7)}\r\n`,
    );
    expect(
      await cluster.query(
        db,
        'SELECT batch::int, count(*)::int AS n FROM offcirc.lines WHERE desk = $1 GROUP BY batch ORDER BY batch',
        ['MAIN'],
      ),
    ).toEqual([
      { batch: 1, n: 5 },
      { batch: 2, n: 1 },
    ]);

    const marked = await cli('collect', 'mark-uploaded', '1', '--db', url, '--by', 'jo');
    expect(marked).toMatchObject({ code: 0 });
    expect(marked.out).toMatch(/batch 1 \(desk MAIN, 5 transaction\(s\)\) is marked uploaded/);
    const twice = await cli('collect', 'mark-uploaded', '1', '--db', url);
    expect(twice.code).toBe(1);
    expect(twice.err).toMatch(/batch 1 was already marked uploaded at .* by jo: don't upload it again/);
    expect((await cli('collect', 'mark-uploaded', '99', '--db', url)).err).toMatch(/there is no batch 99/);
    // Uploaded lines are never written again, even with --again.
    const after = await cli(
      'collect',
      'export',
      '--desk',
      'MAIN',
      '--out',
      path.join(dir, 'after.dat'),
      '--again',
      '--db',
      url,
    );
    expect(readFileSync(path.join(dir, 'after.dat'), 'latin1')).toBe(
      `${record('return', itemBarcode(4), 7)}\r\n`,
    );
    expect(after.err).toMatch(/repeats 1 transaction\(s\) of batch 2/);
  });

  it('a merged file that fails verification is refused: no file, no batch, lines still waiting', async () => {
    const future = formatLine(
      { kind: 'return', item: itemBarcode(50), at: Date.now() + 3 * 86400_000, device: 'd' },
      'lf',
    ).slice(0, -1);
    await insert('f', 'FUTURE', [{ line: 1, text: future }]);
    const out = path.join(dir, 'future.dat');
    const refused = await cli('collect', 'export', '--desk', 'FUTURE', '--out', out, '--db', url);
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/future.dat:1: time .* is in the future/);
    expect(refused.err).toMatch(/did not pass verification \(1 problem\(s\)\); nothing was exported/);
    expect(existsSync(out)).toBe(false);
    expect(await cluster.query(db, "SELECT batch FROM offcirc.lines WHERE desk = 'FUTURE'")).toEqual([
      { batch: null },
    ]);
  });

  it('no database: says how to give one (exit 64); an unreachable one in words (exit 74)', async () => {
    const saved = process.env.OFFCIRC_DB;
    delete process.env.OFFCIRC_DB;
    try {
      const none = await cli('collect', 'export', '--desk', 'X', '--out', path.join(dir, 'x.dat'));
      expect(none.code).toBe(64);
      expect(none.err).toMatch(/no database: give --db postgres:\/\/… or set OFFCIRC_DB/);
    } finally {
      if (saved !== undefined) process.env.OFFCIRC_DB = saved;
    }
    const pw = path.join(dir, 'pw');
    writeFileSync(pw, 'x\n');
    const down = await cli(
      'collect',
      'mark-uploaded',
      '1',
      '--db',
      'postgres://u@127.0.0.1:1/db',
      '--password-file',
      pw,
    );
    expect(down.code).toBe(74);
    expect(down.err).toMatch(
      /the database at postgres:\/\/u@127.0.0.1:1\/db refused the connection \(is it running\?\)/,
    );
  });
});
