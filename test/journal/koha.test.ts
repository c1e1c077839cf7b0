import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readFile, readdir, symlink } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { exportCommand, type ExportOptions } from '../../src/commands/export.js';
import { packageVersion } from '../../src/version.js';
import { KohaClock, kohaHeader, kohaRecord, kohaTimestamp } from '../../src/journal/koha.js';
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

describe("export --format koha: Koha's limits", () => {
  it('refuses an item over 20 or a patron over 32 characters, listing each line, writing nothing', async () => {
    const input = await file(
      'long.dat',
      loan('202611301000', '3'.repeat(20), '2'.repeat(32)) + // at the limits: fine
        loan('202611301001', '3'.repeat(21), '2123') +
        loan('202611301002', '3123', '2'.repeat(33)) +
        ret('202611301003', 'X'.repeat(25)),
    );
    const out = path.join(dir, 'long.koc');
    const { code, err } = await exportKoha(input, { out });
    expect(code).toBe(1);
    expect(err).toEqual([
      `${input}:2: item barcode "${'3'.repeat(21)}" is 21 characters; Koha's offline circulation keeps at most 20 and would cut it`,
      `${input}:3: patron ID "${'2'.repeat(33)}" is 33 characters; Koha's offline circulation keeps at most 32 and would cut it`,
      `${input}:4: item barcode "${'X'.repeat(25)}" is 25 characters; Koha's offline circulation keeps at most 20 and would cut it`,
      '4 lines, 3 loans, 1 return, 3 problems',
      `offcirc export: refused, ${input} has problems (fix them and export again); nothing was written`,
    ]);
    expect(await readdir(dir)).toEqual(['long.dat']);
  });

  it('keeps a loan and a return of one item in one minute in their order: increasing seconds', async () => {
    const input = await file(
      'minute.dat',
      ret('202611301000', '3123') +
        loan('202611301001', '3123', '2123') +
        ret('202611301001', '3123') +
        loan('202611301001', '3123', '2456') +
        ret('202611301002', '3123'),
    );
    const out = path.join(dir, 'minute.koc');
    expect((await exportKoha(input, { out, generatorVersion: 't' })).code).toBe(0);
    expect((await readFile(out, 'latin1')).split('\n').slice(1)).toEqual([
      '2026-11-30 10:00:00 000\treturn\t3123',
      '2026-11-30 10:01:00 000\tissue\t2123\t3123',
      '2026-11-30 10:01:01 000\treturn\t3123',
      '2026-11-30 10:01:02 000\tissue\t2456\t3123',
      '2026-11-30 10:02:00 000\treturn\t3123',
      '',
    ]);
  });

  it('refuses more than 60 transactions in one minute: whole seconds could not keep their order', async () => {
    const input = await file(
      'busy.dat',
      Array.from({ length: 62 }, (_, i) => ret('202611301000', `3${i}`)).join(''),
    );
    const { code, err } = await exportKoha(input, { out: path.join(dir, 'busy.koc') });
    expect(code).toBe(1);
    expect(err.slice(0, 2)).toEqual([
      `${input}:61: more than 60 transactions in the minute 10:00: Koha orders by whole seconds, so their order can't be kept`,
      `${input}:62: more than 60 transactions in the minute 10:00: Koha orders by whole seconds, so their order can't be kept`,
    ]);
    expect(await readdir(dir)).toEqual(['busy.dat']);
  });

  it('writes a file whose clock went back in file order, and warns that Koha orders by time', async () => {
    const input = await file('back.dat', loan('202610250258', '3123', '2123') + ret('202610250205', '3123'));
    const out = path.join(dir, 'back.koc');
    const { code, err } = await exportKoha(input, { out, generatorVersion: 't' });
    expect(code).toBe(0);
    expect(err).toEqual([
      `offcirc export: ${input}: its times go backwards (line 2 is earlier than the line before it; was the clock changed?): the records are written in file order, but Koha applies them by time alone`,
    ]);
    expect((await readFile(out, 'latin1')).split('\n').slice(1, 3)).toEqual([
      '2026-10-25 02:58:00 000\tissue\t2123\t3123',
      '2026-10-25 02:05:00 000\treturn\t3123',
    ]);
  });

  it('KohaClock: 00, 01, … within a minute, 00 again at the next, nothing past 59', () => {
    const clock = new KohaClock();
    const seconds = Array.from({ length: 61 }, () => clock.next('202611301000'));
    expect(seconds.slice(0, 3)).toEqual([0, 1, 2]);
    expect(seconds[59]).toBe(59);
    expect(seconds[60]).toBeUndefined();
    expect(clock.next('202611301001')).toBe(0);
    expect(kohaTimestamp('202611301001', 7)).toBe('2026-11-30 10:01:07 000');
  });
});
