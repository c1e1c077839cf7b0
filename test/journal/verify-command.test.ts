import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { chmod, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { verifyCommand } from '../../src/commands/verify.js';
import { CRLF, LF, capture, loan, now, ret, tempFolder, type TempFolder } from '../fixtures/offcirc/make.js';

const fixtures = fileURLToPath(new URL('../fixtures/offcirc/', import.meta.url));
const item = '31234000000016';
const patron = '21234000000018';

let dir: string;
let remove: () => Promise<void>;
let file: TempFolder['file'];
beforeEach(async () => ({ dir, remove, file } = await tempFolder()));
afterEach(async () => remove());

/** Verifies the files; returns the exit code and what was printed. */
async function verify(files: string[], json = false) {
  const { out, err, io } = capture();
  const code = await verifyCommand(files, { json }, io, now);
  return { code, out, err };
}

/** Verifies one file with the given content and expects exactly these problem lines before the summary. */
async function expectProblems(content: string | Uint8Array, problems: string[]) {
  const f = await file('OffCirc.dat', content);
  const { code, out } = await verify([f]);
  expect(out.slice(0, -1)).toEqual(problems.map((p) => `${f}:${p}`));
  expect(code).toBe(problems.length > 0 ? 1 : 0);
  return out;
}

describe('verify: clean files', () => {
  it('passes the front desk sample (CRLF) and says what it holds', async () => {
    const f = path.join(fixtures, 'front-desk.dat');
    const { code, out, err } = await verify([f]);
    expect(code).toBe(0);
    expect(out).toEqual(['4 lines, 3 loans, 1 return, 0 problems']);
    expect(err).toEqual([]);
  });

  it('passes an LF file and two files together', async () => {
    const { code, out } = await verify([
      path.join(fixtures, 'front-desk.dat'),
      path.join(fixtures, 'back-desk.dat'),
    ]);
    expect(code).toBe(0);
    expect(out).toEqual(['7 lines, 4 loans, 3 returns, 0 problems']);
  });

  it('passes an empty file', async () => {
    const { code, out } = await verify([await file('empty.dat', '')]);
    expect(code).toBe(0);
    expect(out).toEqual(['0 lines, 0 loans, 0 returns, 0 problems']);
  });

  it('accepts a leap day and a time just inside the clock-skew tolerance', async () => {
    await expectProblems(
      loan('202402291200', item, patron) + ret('202611301510', item), // now is 15:00, tolerance 10 minutes
      [],
    );
  });
});

describe('verify: each problem, with its line number', () => {
  it('a line shorter than 93 that is not a whole return (a loan without padding, a bare header, an empty line)', async () => {
    await expectProblems(
      loan('202611301402', item, patron) +
        `202611301403L${item}${patron}${CRLF}` +
        `202611301404R${CRLF}` +
        CRLF,
      [
        '2: line is 41 characters, expected at least 93 (12 time + 1 action + 80 item, padded with spaces)',
        '3: line is 13 characters, expected at least 93 (12 time + 1 action + 80 item, padded with spaces)',
        '3: no item barcode (columns 14–93 are blank)',
        '4: empty line',
      ],
    );
  });

  it('an item field that is not left-aligned, blank, or has text after its padding', async () => {
    await expectProblems(
      `202611301402R ${item.padEnd(79)}${CRLF}` +
        `202611301402R${''.padEnd(80)}${CRLF}` +
        `202611301402R${'3123 4000000016'.padEnd(80)}${CRLF}`,
      [
        '1: item barcode does not start at column 14: the item field starts with a space',
        '2: no item barcode (columns 14–93 are blank)',
        "3: text after the item's padding at column 19: the item field is one barcode padded with spaces to column 93",
      ],
    );
  });

  it('a return with text after the padding (a patron, or trailing spaces)', async () => {
    await expectProblems(
      `202611301403R${item.padEnd(80)}${patron}${CRLF}` + `202611301403R${item.padEnd(82)}${CRLF}`,
      [
        '1: return has text after column 93: "21234000000018" (a return line ends with the item field)',
        '2: return has text after column 93: "  " (a return line ends with the item field)',
      ],
    );
  });

  it('impossible dates and times', async () => {
    await expectProblems(
      [
        ret('202613011200', item), // month 13
        ret('202602301200', item), // Feb 30
        ret('202502291200', item), // not a leap year
        ret('202604311200', item), // April 31
        ret('202611302400', item), // hour 24
        ret('202611301260', item), // minute 60
        ret('202611001200', item), // day 0
        ret('2026113O1402', item), // letter O for zero
        ret('197001010000', item), // a kiosk that lost its clock
      ].join(''),
      [
        '1: impossible date: month 13',
        '2: impossible date: February 30, 2026',
        '3: impossible date: February 29, 2025',
        '4: impossible date: April 31, 2026',
        '5: impossible time: hour 24',
        '6: impossible time: minute 60',
        '7: impossible date: November 0, 2026',
        '8: time "2026113O1402" is not 12 digits YYYYMMDDHHMM (column 8 is not a digit)',
        "9: year 1970 is before 2000: was the station's clock set?",
      ],
    );
  });

  it('a time more than 10 minutes in the future', async () => {
    await expectProblems(ret('202611301511', item) + ret('202711301200', item), [
      "1: time 2026-11-30 15:11 is in the future (more than 10 minutes after now, 2026-11-30 15:00): check the station's clock",
      "2: time 2027-11-30 12:00 is in the future (more than 10 minutes after now, 2026-11-30 15:00): check the station's clock",
    ]);
  });

  it('an action other than L or R', async () => {
    await expectProblems(
      `202611301402X${item.padEnd(80)}${patron}${CRLF}` + `202611301402l${item.padEnd(80)}${patron}${CRLF}`,
      [
        '1: action "X" at column 13, expected L (loan) or R (return)',
        '2: action "l" at column 13, expected L (loan) or R (return)',
      ],
    );
  });

  it('a loan without patron, and a patron with a space', async () => {
    await expectProblems(
      `202611301402L${item.padEnd(80)}${CRLF}` +
        `202611301402L${item.padEnd(80)}2123 4000000018${CRLF}` +
        `202611301402L${item.padEnd(81)}${patron}${CRLF}`,
      [
        '1: loan without a patron ID after column 93',
        '2: patron ID has a space at column 98',
        '3: patron ID starts with a space at column 94 (is the item field wider than 80?)',
      ],
    );
  });

  it('non-ASCII and control bytes, naming the byte and its column', async () => {
    await expectProblems(
      loan('202611301402', '3123caf\xc3\xa9', patron) + // é in UTF-8
        loan('202611301403', item, `2123\t4`) +
        `\xef\xbb\xbf${ret('202611301404', item)}`,
      [
        '1: byte 0xC3 (not ASCII) at column 21 (and 1 more on this line)',
        '2: control byte 0x09 (tab) at column 98',
        '3: UTF-8 byte-order mark (EF BB BF) at column 1: save the file as plain ASCII, without BOM',
        '3: time "???202611301" is not 12 digits YYYYMMDDHHMM (column 1 is not a digit)',
        '3: action "4" at column 13, expected L (loan) or R (return)',
      ],
    );
  });

  it('mixed line endings and a bare CR', async () => {
    await expectProblems(
      ret('202611301401', item, CRLF) +
        ret('202611301402', item, LF) +
        ret('202611301403', item, CRLF) +
        loan('202611301404', item, '2123\r4000'),
      [
        '2: line ends in LF but line 1 ends in CRLF: mixed line endings',
        '4: bare CR (0x0D) at column 98: a CR that does not end the line',
      ],
    );
  });

  it('a last line without line ending that is cut short: a return not padded to 93, a loan without patron', async () => {
    for (const cut of [
      `202611301402R${item}`,
      `202611301402R${item.padEnd(60)}`,
      `202611301402L${item.padEnd(80)}`,
    ]) {
      const out = await expectProblems(ret('202611301401', item) + cut, [
        '2: last line has no line ending (was the file cut short?)',
        ...(cut[12] === 'L' ? ['2: loan without a patron ID after column 93'] : []),
      ]);
      expect(out.at(-1)).toBe(
        '2 lines, 0 loans, 2 returns, 1 problem'.replace(
          /0 loans, 2 returns, 1 problem/,
          cut[12] === 'L' ? '1 loan, 1 return, 2 problems' : '0 loans, 2 returns, 1 problem',
        ),
      );
    }
  });

  it('the same transaction twice in one file, naming both lines', async () => {
    await expectProblems(
      loan('202611301402', item, patron) +
        ret('202611301403', item) +
        loan('202611301402', '31234000000024', patron) +
        loan('202611301402', item, patron) +
        ret('202611301403', item),
      [
        '4: same transaction as line 1: same time, action, item and patron',
        '5: same transaction as line 2: same time, action, item and patron',
      ],
    );
  });

  it('is not fooled by padding: same facts are the same transaction, other facts are not', async () => {
    await expectProblems(
      loan('202611301402', item, patron) +
        loan('202611301403', item, patron) + // another minute
        loan('202611301402', item, '21234000000026') + // another patron
        ret('202611301402', item), // another action
      [],
    );
  });

  it('the same transaction across files: a file given twice', async () => {
    const a = await file('a.dat', loan('202611301402', item, patron) + ret('202611301403', item));
    const b = await file('b.dat', ret('202611301500', '31234000000024') + ret('202611301403', item));
    const { code, out } = await verify([a, b, a]);
    expect(code).toBe(1);
    expect(out).toEqual([
      `${b}:2: same transaction as ${a}:2 (the same file given twice?): same time, action, item and patron`,
      `${a}:1: same transaction as ${a}:1 (the same file given twice?): same time, action, item and patron`,
      `${a}:2: same transaction as ${a}:2 (the same file given twice?): same time, action, item and patron`,
      '6 lines, 2 loans, 4 returns, 3 problems',
    ]);
  });

  it('several problems on one line are all listed', async () => {
    await expectProblems(`202613301402Q3123 4\xff${LF}`, [
      '1: byte 0xFF (not ASCII) at column 20',
      '1: line is 20 characters, expected at least 93 (12 time + 1 action + 80 item, padded with spaces)',
      '1: impossible date: month 13',
      '1: action "Q" at column 13, expected L (loan) or R (return)',
    ]);
  });
});

describe('verify: files that are not OffCirc.dat at all', () => {
  it('a JPEG gives one clear line, not thousands', async () => {
    // The start of a real JFIF file, then bytes as an image holds them: LFs, CRs and NULs at random.
    const head = [0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00];
    let seed = 7;
    const body = Array.from({ length: 200_000 }, () => (seed = (seed * 1103515245 + 12345) & 0xff));
    const f = await file('photo.jpg', Uint8Array.from([...head, ...body]));
    const { code, out } = await verify([f]);
    expect(code).toBe(1);
    expect(out).toEqual([
      `${f}: this is a JPEG image, not an OffCirc.dat text file`,
      '0 lines, 0 loans, 0 returns, 1 problem',
    ]);
  });

  it('binary without a known signature (NUL bytes) is named too', async () => {
    const f = await file(
      'dump.bin',
      Uint8Array.from({ length: 5000 }, (_, i) => (i * 31) % 256),
    );
    const { code, out } = await verify([f]);
    expect(code).toBe(1);
    expect(out[0]).toBe(`${f}: this is a binary file (it holds NUL bytes), not an OffCirc.dat text file`);
    expect(out).toHaveLength(2);
  });

  it('a journal with a zero-filled tail (a crash) gets its lines checked, the NULs found by line', async () => {
    const good = ret('202611301401', item) + ret('202611301402', item);
    const f = await file('crashed.dat', Buffer.concat([Buffer.from(good, 'latin1'), Buffer.alloc(300)]));
    const { code, out } = await verify([f]);
    expect(code).toBe(1);
    expect(out.slice(0, 2)).toEqual([
      `${f}:3: last line has no line ending (was the file cut short?)`,
      `${f}:3: control byte 0x00 (NUL) at column 1 (and 299 more on this line)`,
    ]);
    expect(out.at(-1)).toMatch(/^3 lines, 0 loans, 2 returns, \d+ problems$/);
  });

  it('a text file of the wrong kind gives a short answer: a few of each problem, then counts', async () => {
    const csv = Array.from(
      { length: 5000 },
      (_, i) => `${i},31234000000016,21234000000018,2026-11-30\r\n`,
    ).join('');
    const f = await file('export.csv', csv);
    const { code, out } = await verify([f]);
    expect(code).toBe(1);
    expect(out.length).toBeLessThan(100);
    expect(out).toContain('… and 4980 more "length" problems not shown');
    expect(out).toContain('… and 4980 more "date" problems not shown');
    expect(out.at(-1)).toMatch(/^5000 lines, 0 loans, 0 returns, \d+ problems$/);
  });

  it('one endless line (CR line endings from an old Mac tool) is checked with flat memory', async () => {
    const f = await file('old.dat', ret('202611301401', item, '\r').repeat(50_000));
    const { code, out } = await verify([f]);
    expect(code).toBe(1);
    expect(out).toEqual([
      `${f}:1: last line has no line ending (was the file cut short?)`,
      `${f}:1: bare CR (0x0D) at column 94: a CR that does not end the line`,
      `${f}:1: line is 4700000 bytes, far longer than an OffCirc.dat line (93 characters + patron ID); only its first 1024 were checked`,
      `${f}:1: return has text after column 93: "?202611301401R312340…" (a return line ends with the item field)`,
      '1 line, 0 loans, 1 return, 4 problems',
    ]);
  });
});

describe('verify: files it cannot read', () => {
  it('exits 2 and says which file and why: missing, a directory, below a file', async () => {
    const good = path.join(fixtures, 'front-desk.dat');
    const missing = path.join(dir, 'missing.dat');
    const folder = path.join(dir, 'folder');
    await mkdir(folder);
    const belowFile = path.join(good, 'x.dat');
    const { code, out, err } = await verify([good, missing, folder, belowFile]);
    expect(code).toBe(2);
    expect(err).toEqual([
      `${missing}: cannot read: no such file`,
      `${folder}: cannot read: it is a folder, not a file`,
      `${belowFile}: cannot read: a part of the path is not a folder`,
    ]);
    expect(out).toEqual(['4 lines, 3 loans, 1 return, 0 problems, 3 unreadable']);
  });

  it('exits 2 on a file without read permission', async () => {
    const f = await file('secret.dat', ret('202611301401', item));
    await chmod(f, 0o000);
    await chmod(dir, 0o755); // the folder is open to all: only the file's own mode stands in the way
    // Root reads anything: drop to "nobody" for the read, as a kiosk user would be.
    const { code, err } = await asNobody(() => verify([f]));
    expect(code).toBe(2);
    expect(err).toEqual([`${f}: cannot read: permission denied`]);
  });

  it('exits 64 (wrong usage) when no file is given', async () => {
    const { code, err } = await verify([]);
    expect(code).toBe(64);
    expect(err[0]).toMatch(/no file given/);
  });
});

describe('verify --json', () => {
  it('prints one document with files, counts and problems', async () => {
    const f = await file('a.dat', loan('202611301402', item, patron) + `202611301403L${item}${CRLF}`);
    const { code, out } = await verify([f, path.join(dir, 'nope.dat')], true);
    expect(code).toBe(2);
    expect(out).toHaveLength(1);
    expect(JSON.parse(out[0] ?? '')).toEqual({
      ok: false,
      files: [
        { file: f, lines: 2, loans: 2, returns: 0, lineEnding: 'crlf' },
        {
          file: path.join(dir, 'nope.dat'),
          lines: 0,
          loans: 0,
          returns: 0,
          lineEnding: null,
          error: 'no such file',
        },
      ],
      counts: { lines: 2, loans: 2, returns: 0, problems: 1, notes: 0 },
      problems: [
        {
          file: f,
          line: 2,
          code: 'length',
          message:
            'line is 27 characters, expected at least 93 (12 time + 1 action + 80 item, padded with spaces)',
        },
      ],
      omitted: [],
      notes: [],
      omittedNotes: [],
    });
  });

  it('says ok for a clean file', async () => {
    const { code, out } = await verify([path.join(fixtures, 'back-desk.dat')], true);
    expect(code).toBe(0);
    const doc = JSON.parse(out[0] ?? '') as { ok: boolean; counts: unknown; files: { lineEnding: string }[] };
    expect(doc.ok).toBe(true);
    expect(doc.counts).toEqual({ lines: 3, loans: 1, returns: 2, problems: 0, notes: 0 });
    expect(doc.files[0]?.lineEnding).toBe('lf');
  });
});

/** Runs `fn` with the effective user "nobody" (65534), so file permissions apply even to root. */
async function asNobody<T>(fn: () => Promise<T>): Promise<T> {
  const seteuid = process.seteuid;
  const geteuid = process.geteuid;
  if (!seteuid || !geteuid) throw new Error('this test needs a POSIX system');
  if (geteuid() !== 0) return fn(); // not root: permissions apply already
  seteuid(65534);
  try {
    return await fn();
  } finally {
    seteuid(0);
  }
}
