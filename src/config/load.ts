/**
 * Finding, reading and validating the config file. Every problem comes back as
 * "path: what is wrong, what is expected", all of them at once, before anything starts.
 */
import type { z } from 'zod';
import { findJsonSyntaxError } from './json-syntax.js';
import { configSchema, show, type Config } from './schema.js';
import { ConfigError, findConfigFile, placeConfig, readConfigFile, type LoadedConfig } from './file.js';

export {
  ConfigError,
  defaultJournalPath,
  findConfigFile,
  MAX_CONFIG_BYTES,
  type LoadedConfig,
} from './file.js';

/** A key that reads plainly after a dot; any other key (spaces, colons, line breaks) is quoted. */
const PLAIN_KEY = /^[A-Za-z_$][\w$-]*$/;

/**
 * A config path as a technician reads it, e.g. `devices[0].baudRate` or `devices[0]["baud rate"]`. Keys
 * come from the file: quoting the odd ones (and shortening long ones) keeps each problem one line.
 */
function formatPath(segments: readonly PropertyKey[]): string {
  let out = '';
  for (const s of segments) {
    if (typeof s === 'number') out += `[${s}]`;
    else if (typeof s === 'string' && PLAIN_KEY.test(s) && s.length <= 40) out += out ? `.${s}` : s;
    else {
      const key = typeof s === 'string' ? s : (s.description ?? '');
      out += `[${JSON.stringify(key.length > 40 ? `${key.slice(0, 37)}...` : key)}]`;
    }
  }
  return out || '(top level)';
}

const closest = (word: string, candidates: string[]): string | undefined => {
  const distance = (a: string, b: string): number => {
    const row = Array.from({ length: b.length + 1 }, (_, i) => i);
    for (let i = 1; i <= a.length; i++) {
      let prev = row[0]!;
      row[0] = i;
      for (let j = 1; j <= b.length; j++) {
        const cur = row[j]!;
        row[j] = Math.min(
          row[j]! + 1,
          row[j - 1]! + 1,
          prev + (a[i - 1]!.toLowerCase() === b[j - 1]!.toLowerCase() ? 0 : 1),
        );
        prev = cur;
      }
    }
    return row[b.length]!;
  };
  const best = candidates.map((c) => ({ c, d: distance(word, c) })).sort((x, y) => x.d - y.d)[0];
  return best && best.d <= Math.max(2, Math.floor(word.length / 3)) ? best.c : undefined;
};

/** A config path with array indices folded, e.g. ".devices[]", to look shapes up by. */
const shapeKey = (segments: readonly PropertyKey[]): string =>
  segments.map((s) => (typeof s === 'number' ? '[]' : `.${String(s)}`)).join('');

/** zod's name of a type in the words of the rest of the messages. */
const article = (type: string): string =>
  ({ object: 'an object ({…})', array: 'a list ([…])', string: 'a text', number: 'a number' })[type] ?? type;

function describeIssue(issue: z.core.$ZodIssue, shapes: Map<string, string[]>, raw: unknown): string[] {
  const where = formatPath(issue.path);
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((key) => {
        const allowed = allowedKeys(issue.path, shapes, raw);
        const guess = closest(key, allowed);
        const at = formatPath([...issue.path, key]);
        return `${at}: unknown key${guess ? ` (did you mean "${guess}"?)` : ''}, expected one of ${allowed
          .map((k) => `"${k}"`)
          .join(', ')}`;
      });
    default:
      // An object given no message of its own gets zod's ("Invalid input: expected object, received array").
      if (issue.code === 'invalid_type' && issue.message.startsWith('Invalid input'))
        return [
          issue.input === undefined
            ? `${where}: missing, expected ${article(issue.expected)}`
            : `${where}: expected ${article(issue.expected)}, got ${show(issue.input)}`,
        ];
      // A key left out reads better as "missing" than as "got nothing".
      if (issue.input === undefined && issue.message.endsWith(', got nothing'))
        return [`${where}: missing, ${issue.message.replace(/, got nothing$/, '')}`];
      return [`${where}: ${issue.message}`];
  }
}

/** The keys the object at this path accepts; for a device, those of its "type". */
function allowedKeys(at: readonly PropertyKey[], shapes: Map<string, string[]>, raw: unknown): string[] {
  let value: unknown = raw;
  for (const s of at) value = (value as Record<PropertyKey, unknown> | undefined)?.[s];
  // Only a string type names a variant: the value is untrusted, and String() of {"toString": 1} throws.
  const type = (value as { type?: unknown } | undefined)?.type;
  const variant = typeof type === 'string' ? shapes.get(`${shapeKey(at)}<${type}>`) : undefined;
  return variant ?? shapes.get(shapeKey(at)) ?? [];
}

/** The allowed keys of every object in the schema, by its folded config path ("devices[]<serial>"). */
function objectShapes(): Map<string, string[]> {
  const shapes = new Map<string, string[]>();
  const walk = (schema: z.core.$ZodType, at: PropertyKey[], variant = ''): void => {
    const def = schema._zod.def as unknown as Record<string, unknown> & { type: string };
    if (def.type === 'object') {
      const shape = def.shape as Record<string, z.core.$ZodType>;
      shapes.set(shapeKey(at) + variant, Object.keys(shape));
      for (const [k, v] of Object.entries(shape)) walk(v, [...at, k]);
    } else if (def.type === 'array') {
      walk(def.element as z.core.$ZodType, [...at, 0]);
    } else if (def.type === 'union') {
      for (const option of def.options as z.core.$ZodType[]) {
        const literal = (option._zod.def as unknown as { shape?: Record<string, z.core.$ZodType> }).shape
          ?.type;
        const values = (literal?._zod.def as unknown as { values?: unknown[] } | undefined)?.values;
        walk(option, at, values ? `<${String(values[0])}>` : '');
      }
    } else if (['default', 'prefault', 'optional', 'pipe'].includes(def.type)) {
      walk((def.innerType ?? def.in) as z.core.$ZodType, at, variant);
    }
  };
  walk(configSchema, []);
  return shapes;
}

/**
 * Problems between devices (a repeated id, two terminals), read from the raw JSON: the schema's own check
 * of the list only runs once every device in it is valid, and these must be listed with every other problem.
 */
function deviceListProblems(raw: unknown): string[] {
  const devices = (raw as { devices?: unknown } | null)?.devices;
  if (!Array.isArray(devices)) return [];
  const problems: string[] = [];
  const seen = new Set<string>();
  let terminals = 0;
  devices.forEach((d: unknown, i) => {
    if (d === null || typeof d !== 'object') return;
    const { id, type } = d as { id?: unknown; type?: unknown };
    if (type === 'terminal') terminals++;
    // A terminal's id defaults to "terminal"; any other id that is not a string is reported by the schema.
    const name =
      typeof id === 'string' ? id : id === undefined && type === 'terminal' ? 'terminal' : undefined;
    if (name === undefined) return;
    if (seen.has(name))
      problems.push(
        `devices[${i}].id: ${JSON.stringify(name)} is used twice, expected a different id for each device`,
      );
    seen.add(name);
  });
  if (terminals > 1) problems.push('devices: more than one terminal device, expected at most one');
  return problems;
}

/** Validates parsed JSON; returns the config or every problem found. */
export function validateConfig(raw: unknown): { config: Config } | { problems: string[] } {
  const result = configSchema.safeParse(raw, { reportInput: true });
  if (result.success) return { config: result.data };
  const shapes = objectShapes();
  const problems = result.error.issues.flatMap((issue) => describeIssue(issue, shapes, raw));
  return { problems: [...new Set([...problems, ...deviceListProblems(raw)])] };
}

/** Reads a config file's text into a config, or throws ConfigError with every problem. */
export function parseConfigText(textContent: string, file: string | undefined): Config {
  let raw: unknown;
  // Notepad and some Windows editors start a UTF-8 file with a byte order mark; it carries no data.
  const json = textContent.startsWith('\uFEFF') ? textContent.slice(1) : textContent;
  try {
    raw = JSON.parse(json);
  } catch (error) {
    const found = findJsonSyntaxError(json);
    throw new ConfigError(file, [
      found
        ? `(file): not valid JSON at line ${found.line}, column ${found.column}: ${found.message}`
        : `(file): not valid JSON (${(error as Error).message}), expected a JSON object`,
    ]);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
    throw new ConfigError(file, [`(top level): expected a JSON object, got ${show(raw)}`]);
  const result = validateConfig(raw);
  if ('problems' in result) throw new ConfigError(file, result.problems);
  return result.config;
}

/**
 * Loads the config the command line asks for. Throws ConfigError (with every problem) on a bad file;
 * a file named explicitly that can't be read is a problem too.
 */
export function loadConfig(options: { config?: string; journal?: string }, env = process.env): LoadedConfig {
  const file = findConfigFile(options.config, env);
  const config = parseConfigText(file === undefined ? '{}' : readConfigFile(file), file);
  return placeConfig(config, file, options.journal);
}
