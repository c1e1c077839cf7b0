import { describe, expect, it } from 'vitest';
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
    expect(config.keys).toEqual({ loan: 'F1', return: 'F2', endSession: 'F3', quit: 'F10', receipt: 'F5' });
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

  it('a config file named but missing is a problem, not the defaults', () => {
    expect(() => loadConfig({ config: '/nonexistent/offcirc.json' })).toThrow(/can't be read \(ENOENT\)/);
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
