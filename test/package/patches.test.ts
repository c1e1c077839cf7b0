/**
 * The source patches and run-time stand-ins the single executable is built with, on the real files of
 * the installed packages and on the shapes they must refuse.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { transform } from 'esbuild';
import { withModuleMeta, withoutInkTopLevelAwait, yogaWasmBase64 } from '../../scripts/sea/patches.mjs';
import { __offcircModuleMeta, libDir, pkgPrebuildsBindings } from '../../scripts/sea/runtime.mjs';
import { ROOT } from '../helpers/offcirc.js';

const inkDir = path.join(ROOT, 'node_modules', 'ink');
const reconciler = readFileSync(path.join(inkDir, 'build', 'reconciler.js'), 'utf8');
const yogaLoad = createRequire(path.join(inkDir, 'package.json')).resolve('yoga-layout/load');
const glue = readFileSync(
  path.resolve(path.dirname(yogaLoad), '..', 'binaries', 'yoga-wasm-base64-esm.js'),
  'utf8',
);

// The project's lib (ES2023, no DOM) types WebAssembly as a namespace only; node has the value.
const wasm = (globalThis as unknown as { WebAssembly: { validate(bytes: Uint8Array): boolean } }).WebAssembly;

const toCommonJs = (source: string) =>
  transform(source, { format: 'cjs', platform: 'node', target: 'node20' });

describe("Ink's reconciler without top-level await", () => {
  it('the installed reconciler cannot be CommonJS as it is, and can once patched', async () => {
    await expect(toCommonJs(reconciler)).rejects.toThrow(/Top-level await/);
    const patched = withoutInkTopLevelAwait(reconciler);
    await expect(toCommonJs(patched)).resolves.toBeDefined();
    expect(patched).not.toContain("import('./devtools.js')");
    // Everything else is left as Ink wrote it.
    expect(patched).toContain('export default createReconciler({');
    expect(patched.length).toBeGreaterThan(reconciler.length * 0.9);
  });

  it('refuses a reconciler that no longer looks as expected, instead of shipping it', () => {
    expect(() => withoutInkTopLevelAwait('export default 1;\n')).toThrow(/reconciler/);
    const devtoolsOnly = reconciler.replace(
      /isDev\(\)\s*\?\s*await loadPackageJson\(\)/,
      'await somethingNew()',
    );
    expect(() => withoutInkTopLevelAwait(devtoolsOnly)).toThrow(/reconciler/);
    expect(() => withoutInkTopLevelAwait('')).toThrow();
  });
});

describe('import.meta of first-party modules', () => {
  it('every use gets the module path, and only import.meta is touched', () => {
    const source = [
      "const a = new URL('../package.json', import.meta.url);",
      'const b = import.meta.dirname; // import.meta in a comment too',
      "const importMetaUrl = 'import_meta';",
    ].join('\n');
    const patched = withModuleMeta(source, 'dist/commands/export.js');
    expect(patched).not.toMatch(/\bimport\.meta\b/);
    expect(patched.match(/__offcircModuleMeta\("dist\/commands\/export\.js"\)/g)).toHaveLength(3);
    expect(patched).toContain("const importMetaUrl = 'import_meta';");
  });

  it('a module path that could leave the package or break the code is refused', () => {
    for (const bad of [
      '../package.json',
      '/etc/passwd',
      'dist/../../x.js',
      'dist/a".js',
      'dist/a\n.js',
      '',
      'dist/$(x).js',
    ]) {
      expect(() => withModuleMeta('import.meta.url', bad), JSON.stringify(bad)).toThrow(
        /not a path inside the package/,
      );
    }
  });

  it('at run time, ../package.json from dist/cli.js and ../../package.json from dist/commands/ both reach offcirc-lib/package.json', () => {
    const expected = path.join(libDir(), 'package.json');
    const cli = __offcircModuleMeta('dist/cli.js');
    const nested = __offcircModuleMeta('dist/commands/export.js');
    expect(new URL('../package.json', cli.url).pathname).toBe(expected);
    expect(new URL('../../package.json', nested.url).pathname).toBe(expected);
    expect(nested.dirname).toBe(path.join(libDir(), 'dist', 'commands'));
    expect(nested.filename).toBe(path.join(libDir(), 'dist', 'commands', 'export.js'));
    expect(cli.resolve('./run.js')).toBe(new URL('./run.js', cli.url).href);
    // offcirc-lib/ lies beside whatever executable runs this; under vitest that is node.
    expect(libDir()).toBe(path.join(path.dirname(process.execPath), 'offcirc-lib'));
  });
});

describe("yoga-layout's WebAssembly", () => {
  it('is found in the installed glue and is a valid module', () => {
    const bytes = Buffer.from(yogaWasmBase64(glue), 'base64');
    expect(wasm.validate(bytes)).toBe(true);
  });

  it('a glue with no module, two modules, or data that is not WebAssembly is refused', () => {
    expect(() => yogaWasmBase64('var H = "x";')).toThrow(/found 0/);
    const uri = `data:application/octet-stream;base64,${Buffer.from('\0asm\x01\0\0\0').toString('base64')}`;
    expect(() => yogaWasmBase64(`a="${uri}";b="${uri}"`)).toThrow(/found 2/);
    const png = `data:application/octet-stream;base64,${Buffer.from('\x89PNG\r\n\x1a\n').toString('base64')}`;
    expect(() => yogaWasmBase64(`a="${png}"`)).toThrow(/not a WebAssembly module/);
  });
});

describe('native addon stand-ins', () => {
  it("node-hid asking for a build the executable doesn't ship gets a clear refusal", () => {
    expect(() => pkgPrebuildsBindings('/x', { name: 'HID_something' })).toThrow(
      /HID_something: not one the offcirc executable ships/,
    );
    expect(() => pkgPrebuildsBindings('/x', undefined)).toThrow(/Failed to find binding undefined/);
    // An inherited property name is not a build either.
    expect(() => pkgPrebuildsBindings('/x', { name: 'toString' })).toThrow(
      /not one the offcirc executable ships/,
    );
  });
});
