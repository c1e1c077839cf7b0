import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  ConfigError,
  defaultJournalPath,
  findConfigFile,
  loadConfig,
  parseConfigText,
  validateConfig,
} from '../../src/config/load.js';
import { jsonSchema } from '../../src/config/schema.js';
import { EXIT } from '../../src/exit.js';
import { BIN } from '../helpers/offcirc.js';

const problemsOf = (raw: unknown): string[] => {
  const result = validateConfig(raw);
  if ('config' in result) throw new Error('expected problems, got a valid config');
  return result.problems;
};

describe('config defaults', () => {
  it('every key is optional: {} gives the built-in config', () => {
    const config = parseConfigText('{}', undefined);
    expect(config.startMode).toBe('loan');
    expect(config.journal.lineEnding).toBe('crlf');
    expect(config.session).toEqual({ idleTimeoutSeconds: 60, doubleReadMs: 1500 });
    expect(config.barcodes.patron).toEqual([{ pattern: '^2\\d{13}$', checkDigit: 'mod10' }]);
    expect(config.barcodes.item).toEqual([{ pattern: '^3\\d{13}$', checkDigit: 'mod10' }]);
    expect(config.commands).toEqual({
      loan: 'MODE-LOAN',
      return: 'MODE-RETURN',
      endSession: 'END-SESSION',
      receipt: 'RECEIPT',
    });
    expect(config.devices).toEqual([{ type: 'terminal', id: 'terminal' }]);
    expect(config.keys).toEqual({
      loan: 'F1',
      return: 'F2',
      endSession: 'F3',
      quit: 'F10',
      admit: 'F4',
      receipt: 'F5',
    });
  });

  it('accepts the example of the issue exactly', () => {
    const example = readFileSync(path.join(import.meta.dirname, '../../config/offcirc.example.json'), 'utf8');
    const config = parseConfigText(example, 'offcirc.example.json');
    expect(config.devices[0]).toMatchObject({
      id: 'front',
      type: 'serial',
      path: '/dev/ttyACM0',
      baudRate: 9600,
    });
    expect(config.barcodes.item[1]).toEqual({ pattern: '^\\d{8}$', checkDigit: 'none' });
  });

  it('defaults the journal to Alma’s own place', () => {
    expect(defaultJournalPath('win32')).toBe('C:\\Alma Offline Circulation\\OffCirc\\files\\OffCirc.dat');
    expect(defaultJournalPath('linux', '/home/desk')).toBe(
      '/home/desk/Alma Offline Circulation/OffCirc/files/OffCirc.dat',
    );
  });
});

describe('bad config: every problem as "path: what is wrong, what is expected"', () => {
  it('wrong type names the path, what it got and what it expects', () => {
    expect(
      problemsOf({ devices: [{ id: 'front', type: 'serial', path: '/dev/x', baudRate: 'fast' }] }),
    ).toEqual(['devices[0].baudRate: expected a positive integer, got "fast"']);
  });

  it('a typo is an unknown key, with a suggestion and the keys allowed there', () => {
    const [problem] = problemsOf({ devices: [{ id: 'f', type: 'serial', path: '/x', baudrate: 9600 }] });
    expect(problem).toMatch(
      /^devices\[0\]\.baudrate: unknown key \(did you mean "baudRate"\?\), expected one of .*"path"/,
    );
    expect(problemsOf({ statoin: 'x' })[0]).toMatch(/^statoin: unknown key \(did you mean "station"\?\)/);
  });

  it('a wrong value lists the values allowed', () => {
    expect(problemsOf({ startMode: 'lend' })).toEqual([
      'startMode: expected one of "loan", "return", got "lend"',
    ]);
    expect(problemsOf({ barcodes: { item: [{ pattern: 'x', checkDigit: 'luhn' }] } })).toEqual([
      'barcodes.item[0].checkDigit: expected one of "mod10", "none", got "luhn"',
    ]);
  });

  it('an invalid regular expression is refused with the reason', () => {
    expect(problemsOf({ barcodes: { patron: [{ pattern: '^2([0-9' }] } })[0]).toMatch(
      /^barcodes\.patron\[0\]\.pattern: invalid regular expression .*expected a valid JavaScript regular expression$/,
    );
  });

  it('a device without the keys its type needs', () => {
    expect(problemsOf({ devices: [{ id: 'front', type: 'serial' }] })).toEqual([
      'devices[0].path: missing, expected a device path such as "/dev/ttyACM0" or "match" with the USB IDs',
    ]);
    expect(problemsOf({ devices: [{ id: 'h', type: 'hid' }] })).toEqual([
      'devices[0].vendorId: missing, expected a USB ID such as "0x0c2e" or 3118',
      'devices[0].productId: missing, expected a USB ID such as "0x0c2e" or 3118',
    ]);
    expect(problemsOf({ devices: [{ id: 'x', type: 'usb' }] })[0]).toMatch(
      /^devices\[0\]\.type: expected a device with "type" one of/,
    );
  });

  it('lists every problem at once, not just the first', () => {
    const problems = problemsOf({
      station: 'front desk',
      session: { idleTimeoutSeconds: 0, doubleReadMs: -1 },
      journal: { lineEnding: 'cr' },
      devices: [
        { id: 'a', type: 'serial', path: '/dev/a' },
        { id: 'a', type: 'serial', path: '/dev/b' },
      ],
      commands: { loan: 'GO', return: 'GO' },
    });
    expect(problems).toHaveLength(6);
    for (const p of problems) expect(p).toMatch(/^[\w.[\]]+: .+/);
    expect(problems).toContain('devices[1].id: "a" is used twice, expected a different id for each device');
  });

  it('a file that is not JSON, or not an object', () => {
    expect(() => parseConfigText('{ "station": ', 'x.json')).toThrow(ConfigError);
    try {
      parseConfigText('[1]', 'x.json');
    } catch (error) {
      expect((error as ConfigError).problems).toEqual(['(top level): expected a JSON object, got [1]']);
    }
  });
});

const problemsOfLoad = (options: { config?: string }): string[] => {
  try {
    loadConfig(options);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
};

const problemsOfText = (text: string): string[] => {
  try {
    parseConfigText(text, 'x.json');
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
};

describe('a file that is not JSON: the line, the column and what JSON does not allow, in one line', () => {
  it.each([
    [
      '{\n  // the front desk\n  "station": "front"\n}',
      "(file): not valid JSON at line 2, column 3: a comment, which JSON doesn't allow, expected the text without comments",
    ],
    [
      '{ "station": "front" /* desk */ }',
      "(file): not valid JSON at line 1, column 22: a comment, which JSON doesn't allow, expected the text without comments",
    ],
    [
      '{\n  "station": "front",\n}',
      '(file): not valid JSON at line 2, column 21: a comma before "}", which JSON doesn\'t allow, expected no comma after the last entry',
    ],
    [
      '{ "devices": [{ "type": "terminal" },\n ] }',
      '(file): not valid JSON at line 1, column 37: a comma before "]", which JSON doesn\'t allow, expected no comma after the last entry',
    ],
    [
      "{ 'station': 'front' }",
      '(file): not valid JSON at line 1, column 3: a key in single quotes, expected double quotes ("key")',
    ],
    [
      '{ station: "front" }',
      '(file): not valid JSON at line 1, column 3: the key station without quotes, expected "station" in double quotes',
    ],
    [
      '{ "station": ',
      '(file): not valid JSON at line 1, column 14: the file ends inside an object, expected a closing "}"',
    ],
    [
      '{ "barcodes": { "patron": [{ "pattern": "^2\\d{13}$" }] } }',
      "(file): not valid JSON at line 1, column 44: the escape \\d which JSON doesn't know, expected \\\\ for a backslash (a pattern's \\d is written \\\\d)",
    ],
    [
      '',
      '(file): not valid JSON at line 1, column 1: the file is empty, expected a value (a "string", a number, true, false, null, {…} or […])',
    ],
  ])('%j', (text, problem) => {
    expect(problemsOfText(text)).toEqual([problem]);
  });

  it('reads a file that starts with a byte order mark, as Notepad writes it', () => {
    expect(parseConfigText('\uFEFF{ "station": "front" }', 'x.json').station).toBe('front');
  });
});

describe('config values are untrusted data', () => {
  it('{"type": {"toString": 1}} where a string is expected is a problem line, not a crash', () => {
    // The case: an unknown key next to it made the key suggestion call String() on the object.
    const text = JSON.stringify({ barcodes: { patron: [{ type: { toString: 1 } }] } });
    expect(problemsOfText(text)).toEqual([
      'barcodes.patron[0].pattern: missing, expected a regular expression such as "^2\\\\d{13}$"',
      'barcodes.patron[0].type: unknown key, expected one of "pattern", "checkDigit"',
    ]);
    const device = JSON.stringify({ devices: [{ id: 'a', type: { toString: 1 }, x: 1 }] });
    expect(problemsOfText(device)).toEqual([
      'devices[0].type: expected a device with "type" one of "serial", "hid", "terminal", "replay", got {"toString":1}',
    ]);
  });

  it('`config check` and `run`, the built commands, exit 78 with problem lines for it, never 70 and a stack', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'offcirc-config-'));
    const file = path.join(dir, 'offcirc.json');
    writeFileSync(
      file,
      JSON.stringify({
        barcodes: { item: [{ type: { toString: 1 } }] },
        devices: [{ id: 'front', type: { toString: 1 }, baudrate: 1 }],
      }),
    );
    for (const args of [
      ['config', 'check', file],
      ['run', '--headless', '--config', file, '--journal', path.join(dir, 'OffCirc.dat')],
    ]) {
      const run = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 30_000 });
      expect(run.status, run.stderr).toBe(EXIT.config);
      expect(run.stderr).toContain(
        'barcodes.item[0].type: unknown key, expected one of "pattern", "checkDigit"',
      );
      expect(run.stderr).not.toMatch(/TypeError|\n\s+at /);
    }
  });

  it('a value nested deeper than JSON.stringify can go is shown in words, not a stack overflow', () => {
    const deep = '['.repeat(200_000) + ']'.repeat(200_000);
    expect(problemsOfText(`{ "station": ${deep} }`)).toEqual([
      'station: expected a station name such as "front-desk-1", got a list nested too deep to show',
    ]);
  });

  it('a repeated device id is listed with every other problem, even of other devices', () => {
    const problems = problemsOf({
      devices: [
        { id: 'a', type: 'serial', path: '/dev/a' },
        { id: 'a', type: 'serial', path: '/dev/b' },
        { id: 'b', type: 'serial', path: '/dev/c', baudRate: 'fast' },
        { type: 'terminal' },
        { type: 'terminal', id: 'terminal', extra: 1 },
      ],
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        'devices[2].baudRate: expected a positive integer, got "fast"',
        'devices[1].id: "a" is used twice, expected a different id for each device',
        'devices[4].id: "terminal" is used twice, expected a different id for each device',
        'devices: more than one terminal device, expected at most one',
      ]),
    );
    expect(new Set(problems).size).toBe(problems.length);
  });
});

describe('finding the config file', () => {
  it('--config, else $OFFCIRC_CONFIG, else config/offcirc.json where it exists, else none', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'offcirc-config-'));
    expect(findConfigFile(undefined, {}, dir)).toBeUndefined();
    mkdirSync(path.join(dir, 'config'));
    writeFileSync(path.join(dir, 'config', 'offcirc.json'), '{}');
    expect(findConfigFile(undefined, {}, dir)).toBe(path.join(dir, 'config', 'offcirc.json'));
    expect(findConfigFile(undefined, { OFFCIRC_CONFIG: 'env.json' }, dir)).toBe(path.join(dir, 'env.json'));
    expect(findConfigFile('cli.json', { OFFCIRC_CONFIG: 'env.json' }, dir)).toBe(path.join(dir, 'cli.json'));
  });

  it('resolves the journal path against the config file, and --journal overrides it', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'offcirc-config-'));
    const file = path.join(dir, 'kiosk.json');
    writeFileSync(file, JSON.stringify({ journal: { path: 'data/OffCirc.dat' } }));
    expect(loadConfig({ config: file }).journalPath).toBe(path.join(dir, 'data', 'OffCirc.dat'));
    expect(loadConfig({ config: file, journal: '/elsewhere/J.dat' }).journalPath).toBe('/elsewhere/J.dat');
  });

  it('a config file named but missing is a problem, not the defaults, said in words', () => {
    const problems = problemsOfLoad({ config: '/nonexistent/offcirc.json' });
    expect(problems).toEqual(['(file): no such file, expected the path of an existing JSON file']);
    expect(problems.join('')).not.toMatch(/ENOENT/);
  });

  it('a folder or a device instead of a file is said in words, and a device is not read', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'offcirc-config-'));
    expect(problemsOfLoad({ config: dir })).toEqual([
      '(file): a folder, not a file, expected the path of a JSON file',
    ]);
    // /dev/zero never ends: reading it would hang `config check` and fill the memory.
    expect(problemsOfLoad({ config: '/dev/zero' })).toEqual([
      '(file): not a regular file (a device or a pipe), expected a JSON file',
    ]);
  });
});

describe('the generated JSON Schema', () => {
  it('config/offcirc.schema.json is up to date with the schema (npm run schema)', () => {
    const committed = JSON.parse(
      readFileSync(path.join(import.meta.dirname, '../../config/offcirc.schema.json'), 'utf8'),
    ) as unknown;
    expect(committed).toEqual(jsonSchema());
  });
});
