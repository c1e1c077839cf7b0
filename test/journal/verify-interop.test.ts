/**
 * Files written by other tools that Alma accepts (FORMATS.md §1), through verify, merge and export:
 * the Pisa `loantransfer.py` writes unpadded returns with LF, and a last line may lack its line ending.
 * Also: a station whose clock went back, special files given as input, and merge's output compared
 * with what the sorting merge of before wrote for inputs already in order.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createServer } from 'node:net';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { verifyCommand } from '../../src/commands/verify.js';
import { mergeCommand } from '../../src/commands/merge.js';
import { exportCommand } from '../../src/commands/export.js';
import { CRLF, LF, capture, loan, now, ret, tempFolder, type TempFolder } from '../fixtures/offcirc/make.js';

let dir: string;
let remove: () => Promise<void>;
let file: TempFolder['file'];
beforeEach(async () => ({ dir, remove, file } = await tempFolder()));
afterEach(async () => remove());

const read = (f: string) => readFile(f, 'latin1');
const p = (s: string) => s.padEnd(80);

async function verify(files: string[], json = false) {
  const { out, err, io } = capture();
  return { code: await verifyCommand(files, { json }, io, now), out, err };
}
async function merge(files: string[], out: string) {
  const { out: printed, err, io } = capture();
  return { code: await mergeCommand(files, { out }, io, now), out: printed, err };
}
async function exportKoha(input: string, out: string) {
  const { out: printed, err, io } = capture();
  const code = await exportCommand(input, { format: 'koha', out, generatorVersion: 't' }, io, now);
  return { code, out: printed, err };
}

/** A file as the Pisa tool writes it: LF, returns unpadded; here also without a final line ending. */
const pisa =
  loan('202611300901', '31234000000016', '21234000000018', LF) +
  `202611300908R31234000000016${LF}` +
  loan('202611300909', '31234000000024', '21234000000026', LF) +
  loan('202611300910', '33191000105864', '21234000000018', ''); // complete, no final LF

describe('files Alma accepts are not refused', () => {
  it('verify: unpadded returns and a complete last line without ending are notes, exit 0', async () => {
    const f = await file('pisa.dat', pisa);
    const { code, out } = await verify([f]);
    expect(code).toBe(0);
    expect(out).toEqual([
      'Notes (not problems: Alma accepts these):',
      `  ${f}:2: return line is 27 characters, not padded with spaces to 93 (Alma accepts this; merge writes it padded)`,
      `  ${f}:4: last line has no line ending; it is complete, so it counts (Alma accepts it)`,
      '4 lines, 3 loans, 1 return, 0 problems, 2 notes',
    ]);
  });

  it('verify --json carries the notes, each with its line, apart from the problems', async () => {
    const f = await file('pisa.dat', pisa);
    const { code, out } = await verify([f], true);
    expect(code).toBe(0);
    const doc = JSON.parse(out[0] ?? '') as Record<string, unknown>;
    expect(doc.ok).toBe(true);
    expect(doc.counts).toEqual({ lines: 4, loans: 3, returns: 1, problems: 0, notes: 2 });
    expect(doc.problems).toEqual([]);
    expect(doc.notes).toEqual([
      {
        file: f,
        line: 2,
        code: 'unpadded',
        message:
          'return line is 27 characters, not padded with spaces to 93 (Alma accepts this; merge writes it padded)',
      },
      {
        file: f,
        line: 4,
        code: 'last-line',
        message: 'last line has no line ending; it is complete, so it counts (Alma accepts it)',
      },
    ]);
  });

  it('a return padded only partly, with trailing spaces, is a note too', async () => {
    const f = await file('part.dat', `202611300908R31234000000016   ${CRLF}`);
    const { code, out } = await verify([f]);
    expect(code).toBe(0);
    expect(out[1]).toMatch(/:1: return line is 30 characters, not padded/);
  });

  it('an unpadded return is still the same transaction as its padded form (duplicate)', async () => {
    const f = await file(
      'dup.dat',
      ret('202611300908', '31234000000016') + `202611300908R31234000000016${CRLF}`,
    );
    const { code, out } = await verify([f]);
    expect(code).toBe(1);
    expect(out[0]).toBe(`${f}:2: same transaction as line 1: same time, action, item and patron`);
  });

  it('merge: passes them through, writing returns in the padded form, and says what it noted', async () => {
    const a = await file('pisa.dat', pisa);
    const b = await file(
      'front.dat',
      ret('202611300905', '30234000517861') + ret('202611300910', '31234000000024'),
    );
    const out = path.join(dir, 'all.dat');
    const { code, err, out: printed } = await merge([a, b], out);
    expect(code).toBe(0);
    expect(err).toEqual([
      'offcirc merge: notes (not problems: Alma accepts these, the lines are kept):',
      `  ${a}:2: return line is 27 characters, not padded with spaces to 93 (Alma accepts this; merge writes it padded)`,
      `  ${a}:4: last line has no line ending; it is complete, so it counts (Alma accepts it)`,
      'offcirc merge: the inputs use different line endings; writing CRLF (--line-ending to choose)',
    ]);
    expect(printed).toEqual([`${out}: 6 lines (3 loans, 3 returns) from 2 files, CRLF line endings`]);
    expect(await read(out)).toBe(
      [
        `202611300901L${p('31234000000016')}21234000000018`,
        `202611300905R${p('30234000517861')}`,
        `202611300908R${p('31234000000016')}`, // padded now
        `202611300909L${p('31234000000024')}21234000000026`,
        `202611300910L${p('33191000105864')}21234000000018`, // pisa given first: first of 09:10
        `202611300910R${p('31234000000024')}`,
        '',
      ].join(CRLF),
    );
    // What merge wrote passes verify without a note.
    expect(await verify([out])).toMatchObject({ code: 0, out: ['6 lines, 3 loans, 3 returns, 0 problems'] });
  });

  it('export: passes them through to Koha', async () => {
    const a = await file('pisa.dat', pisa);
    const out = path.join(dir, 'pisa.koc');
    const { code, err } = await exportKoha(a, out);
    expect(code).toBe(0);
    expect(err[0]).toBe('offcirc export: notes (not problems: Alma accepts these, the lines are kept):');
    expect(await read(out)).toBe(
      'Version=1.0\tGenerator=offcirc\tGeneratorVersion=t\n' +
        '2026-11-30 09:01:00 000\tissue\t21234000000018\t31234000000016\n' +
        '2026-11-30 09:08:00 000\treturn\t31234000000016\n' +
        '2026-11-30 09:09:00 000\tissue\t21234000000026\t31234000000024\n' +
        '2026-11-30 09:10:00 000\tissue\t21234000000018\t33191000105864\n',
    );
  });

  it('a last line cut short (an unpadded return without ending) is still refused by merge and export', async () => {
    const a = await file('cut.dat', ret('202611300901', '31234000000016') + '202611300902R3123400');
    const out = path.join(dir, 'x.dat');
    const merged = await merge([a], out);
    expect(merged.code).toBe(1);
    expect(merged.err[0]).toBe(`${a}:2: last line has no line ending (was the file cut short?)`);
    expect((await exportKoha(a, path.join(dir, 'x.koc'))).code).toBe(1);
    expect(await readdir(dir)).toEqual(['cut.dat']);
  });
});

describe('order: a station whose clock went back', () => {
  it('merge keeps its loan before its return, though the return has the earlier time', async () => {
    // The autumn change of time at 03:00: the loan at 02:58 (summer time), the return at 02:05 (winter time).
    const station = await file(
      'station.dat',
      loan('202610250258', '31234000000016', '21234000000018') +
        ret('202610250205', '31234000000016') +
        loan('202610250210', '31234000000024', '21234000000018'),
    );
    const other = await file(
      'other.dat',
      ret('202610250200', '33191000105864') + ret('202610250230', '30234000517861'),
    );
    const out = path.join(dir, 'all.dat');
    const { code, err } = await merge([station, other], out);
    expect(code).toBe(0);
    expect(err).toEqual([
      `offcirc merge: ${station}: its times go backwards (line 2 is earlier than the line before it; was the clock changed?): its lines are kept in their own order`,
    ]);
    const lines = (await read(out))
      .split(CRLF)
      .slice(0, -1)
      .map((l) => `${l.slice(8, 13)} ${l.slice(13, 93).trim()}`);
    expect(lines).toEqual([
      '0200R 33191000105864', // other
      '0230R 30234000517861', // other: earlier than the station's first line
      '0258L 31234000000016',
      '0205R 31234000000016', // the station's return: still after its loan
      '0210L 31234000000024',
    ]);
  });
});

describe('special files are refused without being opened for reading', () => {
  it('a FIFO: verify, merge and export exit 2 at once, saying what it is', async () => {
    const fifo = path.join(dir, 'pipe.dat');
    execFileSync('mkfifo', [fifo]);
    const within = <T>(ms: number, work: Promise<T>) =>
      Promise.race([
        work,
        new Promise<never>((_, no) => setTimeout(() => no(new Error(`hung for ${ms} ms`)), ms)),
      ]);
    const v = await within(5000, verify([fifo]));
    expect(v.code).toBe(2);
    expect(v.err).toEqual([`${fifo}: cannot read: it is a FIFO (named pipe), not a regular file`]);
    const m = await within(5000, merge([fifo], path.join(dir, 'm.dat')));
    expect(m.code).toBe(2);
    expect(m.err).toContain(`${fifo}: cannot read: it is a FIFO (named pipe), not a regular file`);
    const e = await within(5000, exportKoha(fifo, path.join(dir, 'e.koc')));
    expect(e.code).toBe(2);
    expect((await readdir(dir)).sort()).toEqual(['pipe.dat']);
  });

  it('a FIFO with a writer waiting: the writer stays blocked, so it was never opened', async () => {
    const fifo = path.join(dir, 'pipe.dat');
    execFileSync('mkfifo', [fifo]);
    // The shell blocks in open(fifo, O_WRONLY) until someone opens the FIFO for reading.
    const writer = spawn('sh', ['-c', 'echo 202611301000R3123 > "$1"', 'sh', fifo], { stdio: 'ignore' });
    const exited = new Promise<number | null>((done) => writer.on('exit', (code) => done(code)));
    try {
      for (const run of [
        () => verify([fifo]),
        () => merge([fifo], path.join(dir, 'm.dat')),
        () => exportKoha(fifo, path.join(dir, 'e.koc')),
      ]) {
        expect((await run()).code).toBe(2);
      }
      const still = await Promise.race([
        exited.then(() => 'exited'),
        new Promise((done) => setTimeout(() => done('blocked'), 300)),
      ]);
      expect(still).toBe('blocked');
    } finally {
      writer.kill();
      await exited;
    }
  });

  it('a character device (/dev/zero would never end) and a socket', async () => {
    const socket = path.join(dir, 'kiosk.sock');
    const server = createServer();
    await new Promise<void>((done) => server.listen(socket, done));
    try {
      const v = await verify(['/dev/zero', socket]);
      expect(v.code).toBe(2);
      expect(v.err).toEqual([
        '/dev/zero: cannot read: it is a character device, not a regular file',
        `${socket}: cannot read: it is a socket, not a regular file`,
      ]);
    } finally {
      await new Promise((done) => server.close(done));
    }
  });
});

describe('merge output for inputs already in time order', () => {
  /** Station s's lines: minutes shared within and across stations, loans and returns, its own ending. */
  function station(s: number, count: number, ending: string): string {
    const two = (n: number) => String(n).padStart(2, '0');
    let text = '';
    for (let i = 0; i < count; i++) {
      const m = Math.floor((i * 3 + s) / 4);
      const time = `202611${two(1 + Math.floor(m / 1440))}${two(Math.floor(m / 60) % 24)}${two(m % 60)}`;
      const item = `3${s}${String(i).padStart(12, '0')}`;
      text +=
        (i + s) % 3 === 2
          ? ret(time, item, ending)
          : loan(time, item, `2${String(i % 977).padStart(13, '0')}`, ending);
    }
    return text;
  }

  it('is byte for byte what the sorting merge of before wrote', async () => {
    const inputs = [
      await file('s0.dat', station(0, 3000, CRLF)),
      await file('s1.dat', station(1, 3000, LF)),
      await file('s2.dat', station(2, 3000, CRLF)),
    ];
    const out = path.join(dir, 'all.dat');
    const { code } = await merge(inputs, out);
    expect(code).toBe(0);
    const bytes = await readFile(out);
    expect(bytes.length).toBe(9000 * 95 + 6000 * 14);
    // The SHA-256 of what offcirc 0.1.0's merge (commit e490e18, a stable sort of every line by time)
    // wrote for these three files.
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(
      '6a5675681b9d2cd31e64deea7f6f21cc21ef0ecab33180afe57d85e168310f50',
    );
  });
});

describe('the duplicate check over files walked in time order', () => {
  it('finds every line of a file given twice though it spans days (longer than its 24-hour memory)', async () => {
    // 6000 lines, one every 2 minutes: more than 8 days.
    const lines = Array.from({ length: 6000 }, (_, i) => {
      const at = new Date(2026, 10, 1, 0, 2 * i);
      const two = (n: number) => String(n).padStart(2, '0');
      const time = `${at.getFullYear()}${two(at.getMonth() + 1)}${two(at.getDate())}${two(at.getHours())}${two(at.getMinutes())}`;
      return ret(time, `3${String(i).padStart(13, '0')}`);
    });
    const a = await file('a.dat', lines.join(''));
    const copy = await file('copy.dat', lines.slice(3000).join(''));
    const { code, out } = await verify([a, copy]);
    expect(code).toBe(1);
    expect(out[0]).toBe(
      `${copy}:1: same transaction as ${a}:3001 (the same file given twice?): same time, action, item and patron`,
    );
    expect(out).toContain('… and 2980 more "duplicate" problems not shown');
    expect(out.at(-1)).toBe('9000 lines, 0 loans, 9000 returns, 3000 problems');
  });

  it('finds a duplicate across a clock that went back an hour (the autumn change of time)', async () => {
    const a = await file(
      'a.dat',
      loan('202610250230', '31234000000016', '21234000000018') +
        ret('202610250259', '31234000000016') +
        loan('202610250230', '31234000000016', '21234000000018'), // winter time: 02:30 again, the same loan
    );
    const { code, out } = await verify([a]);
    expect(code).toBe(1);
    expect(out[0]).toBe(`${a}:3: same transaction as line 1: same time, action, item and patron`);
  });
});
