import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { execFileSync } from 'node:child_process';
import { link, mkdir, readFile, readdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { mergeCommand, type MergeOptions } from '../../src/commands/merge.js';
import { chooseLineEnding } from '../../src/journal/merge.js';
import { describeNeeding } from '../helpers/needs.js';
import { smallDisk, smallDiskProblem } from '../helpers/small-disk.js';
import { CRLF, LF, capture, loan, now, ret, tempFolder, type TempFolder } from '../fixtures/offcirc/make.js';

const fixtures = fileURLToPath(new URL('../fixtures/offcirc/', import.meta.url));

let dir: string;
let remove: () => Promise<void>;
let file: TempFolder['file'];
beforeEach(async () => ({ dir, remove, file } = await tempFolder()));
afterEach(async () => remove());

async function merge(files: string[], options: MergeOptions) {
  const { out, err, io } = capture();
  const code = await mergeCommand(files, options, io, now);
  return { code, out, err };
}

const read = (f: string) => readFile(f, 'latin1');

describe('merge: order', () => {
  it('puts two stations in time order, equal times in the order the inputs were given', async () => {
    const front = path.join(fixtures, 'front-desk.dat');
    const back = path.join(fixtures, 'back-desk.dat');
    const out = path.join(dir, 'OffCirc.dat');
    const { code, err, out: printed } = await merge([front, back], { out });
    expect(code).toBe(0);
    // front is CRLF, back is LF: the merged file takes CRLF and says so.
    expect(err).toEqual([
      'offcirc merge: the inputs use different line endings; writing CRLF (--line-ending to choose)',
    ]);
    expect(printed).toEqual([`${out}: 7 lines (4 loans, 3 returns) from 2 files, CRLF line endings`]);
    const p = (s: string) => s.padEnd(80);
    expect(await read(out)).toBe(
      [
        `202611300901R${p('30234000517861')}`, // back
        `202611300902L${p('31234000000016')}21234000000018`, // front, 09:02 (front given first)
        `202611300902L${p('31234000000024')}21234000000018`, // front, 09:02
        `202611300902L${p('30234000517861')}21234000000026`, // back, 09:02
        `202611301115R${p('33191000105864')}`, // front
        `202611301402L${p('33191000105864')}21234000000026`, // front
        `202611301403R${p('31234000000016')}`, // back
        '',
      ].join(CRLF),
    );
  });

  it('keeps each input in its own order for equal times, and the inputs in the order given', async () => {
    const t = '202611301000';
    const a = await file('a.dat', ret(t, 'A1') + ret(t, 'A2') + ret(t, 'A3'));
    const b = await file('b.dat', ret(t, 'B1') + ret('202611300959', 'B0') + ret(t, 'B2'));
    const out = path.join(dir, 'out.dat');
    expect((await merge([b, a], { out })).code).toBe(0);
    const items = (await read(out)).split(CRLF).map((l) => l.slice(13).trim());
    // B's clock went back a minute at B0: B0 stays after B1, where the station wrote it.
    expect(items).toEqual(['B1', 'B0', 'B2', 'A1', 'A2', 'A3', '']);
  });

  it('says when an input is not in time order (a clock was changed) and never reorders it', async () => {
    const a = await file(
      'a.dat',
      ret('202611301000', 'A1') + ret('202611300900', 'A2') + ret('202611301100', 'A3'),
    );
    const out = path.join(dir, 'out.dat');
    const { code, err } = await merge([a], { out });
    expect(code).toBe(0);
    expect(err).toEqual([
      `offcirc merge: ${a}: its times go backwards (line 2 is earlier than the line before it; was the clock changed?): its lines are kept in their own order`,
    ]);
    expect((await read(out)).split(CRLF).map((l) => l.slice(13).trim())).toEqual(['A1', 'A2', 'A3', '']);
  });

  it('writes the inputs own line ending, or the one asked for', async () => {
    const a = await file('a.dat', ret('202611301000', 'A1', LF));
    const b = await file('b.dat', ret('202611300900', 'B1', LF));
    const lf = path.join(dir, 'lf.dat');
    const crlf = path.join(dir, 'crlf.dat');
    expect(await merge([a, b], { out: lf })).toMatchObject({ code: 0, err: [] });
    expect(await read(lf)).toBe(ret('202611300900', 'B1', LF) + ret('202611301000', 'A1', LF));
    expect((await merge([a, b], { out: crlf, lineEnding: 'crlf' })).code).toBe(0);
    expect(await read(crlf)).toBe(ret('202611300900', 'B1', CRLF) + ret('202611301000', 'A1', CRLF));
  });

  it('merges files larger than its write buffer, byte for byte', async () => {
    // Two stations, 12 000 lines each (about 2.3 MB merged): several 1 MiB blocks are written.
    const stamp = (i: number) =>
      `202611${String(10 + Math.floor(i / 1440)).padStart(2, '0')}${String(Math.floor(i / 60) % 24).padStart(2, '0')}${String(i % 60).padStart(2, '0')}`;
    const even = Array.from({ length: 12_000 }, (_, i) => loan(stamp(2 * i), `3${i}`, `2${i}`));
    const odd = Array.from({ length: 12_000 }, (_, i) => ret(stamp(2 * i + 1), `3${i}`));
    const a = await file('a.dat', odd.join(''));
    const b = await file('b.dat', even.join(''));
    const out = path.join(dir, 'out.dat');
    expect((await merge([a, b], { out })).code).toBe(0);
    expect(await read(out)).toBe(even.flatMap((line, i) => [line, odd[i]]).join(''));
  });

  it('merges empty inputs into an empty file', async () => {
    const a = await file('a.dat', '');
    const out = path.join(dir, 'out.dat');
    expect((await merge([a], { out })).code).toBe(0);
    expect(await read(out)).toBe('');
  });

  it('keeps every input in its own order, interleaving inputs by time only between them (property)', async () => {
    const minute = fc.integer({ min: 0, max: 30 }).map((m) => `2026113014${String(m).padStart(2, '0')}`);
    const tx = fc.record({ time: minute, item: fc.integer({ min: 1, max: 9999 }), loan: fc.boolean() });
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(tx, { selector: (t) => `${t.time}${t.item}${t.loan}`, maxLength: 30 }),
        fc.array(fc.nat(3), { maxLength: 30 }),
        fc.boolean(),
        async (list, choice, sorted) => {
          const lines = list.map((t) =>
            t.loan ? loan(t.time, `3${t.item}`, '21234000000018') : ret(t.time, `3${t.item}`),
          );
          // Deal the lines to up to 4 stations, each station's file in its own order: in time order, or
          // as they come (a station whose clock jumped back and forth).
          const parts: string[][] = [[], [], [], []];
          (sorted ? [...lines].sort() : lines).forEach((line, i) => parts[choice[i] ?? 0]?.push(line));
          const inputs = await Promise.all(parts.map((p, i) => file(`s${i}.dat`, p.join(''))));
          const out = path.join(dir, 'merged.dat');
          const { code } = await merge(inputs, { out, force: true });
          expect(code).toBe(0);
          const merged = (await read(out))
            .split(CRLF)
            .slice(0, -1)
            .map((l) => `${l}${CRLF}`);
          // The model: take, again and again, the earliest of the stations' next lines (equal times: the
          // station given first). No line ever passes an earlier line of its own file.
          const heads = parts.map(() => 0);
          const expected: string[] = [];
          for (;;) {
            let best = -1;
            for (let s = 0; s < parts.length; s++) {
              const line = parts[s]?.[heads[s] ?? 0];
              if (line === undefined) continue;
              const bestLine = parts[best]?.[heads[best] ?? 0];
              if (bestLine === undefined || line.slice(0, 12) < bestLine.slice(0, 12)) best = s;
            }
            if (best === -1) break;
            expected.push(parts[best]?.[heads[best] ?? 0] ?? '');
            heads[best] = (heads[best] ?? 0) + 1;
          }
          expect(merged).toEqual(expected);
          // Inputs in time order give a file in time order.
          if (sorted) {
            const times = merged.map((l) => l.slice(0, 12));
            expect(times).toEqual([...times].sort());
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe('merge: refusals', () => {
  it('refuses to write over an input, however it is named, even with --force', async () => {
    const a = await file('a.dat', ret('202611301000', 'A1'));
    const b = await file('b.dat', ret('202611301001', 'B1'));
    const before = await read(a);
    await symlink(a, path.join(dir, 'link.dat'));
    await link(a, path.join(dir, 'hard.dat'));
    await mkdir(path.join(dir, 'sub'));
    const names = [
      a,
      path.join(dir, 'sub', '..', 'a.dat'),
      path.relative(process.cwd(), a),
      path.join(dir, 'link.dat'),
      path.join(dir, 'hard.dat'),
    ];
    for (const out of names) {
      const { code, err } = await merge([a, b], { out, force: true });
      expect(code).toBe(64);
      expect(err).toEqual([
        `offcirc merge: refusing to write ${out}: it is the input ${a}${out === a ? '' : ' (the same file by another name)'}`,
      ]);
    }
    // An input named through a symlink is caught too.
    const { code, err } = await merge([path.join(dir, 'link.dat'), b], { out: a, force: true });
    expect(code).toBe(64);
    expect(err[0]).toMatch(/it is the input .*link\.dat \(the same file by another name\)/);
    expect(await read(a)).toBe(before);
  });

  it('refuses an existing --out unless --force, and then replaces it whole', async () => {
    const a = await file('a.dat', ret('202611301000', 'A1'));
    const out = await file('out.dat', 'old contents\r\n');
    const refused = await merge([a], { out });
    expect(refused.code).toBe(64);
    expect(refused.err).toEqual([
      `offcirc merge: refusing to overwrite ${out}: it already exists (use --force to replace it)`,
    ]);
    expect(await read(out)).toBe('old contents\r\n');
    expect((await merge([a], { out, force: true })).code).toBe(0);
    expect(await read(out)).toBe(ret('202611301000', 'A1'));
  });

  it('refuses --out that is a directory', async () => {
    const a = await file('a.dat', ret('202611301000', 'A1'));
    const { code, err } = await merge([a], { out: dir, force: true });
    expect(code).toBe(64);
    expect(err).toEqual([`offcirc merge: ${dir} is a directory; --out takes a file name`]);
  });

  it('refuses inputs with problems and writes nothing, listing them', async () => {
    const a = await file('a.dat', ret('202611301000', 'A1') + ret('202613301000', 'A2'));
    const b = await file('b.dat', ret('202611301001', 'B1'));
    const out = path.join(dir, 'out.dat');
    const { code, err } = await merge([a, b], { out });
    expect(code).toBe(1);
    expect(err).toEqual([
      `${a}:2: impossible date: month 13`,
      '3 lines, 0 loans, 3 returns, 1 problem',
      'offcirc merge: refused, the inputs have problems (fix them and merge again); nothing was written',
    ]);
    expect(await readdir(dir)).toEqual(['a.dat', 'b.dat']);
  });

  it('refuses the same transaction in two inputs (one station copied twice)', async () => {
    const a = await file('a.dat', ret('202611301000', 'A1') + loan('202611301001', 'A2', '21234000000018'));
    const copy = await file('copy.dat', loan('202611301001', 'A2', '21234000000018'));
    const out = path.join(dir, 'out.dat');
    const { code, err } = await merge([a, copy], { out });
    expect(code).toBe(1);
    expect(err[0]).toBe(
      `${copy}:1: same transaction as ${a}:2 (the same file given twice?): same time, action, item and patron`,
    );
    expect(await readdir(dir)).toEqual(['a.dat', 'copy.dat']);
  });

  it('exits 2 when an input cannot be read, and writes nothing', async () => {
    const a = await file('a.dat', ret('202611301000', 'A1'));
    const out = path.join(dir, 'out.dat');
    const { code, err } = await merge([a, path.join(dir, 'gone.dat')], { out });
    expect(code).toBe(2);
    expect(err).toContain(`${path.join(dir, 'gone.dat')}: cannot read: no such file`);
    expect(err.at(-1)).toBe('offcirc merge: refused, an input could not be read; nothing was written');
    expect(await readdir(dir)).toEqual(['a.dat']);
  });

  it('writes nothing when an input changes between its check and the merge (a station still writing it)', async () => {
    // The unpadded return gives a note, printed after the check and before the merge: the moment
    // to append a line, as a kiosk still writing this journal would.
    const a = await file('a.dat', `202611301000R31234000000016${CRLF}`);
    const out = path.join(dir, 'out.dat');
    const err: string[] = [];
    let appended = false;
    const io = {
      out: () => undefined,
      err: (line: string) => {
        err.push(line);
        if (!appended) {
          appended = true;
          // Synchronous, so the file has grown before merge goes on.
          execFileSync('sh', [
            '-c',
            'printf "%s\\r\\n" "$1" >> "$2"',
            'sh',
            ret('202611301001', 'B1', ''),
            a,
          ]);
        }
      },
    };
    const code = await mergeCommand([a], { out }, io, now);
    expect(appended).toBe(true);
    expect(code).toBe(2);
    expect(err.at(-1)).toBe(
      `offcirc merge: ${a} changed while it was being merged (is a station still writing it?); nothing was written`,
    );
    expect(await readdir(dir)).toEqual(['a.dat']);
  });

  it('rejects an unknown line ending', async () => {
    const a = await file('a.dat', ret('202611301000', 'A1'));
    const options = { out: path.join(dir, 'o.dat'), lineEnding: 'toString' } as unknown as MergeOptions; // as a CLI could pass it
    const { code, err } = await merge([a], options);
    expect(code).toBe(64);
    expect(err).toEqual(['offcirc merge: unknown line ending "toString", expected "crlf" or "lf"']);
  });
});

describe('merge: atomic output', () => {
  it('leaves no temporary file behind', async () => {
    const a = await file('a.dat', ret('202611301000', 'A1'));
    expect((await merge([a], { out: path.join(dir, 'out.dat') })).code).toBe(0);
    expect((await readdir(dir)).sort()).toEqual(['a.dat', 'out.dat']);
  });

  it('says so when the output folder does not exist', async () => {
    const a = await file('a.dat', ret('202611301000', 'A1'));
    const out = path.join(dir, 'nope', 'out.dat');
    const { code, err } = await merge([a], { out });
    expect(code).toBe(74);
    expect(err).toEqual([
      `offcirc merge: creating a temporary file in ${path.join(dir, 'nope')}: no such file; nothing was written`,
    ]);
  });
});

describeNeeding(smallDiskProblem(), 'merge: atomic output on a full disk', () => {
  it('keeps the old output whole when the disk fills up during the merge', async () => {
    // A real full disk: a 64 KiB tmpfs (in a user namespace, no root needed), the inputs outside it.
    const disk = await smallDisk(64);
    try {
      const small = disk.dir;
      const out = path.join(small, 'OffCirc.dat');
      await writeFile(out, 'the merge of yesterday\r\n');
      const lines = Array.from({ length: 2000 }, (_, i) =>
        ret('202611301000', `3${String(i).padStart(13, '0')}`),
      );
      const a = await file('a.dat', lines.join(''));
      const { code, err } = await merge([a], { out, force: true });
      expect(code).toBe(74);
      expect(err).toEqual([`offcirc merge: writing ${out}: disk full; nothing was written`]);
      expect(await read(out)).toBe('the merge of yesterday\r\n');
      expect(await readdir(small)).toEqual(['OffCirc.dat']);
    } finally {
      await disk.close();
    }
  });
});

describe('chooseLineEnding', () => {
  it('keeps the common line ending, else CRLF, and the one asked for always', () => {
    expect(chooseLineEnding(['lf', undefined, 'lf'])).toEqual({ ending: 'lf', differ: false });
    expect(chooseLineEnding(['lf', 'crlf'])).toEqual({ ending: 'crlf', differ: true });
    expect(chooseLineEnding([undefined])).toEqual({ ending: 'crlf', differ: false });
    expect(chooseLineEnding(['crlf'], 'lf')).toEqual({ ending: 'lf', differ: false });
  });
});
