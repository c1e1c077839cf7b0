/**
 * The executable's entry: runs bin/offcirc.js, as `node bin/offcirc.js` would. Imported lazily so that a
 * failure while loading (offcirc-lib/ not beside the executable) reaches the technician as one line
 * naming what is missing, instead of a stack trace through the bundle.
 */
import('../../bin/offcirc.js').catch((error) => {
  process.stderr.write(`offcirc: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(70);
});
