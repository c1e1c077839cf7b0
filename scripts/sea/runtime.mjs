/**
 * What the single executable finds beside itself at run time: offcirc-lib/, holding the native addons
 * (loaded here in place of node-gyp-build and pkg-prebuilds, which search node_modules folders an
 * executable doesn't have) and the package files first-party modules read through `import.meta`.
 * Bundled into dist/offcirc by scripts/package.mjs; never run from the repository.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

export const LIB_DIR_NAME = 'offcirc-lib';

/**
 * The folder beside the executable. process.execPath is the resolved file (Linux reads /proc/self/exe),
 * so a symlink such as /usr/local/bin/offcirc → /opt/offcirc/offcirc still finds /opt/offcirc/offcirc-lib.
 */
export function libDir() {
  return path.join(path.dirname(process.execPath), LIB_DIR_NAME);
}

/** `import.meta` of the first-party module at `relative` (e.g. "dist/cli.js") inside offcirc-lib/. */
export function __offcircModuleMeta(relative) {
  const filename = path.join(libDir(), relative);
  return {
    url: pathToFileURL(filename).href,
    filename,
    dirname: path.dirname(filename),
    resolve: (specifier) => new URL(specifier, pathToFileURL(filename)).href,
  };
}

/**
 * Loads offcirc-lib/<file> (a native addon) and returns its exports. A missing file gets a message that
 * says what to do, worded like pkg-prebuilds' own "Failed to find binding" so the HID code still knows
 * HID is unavailable; a library the addon links against that is missing (libusb-1.0.so.0) keeps the
 * loader's own message, which names it.
 */
export function loadAddon(file) {
  const where = path.join(libDir(), file);
  if (!existsSync(where)) {
    throw new Error(
      `Failed to find binding ${file}: ${where} is missing; keep the ${LIB_DIR_NAME} folder beside the offcirc executable`,
    );
  }
  const module = { exports: {} };
  process.dlopen(module, where);
  return module.exports;
}

/**
 * Stands in for node-gyp-build, which @serialport/bindings-cpp calls with its package folder as it is
 * imported. The addon is loaded on the first call into it instead, so a missing or damaged
 * serialport.node fails each serial operation (a status on the serial scanners, with the message
 * above) rather than every command that merely imports serialport. bindings-cpp only reads functions
 * and the Poller class off the binding, so every property is a function that forwards, with `new` too.
 */
export function nodeGypBuild() {
  let binding;
  let failure;
  const load = () => {
    if (binding === undefined && failure === undefined) {
      try {
        binding = loadAddon('serialport.node');
      } catch (error) {
        failure = error;
      }
    }
    if (failure !== undefined) throw failure;
    return binding;
  };
  return new Proxy(
    {},
    {
      get: (_target, key) =>
        function forward(...args) {
          const real = load()[key];
          return new.target ? Reflect.construct(real, args) : real.apply(this, args);
        },
    },
  );
}

/** node-hid's two Linux builds, by the name it asks pkg-prebuilds for. */
const NODE_HID_ADDONS = { HID_hidraw: 'node-hid-hidraw.node', HID: 'node-hid-libusb.node' };

/** Stands in for pkg-prebuilds/bindings, which node-hid calls with its folder and { name }. */
export function pkgPrebuildsBindings(_basePath, options) {
  const file = Object.hasOwn(NODE_HID_ADDONS, options?.name) ? NODE_HID_ADDONS[options.name] : undefined;
  if (!file)
    throw new Error(`Failed to find binding ${String(options?.name)}: not one the offcirc executable ships`);
  return loadAddon(file);
}
