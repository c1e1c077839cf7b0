/**
 * The source changes the single-executable bundle needs, as pure text transforms (each O(n) in the
 * source length). Each one throws when its source no longer looks as expected, so a dependency update
 * breaks `npm run package` loudly instead of shipping an executable that fails on a kiosk.
 */

/**
 * Ink's reconciler awaits at top level, which a CommonJS bundle can't hold: it imports its devtools and
 * reads its own package.json, both only when DEV=true. The kiosk never runs with React devtools, so both
 * become the values Ink uses without DEV.
 */
export function withoutInkTopLevelAwait(source) {
  const devtools = /if \(isDev\(\)\) \{\s*try \{\s*await import\('\.\/devtools\.js'\);[\s\S]*?\n\}\n/;
  const packageJson = /isDev\(\)\s*\?\s*await loadPackageJson\(\)\s*:/;
  if (!devtools.test(source) || !packageJson.test(source)) {
    throw new Error(
      "ink's reconciler no longer has the top-level awaits scripts/sea/patches.mjs removes: look at ink/build/reconciler.js again",
    );
  }
  // esbuild refuses any top-level await left in a CommonJS bundle, so nothing more is checked here.
  return source
    .replace(
      devtools,
      '// offcirc: React devtools left out of the single executable (needs top-level await).\n',
    )
    .replace(packageJson, 'false ? undefined :');
}

/**
 * Gives a first-party module its own `import.meta` in the bundle, where esbuild would leave it empty:
 * `relative` is the module's path inside the package (e.g. "dist/cli.js"), and at run time it lies under
 * offcirc-lib/ beside the executable, where the package files it reads (package.json) are shipped.
 * `helper` is the name of the injected function that makes the object.
 */
export function withModuleMeta(source, relative, helper = '__offcircModuleMeta') {
  if (!/^[\w./-]+$/.test(relative) || relative.startsWith('/') || relative.split('/').includes('..')) {
    throw new Error(`not a path inside the package: ${JSON.stringify(relative)}`);
  }
  return source.replace(/\bimport\.meta\b/g, `${helper}(${JSON.stringify(relative)})`);
}

/**
 * The WebAssembly of yoga-layout, as base64, from its Emscripten glue (where it is embedded as a data
 * URI), so the bundle can compile it synchronously when Ink first lays out a screen.
 */
export function yogaWasmBase64(glueSource) {
  const found = [...glueSource.matchAll(/data:application\/octet-stream;base64,([A-Za-z0-9+/]+={0,2})/g)];
  if (found.length !== 1) {
    throw new Error(`expected one embedded WebAssembly module in yoga-layout's glue, found ${found.length}`);
  }
  const base64 = found[0][1];
  const magic = Buffer.from(base64.slice(0, 8), 'base64');
  if (magic.subarray(0, 4).toString('latin1') !== '\0asm') {
    throw new Error("yoga-layout's embedded data is not a WebAssembly module");
  }
  return base64;
}
