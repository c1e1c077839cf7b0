#!/usr/bin/env node
/**
 * The second half of `npm run build`: bundles the tsc output (dist/cli.js and everything it imports) into
 * dist/bundle/, which bin/offcirc.js runs. Why: Node's ESM loader costs about a millisecond or more per
 * module (resolve, stat, read, compile, link), and `run` loaded some 170 of them (60 of ours, 95 of zod's);
 * the bundle is a few dozen files. The same code: esbuild only joins the compiled modules.
 *
 * - Code splitting keeps each `await import()` lazy: a command, a scanner driver, the screen, the
 *   forwarder each live in their own chunk, loaded only when used, as from dist/.
 * - Bundled packages: the pure-JS ones on the start path (zod, commander, lowdb, steno). Every other
 *   package stays an import of node_modules (native addons, Ink and React, pg, ...), but for serialport
 *   and node-hid, which are required (REQUIRED below says why).
 * - dist/version.js stays outside, imported from dist/: it reads ../package.json relative to itself.
 * - zod's translations of its messages into ~50 languages (half of its 750 KB) are left out, all but
 *   English, the one zod itself uses and the only one offcirc's messages come in (nothing selects another
 *   with z.config): about 35 ms less to compile at every start. zod's messages are unchanged.
 * - OFFCIRC_BUILD names this build (a SHA-256 of every .js file tsc wrote and of the bundled packages'
 *   versions): src/config/checked.ts keeps a checked config for this build only.
 * Cost: about a second on an idle machine.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { build } from 'esbuild';

const ROOT = path.resolve(import.meta.dirname, '..');
const DIST = path.join(ROOT, 'dist');
const OUT = path.join(DIST, 'bundle');

/** zod's index of its locales (`z.locales`), and the one offcirc keeps. */
const ZOD_LOCALES = /[\\/]zod[\\/]v4[\\/]locales[\\/]index\.js$/;
const ZOD_ENGLISH = 'export { default as en } from "./en.js";\n';

/** Packages joined into the bundle; any other bare import stays external. */
const BUNDLED = new Set(['zod', 'commander', 'lowdb', 'steno']);

/**
 * External CommonJS packages loaded with require() rather than import. Node's ESM loader runs each
 * module of a CommonJS package it imports through its export scanner (cjs-module-lexer) and its own
 * resolver: about 40 ms of serialport's 80 at `run`'s start on this machine (node -e, medians of 15),
 * where require() loads the same files as they are. The same code and the same exports (esbuild's
 * usual CommonJS interop); only the loader differs.
 */
const REQUIRED = new Set(['serialport', 'node-hid']);

const packageName = (specifier) =>
  specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0];

/** This build's identity: what tsc wrote (dist/ but the bundle) and the versions of what is bundled. */
function buildId() {
  const hash = createHash('sha256');
  const files = readdirSync(DIST, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.js') && !f.startsWith(`bundle${path.sep}`))
    .sort();
  for (const file of files) hash.update(`${file}\0`).update(readFileSync(path.join(DIST, file)));
  const require = createRequire(import.meta.url);
  for (const name of [...BUNDLED].sort()) {
    let version = 'none';
    try {
      version = require(`${name}/package.json`).version;
    } catch {
      // a package that hides its package.json: its code is in the bundle, named by the files above
    }
    hash.update(`${name}@${version}\0`);
  }
  return hash.digest('hex');
}

rmSync(OUT, { recursive: true, force: true });
await build({
  entryPoints: { cli: path.join(DIST, 'cli.js') },
  outdir: OUT,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // commander is CommonJS: its require() of Node's modules needs a require in an ES module.
  banner: {
    js: "import { createRequire as __offcircCreateRequire } from 'node:module'; const require = __offcircCreateRequire(import.meta.url);",
  },
  chunkNames: 'chunk-[hash]',
  define: { OFFCIRC_BUILD: JSON.stringify(buildId()) },
  legalComments: 'none',
  logLevel: 'warning',
  plugins: [
    {
      name: 'offcirc-externals',
      setup(b) {
        b.onResolve({ filter: /(^|\/)version\.js$/ }, (args) =>
          path.resolve(args.resolveDir, args.path) === path.join(DIST, 'version.js')
            ? { path: '../version.js', external: true }
            : undefined,
        );
        b.onLoad({ filter: ZOD_LOCALES }, (args) => {
          // Loudly, if zod's layout changes: a missing English would change every zod message.
          if (!readFileSync(args.path, 'utf8').includes(ZOD_ENGLISH))
            throw new Error(
              `${args.path} no longer exports "en" from ./en.js: look at scripts/bundle.mjs again`,
            );
          return { contents: ZOD_ENGLISH, loader: 'js' };
        });
        // A REQUIRED package: a module of one line, `module.exports = require(name)`, whose require is
        // left to the `require` the banner defines.
        b.onResolve({ filter: /^[^./]/ }, (args) => {
          if (args.namespace === 'offcirc-required') return { path: args.path, external: true };
          return REQUIRED.has(args.path) ? { path: args.path, namespace: 'offcirc-required' } : undefined;
        });
        b.onLoad({ filter: /.*/, namespace: 'offcirc-required' }, (args) => ({
          contents: `module.exports = require(${JSON.stringify(args.path)});`,
          loader: 'js',
        }));
        b.onResolve({ filter: /^[^./]/ }, (args) =>
          args.path.startsWith('node:') || !BUNDLED.has(packageName(args.path))
            ? { path: args.path, external: true }
            : undefined,
        );
      },
    },
  ],
});
