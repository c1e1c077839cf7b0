#!/usr/bin/env node
/**
 * `npm run package`: builds dist/offcirc, a single-file Linux x64 executable made with Node's single
 * executable application (SEA) support, and dist/offcirc-lib/ beside it (the native addons,
 * package.json, which the code reads, and the example config scripts/install-kiosk.sh installs). Fully offline: esbuild bundles the tsc output (dist/) into one CommonJS
 * file, this node turns it into a SEA blob, and postject injects the blob into a copy of this node.
 * Cost: ~100 MB copied and rewritten (seconds idle, under a minute on a busy machine). Options:
 * `--no-strip` keeps node's debug symbols (strip runs where binutils is installed); `--measure` also
 * times `offcirc --version`; `--out DIR` writes DIR/offcirc and DIR/offcirc-lib/ instead (DIR is made;
 * its work files are removed after), so the tests build into a temporary folder and leave dist/ alone.
 *
 * Why the addons sit beside the executable rather than inside it as SEA assets: assets must be written
 * out before dlopen can load them, and kiosks hardened with a noexec /tmp refuse to load code from there;
 * a read-only /opt/offcirc/offcirc-lib needs no writable place at all.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { build } from 'esbuild';
import { withModuleMeta, withoutInkTopLevelAwait, yogaWasmBase64 } from './sea/patches.mjs';

const ROOT = path.resolve(import.meta.dirname, '..');
const DIST = path.join(ROOT, 'dist');
const RUNTIME = path.join(import.meta.dirname, 'sea', 'runtime.mjs');
const YOGA_SHIM = path.join(import.meta.dirname, 'sea', 'yoga.mjs');
/** Node's fuse for SEA blobs (the string postject flips so node looks for the injected blob). */
const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

const require = createRequire(import.meta.url);

/** The folder of package `name` that holds `file` (walking up to its package.json). */
function packageRootOf(file, name) {
  for (let dir = path.dirname(file); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest) && JSON.parse(readFileSync(manifest, 'utf8')).name === name) return dir;
  }
  throw new Error(`${file} is not inside the package ${name}`);
}

/**
 * Which packages may load native code: the runtime.mjs function standing in for their loader, and the
 * Linux x64 prebuilds to ship in offcirc-lib/ under the names runtime.mjs loads.
 */
const NATIVE = [
  {
    importer: '@serialport/bindings-cpp',
    loader: /^node-gyp-build$/,
    replacement: 'nodeGypBuild',
    addons: { 'serialport.node': 'prebuilds/linux-x64/@serialport+bindings-cpp.glibc.node' },
  },
  {
    importer: 'node-hid',
    loader: /^pkg-prebuilds(?:\/bindings)?$/,
    replacement: 'pkgPrebuildsBindings',
    addons: {
      'node-hid-hidraw.node': 'prebuilds/HID_hidraw-linux-x64/node-napi-v4.node',
      'node-hid-libusb.node': 'prebuilds/HID-linux-x64/node-napi-v4.node',
    },
  },
];

/**
 * Bundling rules that make dist/ and its dependencies one CommonJS file a SEA can run. `addons` is
 * filled with the addon files of the native packages the bundle really contains (name → source file).
 */
function seaPlugin(addons) {
  const firstParty = new RegExp(`^${DIST.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}[\\\\/].*\\.js$`);
  let yogaParts;
  return {
    name: 'offcirc-sea',
    setup(b) {
      // bin/offcirc.js runs dist/bundle/ (an ES module bundle of its own); the executable bundles the
      // same code from the tsc output it was made from.
      b.onResolve({ filter: /^\.\.\/dist\/bundle\/cli\.js$/ }, () => ({ path: path.join(DIST, 'cli.js') }));
      // yoga-layout as Ink resolves it, with its parts found from there (its exports hide them).
      b.onResolve({ filter: /^yoga-layout$/ }, async (args) => {
        if (!yogaParts) {
          const load = await b.resolve('yoga-layout/load', {
            kind: 'import-statement',
            resolveDir: args.resolveDir,
          });
          if (load.errors.length > 0) return { errors: load.errors };
          const root = packageRootOf(load.path, 'yoga-layout');
          yogaParts = {
            'offcirc-sea:yoga-glue': path.join(root, 'dist', 'binaries', 'yoga-wasm-base64-esm.js'),
            'offcirc-sea:yoga-wrap': path.join(root, 'dist', 'src', 'wrapAssembly.js'),
            'offcirc-sea:yoga-enums': path.join(root, 'dist', 'src', 'generated', 'YGEnums.js'),
          };
        }
        return { path: YOGA_SHIM };
      });
      b.onResolve({ filter: /^offcirc-sea:/ }, (args) => {
        if (args.path === 'offcirc-sea:yoga-wasm') return { path: args.path, namespace: 'offcirc-sea' };
        const file = yogaParts?.[args.path];
        return file ? { path: file } : { errors: [{ text: `unknown virtual module ${args.path}` }] };
      });
      b.onLoad({ filter: /^offcirc-sea:yoga-wasm$/, namespace: 'offcirc-sea' }, () => ({
        contents: `export default ${JSON.stringify(yogaWasmBase64(readFileSync(yogaParts['offcirc-sea:yoga-glue'], 'utf8')))};`,
        loader: 'js',
      }));

      // Native code: only the loaders known here, each replaced; anything else stops the build, because
      // its addon would be missing from offcirc-lib/ and fail only on the kiosk.
      const loaders =
        /^(?:node-gyp-build|pkg-prebuilds(?:\/.*)?|bindings|prebuild-install|node-pre-gyp|@mapbox\/node-pre-gyp)$/;
      b.onResolve({ filter: loaders }, (args) => {
        for (const native of NATIVE) {
          if (!native.loader.test(args.path)) continue;
          let root;
          try {
            root = packageRootOf(args.importer, native.importer);
          } catch {
            continue;
          }
          for (const [name, file] of Object.entries(native.addons)) addons[name] = path.join(root, file);
          return { path: native.replacement, namespace: 'offcirc-sea-addon' };
        }
        return {
          errors: [
            {
              text: `${args.importer} loads native code through ${args.path}: teach scripts/package.mjs to ship its addon`,
            },
          ],
        };
      });
      b.onLoad({ filter: /.*/, namespace: 'offcirc-sea-addon' }, (args) => ({
        contents: `module.exports = require(${JSON.stringify(RUNTIME)}).${args.path};`,
        loader: 'js',
        resolveDir: ROOT,
      }));

      b.onLoad({ filter: /[\\/]ink[\\/]build[\\/]reconciler\.js$/ }, (args) => ({
        contents: withoutInkTopLevelAwait(readFileSync(args.path, 'utf8')),
        loader: 'js',
      }));
      b.onLoad({ filter: firstParty }, (args) => ({
        contents: withModuleMeta(
          readFileSync(args.path, 'utf8'),
          path.relative(ROOT, args.path).split(path.sep).join('/'),
        ),
        loader: 'js',
      }));
    },
  };
}

/** esbuild warnings allowed: third-party `import.meta` that runs only on paths the bundle never takes. */
const ALLOWED_WARNINGS = [
  // The Emscripten glue reads import.meta.url only to locate a .wasm file; yoga.mjs passes the instance.
  (w) => w.id === 'empty-import-meta' && /yoga-wasm-base64-esm\.js$/.test(w.location?.file ?? ''),
  // loadPackageJson() runs only with DEV=true, which patches.mjs took out.
  (w) => w.id === 'empty-import-meta' && /ink[\\/]build[\\/]reconciler\.js$/.test(w.location?.file ?? ''),
];

/** Bundles bin/offcirc.js (through sea/entry.mjs) into `outfile`; returns its addons (name → source file). */
async function bundle(outfile) {
  const addons = {};
  const result = await build({
    entryPoints: [path.join(import.meta.dirname, 'sea', 'entry.mjs')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    // React and its reconciler pick their production builds: smaller, faster, no dev-only warnings.
    define: { 'process.env.NODE_ENV': '"production"' },
    inject: [RUNTIME],
    plugins: [seaPlugin(addons)],
    legalComments: 'none',
    logLevel: 'silent',
    metafile: true,
  });
  const unexpected = result.warnings.filter((w) => !ALLOWED_WARNINGS.some((allowed) => allowed(w)));
  if (unexpected.length > 0) {
    const text = unexpected
      .map((w) => `${w.location?.file ?? '?'}:${w.location?.line ?? '?'}: ${w.text}`)
      .join('\n');
    throw new Error(`esbuild warnings the executable would hit at run time:\n${text}`);
  }
  return addons;
}

/** Runs a build step, quiet unless it fails (postject's LIEF prints warnings about notes it skips). */
function step(what, file, args) {
  const run = spawnSync(file, args, { encoding: 'utf8' });
  if (run.error) throw new Error(`${what}: ${run.error.message}`);
  if (run.status !== 0) throw new Error(`${what} failed (exit ${run.status}):\n${run.stdout}${run.stderr}`);
}

/** Writes the SEA blob for `main` with this node (the blob only runs on this exact node version). */
function seaBlob(main, work) {
  const config = path.join(work, 'sea-config.json');
  const output = path.join(work, 'offcirc.blob');
  // The code cache saves compiling the bundle at every start; it is tied to this node, as the blob is.
  const sea = { main, output, disableExperimentalSEAWarning: true, useCodeCache: true };
  writeFileSync(config, `${JSON.stringify(sea, null, 2)}\n`);
  step('making the SEA blob', process.execPath, ['--experimental-sea-config', config]);
  return output;
}

/**
 * A copy of this node with the blob injected at `target`. Where binutils' strip is at hand the copy
 * loses its debug symbols first (about 12 MB of this node's 99 MB); addons link against the dynamic
 * symbol table, which strip keeps.
 */
function inject(blob, target, { strip }) {
  copyFileSync(process.execPath, target);
  chmodSync(target, 0o755);
  if (strip) step('stripping debug symbols', 'strip', ['--strip-unneeded', target]);
  const postject = path.join(path.dirname(require.resolve('postject')), 'cli.js');
  step('injecting the blob', process.execPath, [
    postject,
    target,
    'NODE_SEA_BLOB',
    blob,
    '--sentinel-fuse',
    SEA_FUSE,
  ]);
}

/** The package's config files offcirc-lib/ carries for the kiosk installer (config/ in the npm package). */
const CONFIG_FILES = ['offcirc.example.json', 'offcirc.schema.json'];

/** offcirc-lib/: the addons the bundle loads, package.json for what the code reads of it, config/. */
function writeLib(target, addons, manifest) {
  mkdirSync(path.join(target, 'config'), { recursive: true });
  for (const [name, source] of Object.entries(addons)) {
    if (!existsSync(source)) throw new Error(`the prebuilt addon ${source} is missing: run npm ci`);
    copyFileSync(source, path.join(target, name));
  }
  writeFileSync(path.join(target, 'package.json'), manifest);
  for (const name of CONFIG_FILES)
    copyFileSync(path.join(ROOT, 'config', name), path.join(target, 'config', name));
}

/** dist/offcirc from the repository, an absolute path elsewhere. */
const shown = (file) => (file.startsWith(`${ROOT}${path.sep}`) ? path.relative(ROOT, file) : file);

const mib = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

/** Runs `offcirc --version` `runs` times; returns the start-to-exit times in ms, sorted. */
function timeVersion(executable, runs = 20) {
  const times = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    const run = spawnSync(executable, ['--version'], { encoding: 'utf8' });
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
    if (run.status !== 0) throw new Error(`${executable} --version exited ${run.status}: ${run.stderr}`);
  }
  return times.sort((a, b) => a - b);
}

async function main(argv) {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(
      `the executable is built from this node for Linux x64; this is ${process.platform}-${process.arch}`,
    );
  }
  if (!existsSync(path.join(DIST, 'cli.js')))
    throw new Error('dist/cli.js is missing: run npm run build first');
  const manifestText = readFileSync(path.join(ROOT, 'package.json'), 'utf8');
  const { version } = JSON.parse(manifestText);
  const outAt = argv.indexOf('--out');
  const out = outAt === -1 ? DIST : path.resolve(argv[outAt + 1] ?? '');
  if (outAt !== -1 && !argv[outAt + 1]) throw new Error('--out needs a folder: --out DIR');
  // dist/sea keeps the bundle for a look after a build; a folder of the caller's gets only the pair.
  const WORK = outAt === -1 ? path.join(DIST, 'sea') : path.join(out, `.sea-work-${process.pid}`);
  const EXECUTABLE = path.join(out, 'offcirc');
  const LIB = path.join(out, 'offcirc-lib');
  mkdirSync(WORK, { recursive: true });
  try {
    await make({ version, manifestText, argv, WORK, EXECUTABLE, LIB });
  } finally {
    if (outAt !== -1) rmSync(WORK, { recursive: true, force: true });
  }
}

/** Bundles, makes the blob, injects and tries it in a staging folder, then moves the pair in place. */
async function make({ version, manifestText, argv, WORK, EXECUTABLE, LIB }) {
  const strip = !argv.includes('--no-strip') && spawnSync('strip', ['--version']).status === 0;

  const bundled = path.join(WORK, 'offcirc.cjs');
  const addons = await bundle(bundled);
  const blob = seaBlob(bundled, WORK);

  // Made and tried in a staging folder as the pair they ship as, then moved into place.
  const stage = path.join(WORK, `stage-${process.pid}`);
  const staged = path.join(stage, path.basename(EXECUTABLE));
  try {
    rmSync(stage, { recursive: true, force: true });
    mkdirSync(stage);
    inject(blob, staged, { strip });
    writeLib(path.join(stage, path.basename(LIB)), addons, manifestText);
    // A build that can't say its own version is not shipped as if it were good.
    const said = execFileSync(staged, ['--version'], { encoding: 'utf8' }).trim();
    if (said !== version)
      throw new Error(`the new offcirc --version said ${JSON.stringify(said)}, expected ${version}`);
    rmSync(LIB, { recursive: true, force: true });
    renameSync(path.join(stage, path.basename(LIB)), LIB);
    renameSync(staged, EXECUTABLE);
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }

  const libBytes = Object.keys(addons).reduce((sum, name) => sum + statSync(path.join(LIB, name)).size, 0);
  console.log(
    `${shown(EXECUTABLE)} ${version}: ${mib(statSync(EXECUTABLE).size)}${strip ? '' : ' (not stripped)'} (bundle ${mib(statSync(bundled).size)}), offcirc-lib/ ${mib(libBytes)}`,
  );
  if (argv.includes('--measure')) {
    const times = timeVersion(EXECUTABLE);
    const median = times[Math.floor(times.length / 2)];
    console.log(
      `offcirc --version: median ${median.toFixed(1)} ms, fastest ${times[0].toFixed(1)} ms over ${times.length} runs`,
    );
  }
}

main(process.argv.slice(2)).catch((error) => {
  console.error(`package: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
