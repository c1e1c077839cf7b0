/**
 * The executable's entry: runs bin/offcirc.js, as `node bin/offcirc.js` would. Imported lazily so that a
 * failure while the program itself loads reaches the technician as one line instead of a stack trace
 * through the bundle. (Native addons load later, on first use: see runtime.mjs.)
 */
import('../../bin/offcirc.js').catch((error) => {
  process.stderr.write(`offcirc: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(70);
});
