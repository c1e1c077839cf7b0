/**
 * The bundle bin/offcirc.js runs (dist/bundle/, built by `npm test` first) loads the scanner drivers'
 * CommonJS packages with require(), not import: through Node's ESM loader serialport alone cost `run`
 * about 40 ms more at every start (scripts/bundle.mjs says why). Their code still works through the
 * bundle: the serial tests in test/integration run bin/offcirc.js against socat ptys.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers/offcirc.js';

const BUNDLE = path.join(ROOT, 'dist', 'bundle');
const code = readdirSync(BUNDLE)
  .filter((name) => name.endsWith('.js'))
  .map((name) => ({ name, text: readFileSync(path.join(BUNDLE, name), 'utf8') }));

describe('dist/bundle', () => {
  it.each(['serialport', 'node-hid'])('requires %s rather than importing it', (name) => {
    const quoted = JSON.stringify(name);
    const imports = code.filter(
      ({ text }) => text.includes(`from ${quoted}`) || text.includes(`import(${quoted})`),
    );
    expect(imports.map((c) => c.name)).toEqual([]);
    expect(code.some(({ text }) => text.includes(`__require(${quoted})`))).toBe(true);
  });
});
