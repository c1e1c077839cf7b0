/**
 * Config loading under any input: random JSON values in every position of a full config, the values
 * that broke it (objects with toString/valueOf, deep nesting), and text that is almost JSON. It never
 * throws anything but a ConfigError, and every problem is one "path: what is wrong" line.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findJsonSyntaxError } from '../../src/config/json-syntax.js';
import { ConfigError, parseConfigText } from '../../src/config/load.js';
import { EXIT } from '../../src/exit.js';
import { BIN, tempDir } from '../helpers/offcirc.js';
import { fuzzRuns } from './runs.js';

/** A config with every key set, every device type and every list non-empty: the positions to fuzz. */
const FULL = {
  $schema: './offcirc.schema.json',
  station: 'front-desk-1',
  startMode: 'loan',
  journal: { path: '/var/lib/offcirc/OffCirc.dat', lineEnding: 'crlf', retrySeconds: 5 },
  session: { idleTimeoutSeconds: 60, doubleReadMs: 1500 },
  barcodes: {
    normalize: { trim: true, aimIdentifier: true, codabarStartStop: true, clsiSpaces: true },
    patron: [{ pattern: '^2\\d{13}$', checkDigit: 'mod10' }],
    item: [{ pattern: '^3\\d{13}$', checkDigit: 'mod10' }, { pattern: '^\\d{8}$' }],
    refuse: [{ pattern: '^97[89]\\d{10}$', reason: 'ISBN' }],
  },
  commands: { loan: 'MODE-LOAN', return: 'MODE-RETURN', endSession: 'END-SESSION' },
  devices: [
    {
      id: 'front',
      type: 'serial',
      path: '/dev/ttyACM0',
      baudRate: 9600,
      silenceMs: 2000,
      reconnectMs: 2000,
      feedback: { good: '1b07', bad: '1b08' },
    },
    { id: 'back', type: 'serial', match: { vendorId: '0x0c2e', productId: 3118, serialNumber: 'X1' } },
    {
      id: 'hid',
      type: 'hid',
      vendorId: '0x0c2e',
      productId: '0x0b6a',
      protocol: 'auto',
      exclusive: false,
      endKey: 'either',
    },
    { id: 'terminal', type: 'terminal' },
    { id: 'replay', type: 'replay', file: 'scans.jsonl', as: 'serial', silenceMs: 2000 },
  ],
  keys: { loan: 'F1', return: 'F2', endSession: 'F3', quit: 'F10' },
  staff: { pinFor: ['quit', 'mode'] },
  screen: { bell: true, decisionSeconds: 6 },
  logging: { dir: 'logs', level: 'info', keepDays: 30 },
};

type Path = (string | number)[];

/** Stands for a list nested 20,000 deep, spliced into the text: structuredClone and JSON.stringify overflow on it. */
const DEEP = '\u0000deep';
const DEEP_JSON = '['.repeat(20_000) + ']'.repeat(20_000);
const configText = (config: unknown): string =>
  (JSON.stringify(config) ?? 'null').replaceAll(JSON.stringify(DEEP), DEEP_JSON);

/** Every position in `value`: each key and each list element, at any depth (the root too). */
function positions(value: unknown, at: Path = []): Path[] {
  const out: Path[] = [at];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...positions(v, [...at, i])));
  else if (value !== null && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) out.push(...positions(v, [...at, k]));
  return out;
}
const POSITIONS = positions(FULL);

/** `base` with the value at `at` replaced (or a key added beside it when `asNewKey` names one). */
function setAt(base: unknown, at: Path, value: unknown, asNewKey?: string): unknown {
  const copy = structuredClone(base) as Record<string | number, unknown>;
  if (at.length > 0 && (copy === null || typeof copy !== 'object')) return copy;
  if (at.length === 0) return asNewKey === undefined ? value : { ...copy, [asNewKey]: value };
  let parent = copy;
  for (const key of at.slice(0, -1)) {
    const next = parent[key];
    // An earlier mutation replaced a container on the way: this position no longer exists.
    if (next === null || typeof next !== 'object') return copy;
    parent = next as Record<string | number, unknown>;
  }
  const last = at.at(-1)!;
  if (asNewKey !== undefined && typeof parent[last] === 'object' && parent[last] !== null) {
    (parent[last] as Record<string, unknown>)[asNewKey] = value;
  } else {
    parent[last] = value;
  }
  return copy;
}

/** What broke the loader, and what might: objects that look like they convert, deep nesting, odd keys. */
const hostile = fc.constantFrom<unknown>(
  { toString: 1 },
  { valueOf: 1, toString: 1 },
  { toJSON: 1 },
  { type: { toString: 1 } },
  { id: { toString: 1 }, type: 'terminal' },
  JSON.parse('{"__proto__": {"toString": 1}}'),
  { constructor: 1 },
  DEEP,
  '^(\\d{1,2})+$',
  '^(\\d+){1,100}$',
  '(',
  '',
  'x'.repeat(10_000),
  -0,
  1e308,
  0.5,
  null,
);
const anyValue = fc.oneof(
  { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 2, arbitrary: hostile },
);
const mutation = fc.record({
  at: fc.constantFrom(...POSITIONS),
  value: anyValue,
  newKey: fc.option(fc.constantFrom('type', 'id', 'toString', '__proto__', 'x', 'pattern', 'baudrate'), {
    nil: undefined,
  }),
});

/** The problems of a config text, or [] when it is valid; fails the property on any other throw. */
function problemsOf(text: string): string[] {
  try {
    parseConfigText(text, 'fuzz.json');
    return [];
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.problems;
  }
}

/** One "path: what is wrong" line: a config path (or "(file)", "(top level)"), a colon, words. */
const PATH = String.raw`(?:\(file\)|\(top level\)|(?:[\w$-]+|\.|\[\d+\]|\["(?:[^"\\\n]|\\.)*"\])+)`;
const PROBLEM_LINE = new RegExp(String.raw`^${PATH}: \S[^\n]*$`);

describe('fuzz: config loading', () => {
  it('never throws anything but a ConfigError, whose problems are each one "path: …" line', () => {
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 3 }), (mutations) => {
        let config: unknown = FULL;
        for (const m of mutations) config = setAt(config, m.at, m.value, m.newKey);
        const problems = problemsOf(configText(config));
        for (const p of problems) {
          expect(p).toMatch(PROBLEM_LINE);
          // Every message is ours ("what is wrong, expected what"), never a library's default.
          expect(p).toMatch(/expected/);
          expect(p).not.toMatch(/Invalid input/);
        }
      }),
      { numRuns: fuzzRuns() },
    );
  });

  it('any text: a ConfigError or a config, never another error; not-JSON says line and column', () => {
    const nearlyJson = fc
      .tuple(
        fc.jsonValue({ maxDepth: 3 }),
        fc.nat(),
        fc.constantFrom('//', '/*', ',', "'", '}', ']', '\\', '\n', ''),
      )
      .map(([value, at, insert]) => {
        const text = JSON.stringify(value, null, 1) ?? '';
        const i = at % (text.length + 1);
        return text.slice(0, i) + insert + text.slice(i);
      });
    fc.assert(
      fc.property(fc.oneof(nearlyJson, fc.string(), fc.string({ unit: 'binary' })), (text) => {
        let parsed = true;
        try {
          JSON.parse(text.startsWith('\uFEFF') ? text.slice(1) : text);
        } catch {
          parsed = false;
        }
        const problems = problemsOf(text);
        for (const p of problems) expect(p).toMatch(PROBLEM_LINE);
        if (!parsed)
          expect(problems).toEqual([
            expect.stringMatching(/^\(file\): not valid JSON at line \d+, column \d+: /),
          ]);
      }),
      { numRuns: fuzzRuns() },
    );
  });

  it('findJsonSyntaxError finds an error exactly when JSON.parse does, at a place inside the text', () => {
    const texts = fc.oneof(
      fc.jsonValue().map((v) => JSON.stringify(v, null, 2) ?? ''),
      fc.string({
        unit: fc.constantFrom(
          '{',
          '}',
          '[',
          ']',
          ',',
          ':',
          '"',
          '\\',
          ' ',
          '\n',
          '1',
          '-',
          'e',
          '.',
          't',
          'u',
          '/',
          '*',
        ),
      }),
      fc.string(),
    );
    fc.assert(
      fc.property(texts, (text) => {
        let valid = true;
        try {
          JSON.parse(text);
        } catch {
          valid = false;
        }
        const found = findJsonSyntaxError(text);
        expect(found === undefined).toBe(valid);
        if (found) {
          const lines = text.split('\n');
          expect(found.line).toBeGreaterThanOrEqual(1);
          expect(found.line).toBeLessThanOrEqual(lines.length);
          expect(found.column).toBeGreaterThanOrEqual(1);
          expect(found.column).toBeLessThanOrEqual(lines[found.line - 1]!.length + 1);
          expect(found.message).not.toContain('\n');
        }
      }),
      { numRuns: fuzzRuns(1000) },
    );
  });

  it('the built `offcirc config check`: exit 0 or 78, every line on stderr a problem, no stack trace', () => {
    const dir = tempDir('offcirc-fuzz-config-');
    const file = path.join(dir, 'offcirc.json');
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 3 }), (mutations) => {
        let config: unknown = FULL;
        for (const m of mutations) config = setAt(config, m.at, m.value, m.newKey);
        writeFileSync(file, configText(config));
        const run = spawnSync(process.execPath, [BIN, 'config', 'check', file], { encoding: 'utf8' });
        expect([EXIT.ok, EXIT.config]).toContain(run.status);
        if (run.status === EXIT.config) {
          const [head, ...lines] = run.stderr.trimEnd().split('\n');
          expect(head).toMatch(/^offcirc: the config .+ has \d+ problem\(s\):$/);
          for (const line of lines) expect(line.slice(2)).toMatch(PROBLEM_LINE);
        } else {
          expect(run.stderr).toBe('');
        }
      }),
      // Each run starts a process (about 0.3 s): a few in the suite, FUZZ_RUNS/50 under npm run fuzz.
      { numRuns: Math.max(6, Math.floor(fuzzRuns(300) / 50)) },
    );
  });
});
