/**
 * yoga-layout (Ink's layout engine) for the CommonJS bundle, which can't hold the package's top-level
 * `await`: the same WebAssembly and wrapper, compiled synchronously on first use (~40 ms), so commands
 * that draw no screen (--version, devices, run --headless) never pay for it. scripts/package.mjs
 * resolves every `import … from 'yoga-layout'` here; the virtual modules are its build-time parts.
 */
/* global WebAssembly -- node's, not in the lint config's list of globals */
import loadYogaGlue from 'offcirc-sea:yoga-glue';
import wrapAssembly from 'offcirc-sea:yoga-wrap';
import wasmBase64 from 'offcirc-sea:yoga-wasm';

export * from 'offcirc-sea:yoga-enums';

let yoga;

/**
 * Emscripten's documented `instantiateWasm` hook may hand back the instance at once; with nothing else
 * pending, the glue then runs its start-up before returning, so the module object is ready here
 * without awaiting the promise it also returns.
 */
function load() {
  const compiled = new WebAssembly.Module(Buffer.from(wasmBase64, 'base64'));
  const lib = {
    instantiateWasm(imports, receive) {
      receive(new WebAssembly.Instance(compiled, imports));
      return {};
    },
  };
  void loadYogaGlue(lib);
  if (!lib.calledRun || typeof lib.Node?.createDefault !== 'function') {
    throw new Error('yoga-layout did not start synchronously: scripts/sea/yoga.mjs needs another look');
  }
  return wrapAssembly(lib);
}

/** The default export Ink uses (`Yoga.Node.create()`, `Yoga.EDGE_TOP` …), loaded on the first read. */
export default new Proxy(
  {},
  {
    get: (_target, key) => (yoga ??= load())[key],
    has: (_target, key) => key in (yoga ??= load()),
  },
);
