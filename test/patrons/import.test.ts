/**
 * `offcirc patrons import` on real files, run as the real command: CSV with quoting, a BOM, CRLF and bad
 * rows; Alma users JSON (the API's list form and a plain array); a mostly bad file refused with the old
 * list kept; the list's mode, its contents (no card number in plain text) and what a lookup answers.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PatronList } from '../../src/patrons/format.js';
import { runOffcirc, tempDir, writeConfig } from '../helpers/offcirc.js';

const load = (file: string) => PatronList.fromBuffer(readFileSync(file));

async function importFile(dir: string, name: string, content: string | Buffer, args: string[] = []) {
  const file = path.join(dir, name);
  writeFileSync(file, content);
  return runOffcirc(['patrons', 'import', file, '--journal', path.join(dir, 'OffCirc.dat'), ...args]);
}

describe('offcirc patrons import: CSV', () => {
  it('reads quoting, a BOM and CRLF; lists each bad row by line; writes a 0600 list of hashes only', async () => {
    const dir = tempDir('offcirc-patrons-');
    const csv =
      '\ufeffbarcode,status,expiry,blocked\r\n' +
      '21234000000018,active,2030-12-31,\r\n' +
      '"21234000000026",Active,,"fines, ""overdue"""\r\n' +
      '21234000000034,inactive,2030-01-01,\r\n' +
      '21234000000042,active,2031-02-30,\r\n' + // no such date
      '"2123400000 0059",active,,\r\n' + // a space
      '21234000000067,"expired",,\r\n' + // no such status
      '"21234000000075","active","2029-06-01","no"\r\n';
    const result = await importFile(dir, 'patrons.csv', csv);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/imported 4 of 7 row\(s\) \(4 card identifier\(s\)\)/);
    expect(result.stderr.trim().split('\n')).toEqual([
      `${path.join(dir, 'patrons.csv')}: line 5: expiry "2031-02-30" is not a date YYYY-MM-DD`,
      `${path.join(dir, 'patrons.csv')}: line 6: the card number has spaces or characters no barcode has`,
      `${path.join(dir, 'patrons.csv')}: line 7: status "expired" is neither "active" nor "inactive"`,
    ]);
    const file = path.join(dir, 'patrons.list');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const bytes = readFileSync(file);
    for (const card of ['21234000000018', '0000000018', '21234000000026'])
      expect(bytes.includes(card)).toBe(false);
    expect(bytes.includes('fines')).toBe(false);
    const list = load(file);
    expect(list.count).toBe(4);
    expect(list.lookup('21234000000018')).toEqual({ blocked: false, inactive: false, expiry: 20301231 });
    expect(list.lookup('21234000000026')).toEqual({ blocked: true, inactive: false });
    expect(list.lookup('21234000000034')).toEqual({ blocked: false, inactive: true, expiry: 20300101 });
    expect(list.lookup('21234000000075')).toEqual({ blocked: false, inactive: false, expiry: 20290601 });
    expect(list.lookup('21234000000042')).toBeNull();
  });

  it("takes the columns' names from config, in any order, with an embedded line break in a quoted field", async () => {
    const dir = tempDir('offcirc-patrons-');
    const config = writeConfig(dir, {
      journal: { path: path.join(dir, 'OffCirc.dat') },
      patrons: {
        columns: { barcode: 'Primary Identifier', expiry: 'Expiry Date', blocked: 'Block', status: 'Status' },
      },
    });
    const csv = 'Name,Block,Expiry Date,Primary Identifier,Status\n"Smith,\nJohn",,2030-01-01,PAT-1,Active\n';
    const file = path.join(dir, 'report.csv');
    writeFileSync(file, csv);
    const result = await runOffcirc(['patrons', 'import', file, '--config', config]);
    expect(result.code, result.stderr).toBe(0);
    expect(load(path.join(dir, 'patrons.list')).lookup('PAT-1')).toEqual({
      blocked: false,
      inactive: false,
      expiry: 20300101,
    });
    // The name was never kept.
    expect(readFileSync(path.join(dir, 'patrons.list')).includes('Smith')).toBe(false);
  });

  it('refuses a mostly bad file (exit 1) and keeps the old list byte for byte', async () => {
    const dir = tempDir('offcirc-patrons-');
    expect((await importFile(dir, 'good.csv', 'barcode\nA1\nA2\n')).code).toBe(0);
    const before = readFileSync(path.join(dir, 'patrons.list'));
    const result = await importFile(dir, 'bad.csv', 'barcode,expiry\nB1,soon\nB2,later\nB3,2030-01-01\n');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('line 2: expiry "soon" is not a date YYYY-MM-DD');
    expect(result.stderr).toContain('refused: 2 of 3 rows are bad: more than half');
    expect(result.stderr).toContain('the old list is kept');
    expect(readFileSync(path.join(dir, 'patrons.list')).equals(before)).toBe(true);
  });

  it('a file without the card column, an empty file and a missing file: exit 2, nothing written', async () => {
    const dir = tempDir('offcirc-patrons-');
    const wrong = await importFile(dir, 'wrong.csv', 'card,status\n1,active\n');
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('the header row has no column "barcode" (it has "card", "status")');
    expect((await importFile(dir, 'empty.csv', '')).code).toBe(2);
    const missing = await runOffcirc([
      'patrons',
      'import',
      path.join(dir, 'nope.csv'),
      '--journal',
      path.join(dir, 'OffCirc.dat'),
    ]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('ENOENT');
    expect(() => statSync(path.join(dir, 'patrons.list'))).toThrow();
    // The list's folder can't be made (a file stands where it should be): exit 74, the reason said.
    writeFileSync(path.join(dir, 'plain'), '');
    writeFileSync(path.join(dir, 'ok.csv'), 'barcode\n1\n');
    const io = await runOffcirc([
      'patrons',
      'import',
      path.join(dir, 'ok.csv'),
      '--journal',
      path.join(dir, 'plain', 'OffCirc.dat'),
    ]);
    expect(io.code).toBe(74);
    expect(io.stderr).toMatch(
      /cannot write the patron list .*plain\/patrons\.list: .*(EEXIST|ENOTDIR).*; the old list is kept/,
    );
    const format = await importFile(dir, 'x.csv', 'barcode\n1\n', ['--format', 'xml']);
    expect(format.code).toBe(64);
    expect(format.stderr).toContain('--format "xml" is not known, expected one of csv, alma-json');
  });
});

describe('offcirc patrons import: Alma users JSON', () => {
  const users = [
    {
      primary_id: 'jsmith',
      user_identifier: [
        { id_type: { value: 'BARCODE' }, value: '21234000000018', status: 'ACTIVE' },
        { id_type: { value: 'BARCODE' }, value: '21234000000099', status: 'INACTIVE' },
      ],
      status: { value: 'ACTIVE', desc: 'Active' },
      expiry_date: '2030-06-30Z',
      first_name: 'John',
      user_block: [],
    },
    {
      primary_id: 'blocked1',
      user_identifier: [{ id_type: { value: 'BARCODE' }, value: '21234000000026' }],
      status: { value: 'ACTIVE' },
      user_block: [
        { block_type: { value: 'GENERAL' }, block_description: { value: 'Fines' }, block_status: 'ACTIVE' },
      ],
    },
    {
      primary_id: 'oldblock',
      status: { value: 'ACTIVE' },
      user_block: [{ block_status: 'ACTIVE', expiry_date: '2001-01-01Z' }, { block_status: 'INACTIVE' }],
    },
    { primary_id: 'gone', status: { value: 'INACTIVE' }, expiry_date: '2020-01-01Z' },
    { status: { value: 'ACTIVE' } },
    42,
    { primary_id: 'x', expiry_date: 'next year' },
  ];

  it('reads the API list form, every identifier of a user, blocks and status; lists bad users by index', async () => {
    const dir = tempDir('offcirc-patrons-');
    const result = await importFile(
      dir,
      'users.json',
      JSON.stringify({ user: users, total_record_count: 7 }, null, 2),
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/imported 4 of 7 row\(s\) \(6 card identifier\(s\)\) .* as alma-json/);
    expect(result.stderr).toContain('user 4: no primary_id and no identifier');
    expect(result.stderr).toContain('user 5: not a user object');
    expect(result.stderr).toContain('user 6: expiry_date "next year" is not a date YYYY-MM-DD');
    const list = load(path.join(dir, 'patrons.list'));
    expect(list.lookup('jsmith')).toEqual({ blocked: false, inactive: false, expiry: 20300630 });
    expect(list.lookup('21234000000018')).toEqual({ blocked: false, inactive: false, expiry: 20300630 });
    expect(list.lookup('21234000000099')).toBeNull();
    expect(list.lookup('21234000000026')).toMatchObject({ blocked: true });
    expect(list.lookup('oldblock')).toMatchObject({ blocked: false });
    expect(list.lookup('gone')).toEqual({ blocked: false, inactive: true, expiry: 20200101 });
    expect(readFileSync(path.join(dir, 'patrons.list')).includes('John')).toBe(false);
  });

  it('reads a plain array too (--format alma-json on any name), and refuses text with no users in it', async () => {
    const dir = tempDir('offcirc-patrons-');
    const ok = await importFile(dir, 'users.txt', JSON.stringify(users.slice(0, 2)), [
      '--format',
      'alma-json',
    ]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(load(path.join(dir, 'patrons.list')).lookup('blocked1')).toMatchObject({ blocked: true });
    const none = await importFile(dir, 'other.json', '{"users": []}');
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('no users found: expected {"user": [ … ]}');
    const cut = await importFile(dir, 'cut.json', JSON.stringify({ user: users }).slice(0, 200));
    expect(cut.code).toBe(2);
    expect(cut.stderr).toContain('cut short');
  });
});
