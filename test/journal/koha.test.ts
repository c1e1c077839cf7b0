import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readFile, readdir, symlink } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { exportCommand, type ExportOptions } from '../../src/commands/export.js';
import { packageVersion } from '../../src/version.js';
import { kohaHeader, kohaRecord, kohaTimestamp } from '../../src/journal/koha.js';
import { capture, loan, now, ret, tempFolder, type TempFolder } from '../fixtures/offcirc/make.js';

const fixtures = fileURLToPath(new URL('../fixtures/offcirc/', import.meta.url));

let dir: string;
let remove: () => Promise<void>;
let file: TempFolder['file'];
beforeEach(async () => ({ dir, remove, file } = await tempFolder()));
afterEach(async () => remove());

async function exportKoha(input: string, options: Partial<ExportOptions> & { out: string }) {
  const { out, err, io } = capture();
  const code = await exportCommand(input, { format: 'koha', ...options }, io, now);
  return { code, out, err };
}

describe('export --format koha', () => {
  it('writes the exact .koc for the front desk sample', async () => {
    const out = path.join(dir, 'front.koc');
    const result = await exportKoha(path.join(fixtures, 'front-desk.dat'), {
      out,
      generatorVersion: '0.1.0',
    });
    expect(result).toEqual({
      code: 0,
      out: [
        `${out}: 3 issues and 1 return for Koha (from 4 lines of ${path.join(fixtures, 'front-desk.dat')})`,
      ],
      err: [],
    });
    expect(await readFile(out, 'latin1')).toBe(
      'Version=1.0\tGenerator=offcirc\tGeneratorVersion=0.1.0\n' +
        // Two loans in one minute: increasing seconds keep their order in Koha's queue.
        '2026-11-30 09:02:00 000\tissue\t21234000000018\t31234000000016\n' +
        '2026-11-30 09:02:01 000\tissue\t21234000000018\t31234000000024\n' +
        '2026-11-30 11:15:00 000\treturn\t33191000105864\n' +
        '2026-11-30 14:02:00 000\tissue\t21234000000026\t33191000105864\n',
    );
    expect((await readdir(dir)).sort()).toEqual(['front.koc']);
  });

  it("names this package's version in the header by default", async () => {
    const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    expect(packageVersion()).toBe(pkg.version);
    const out = path.join(dir, 'x.koc');
    expect((await exportKoha(path.join(fixtures, 'back-desk.dat'), { out })).code).toBe(0);
    const text = await readFile(out, 'latin1');
    expect(text.split('\n')[0]).toBe(`Version=1.0\tGenerator=offcirc\tGeneratorVersion=${pkg.version}`);
    expect(text.split('\n').slice(1)).toEqual([
      '2026-11-30 09:01:00 000\treturn\t30234000517861',
      '2026-11-30 09:02:00 000\tissue\t21234000000026\t30234000517861',
      '2026-11-30 14:03:00 000\treturn\t31234000000016',
      '',
    ]);
  });

  it('converts a file larger than its buffers line for line', async () => {
    // 30 000 lines, 50 a minute from 2026-11-01 00:00.
    const minute = (i: number) => {
      const m = Math.floor(i / 50);
      const two = (n: number) => String(n).padStart(2, '0');
      return `202611${two(1 + Math.floor(m / 1440))}${two(Math.floor(m / 60) % 24)}${two(m % 60)}`;
    };
    const lines = Array.from({ length: 30_000 }, (_, i) =>
      i % 2 ? ret(minute(i), `3${i}`) : loan(minute(i), `3${i}`, `2${i}`),
    );
    const input = await file('big.dat', lines.join(''));
    const out = path.join(dir, 'big.koc');
    expect((await exportKoha(input, { out, generatorVersion: 't' })).code).toBe(0);
    const records = (await readFile(out, 'latin1')).split('\n');
    expect(records).toHaveLength(30_002);
    expect(records[1]).toBe('2026-11-01 00:00:00 000\tissue\t20\t30');
    expect(records[2]).toBe('2026-11-01 00:00:01 000\treturn\t31');
    expect(records[51]).toBe('2026-11-01 00:01:00 000\tissue\t250\t350');
    // Line 30 000 is the 50th of minute 599 (09:59 on the first).
    expect(records[30_000]).toBe('2026-11-01 09:59:49 000\treturn\t329999');
  });

  it('refuses a file with problems and writes nothing', async () => {
    const input = await file('bad.dat', loan('202611301000', '3123', '2123') + `202611301001L3123\r\n`);
    const out = path.join(dir, 'bad.koc');
    const { code, err } = await exportKoha(input, { out });
    expect(code).toBe(1);
    expect(err).toEqual([
      `${input}:2: line is 17 characters, expected at least 93 (12 time + 1 action + 80 item, padded with spaces)`,
      '2 lines, 2 loans, 0 returns, 1 problem',
      `offcirc export: refused, ${input} has problems (fix them and export again); nothing was written`,
    ]);
    expect(await readdir(dir)).toEqual(['bad.dat']);
  });

  it('exits 2 for an input it cannot read', async () => {
    const input = path.join(dir, 'missing.dat');
    const { code, err } = await exportKoha(input, { out: path.join(dir, 'm.koc') });
    expect(code).toBe(2);
    expect(err).toContain(`${input}: cannot read: no such file`);
    expect(await readdir(dir)).toEqual([]);
  });

  it('refuses an unknown format, listing the formats', async () => {
    const { out, err, io } = capture();
    const code = await exportCommand(
      path.join(fixtures, 'front-desk.dat'),
      { format: 'csv', out: 'x' },
      io,
      now,
    );
    expect(code).toBe(64);
    expect(out).toEqual([]);
    expect(err).toEqual(['offcirc export: unknown format "csv"; the formats are: koha']);
  });

  it('refuses to write over its input (by a symlink too) or an existing file without --force', async () => {
    const input = await file('in.dat', ret('202611301000', '3123'));
    await symlink(input, path.join(dir, 'in.koc'));
    const viaLink = await exportKoha(input, { out: path.join(dir, 'in.koc'), force: true });
    expect(viaLink.code).toBe(64);
    expect(viaLink.err[0]).toMatch(/refusing to write .*in\.koc: it is the input .*in\.dat/);
    const existing = await file('old.koc', 'old\n');
    expect((await exportKoha(input, { out: existing })).code).toBe(64);
    expect(await readFile(existing, 'latin1')).toBe('old\n');
    expect((await exportKoha(input, { out: existing, force: true, generatorVersion: '1' })).code).toBe(0);
    expect(await readFile(existing, 'latin1')).toBe(
      'Version=1.0\tGenerator=offcirc\tGeneratorVersion=1\n2026-11-30 10:00:00 000\treturn\t3123\n',
    );
  });
});

describe('Koha records', () => {
  it('formats header, timestamp, issue and return', () => {
    expect(kohaHeader('2.0.1')).toBe('Version=1.0\tGenerator=offcirc\tGeneratorVersion=2.0.1\n');
    expect(kohaTimestamp('202601020304')).toBe('2026-01-02 03:04:00 000');
    expect(kohaRecord({ time: '202612312359', action: 'L', item: '3123', patron: 'JohnSmith' })).toBe(
      '2026-12-31 23:59:00 000\tissue\tJohnSmith\t3123\n',
    );
    expect(kohaRecord({ time: '202612312359', action: 'R', item: '3123', patron: '' })).toBe(
      '2026-12-31 23:59:00 000\treturn\t3123\n',
    );
  });
});
