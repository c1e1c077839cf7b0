/**
 * recheck's pure-JavaScript build (its "browser" entry, which runs fine in Node): `checkSync` is the
 * analysis itself, with no worker, synckit, native binary or Java to pick from. Types are recheck's own.
 */
declare module 'recheck/lib/browser.js' {
  import type { check, checkSync } from 'recheck';

  const recheck: { check: typeof check; checkSync: typeof checkSync };
  export default recheck;
}
