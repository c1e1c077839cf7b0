/**
 * Finds the barcode patterns that can freeze the kiosk, at config time. JavaScript regular expressions
 * backtrack: `^(\d{1,2})+$` takes seconds on 38 digits and a letter, `^(\d+){1,100}$` hours on a few
 * more, with nothing journaled meanwhile. The analysis is recheck's (automata theory, with fuzzing where
 * that can't decide), from its pure-JavaScript build: in-process, no Java, no native binary, no worker,
 * so it works the same from the single-file executable. Costs 1–300 ms per pattern (and about 200 ms to
 * load), hence config time only, and only for patterns simple-pattern.ts can't prove fast first (the
 * usual ones, in microseconds); the classifier bounds each scan itself (barcode/pattern.ts) for whatever
 * gets past this.
 */
import { createRequire } from 'node:module';
import type { Diagnostics } from 'recheck';
import type recheckModule from 'recheck/lib/browser.js';
import { provablyFastPattern } from './simple-pattern.js';

let recheck: typeof recheckModule | undefined;

/**
 * recheck's pure build, not its main entry: that one reaches for synckit, whose helper package reads
 * require.extensions as it loads, which a single-file executable's require doesn't have. Loaded on the
 * first pattern that needs it, through require: 2.9 MB of CommonJS costs about 200 ms that way, and
 * about 600 ms through the ESM loader (which scans the whole file for its exports). In the single-file
 * executable's CommonJS bundle `require` is esbuild's, with recheck bundled in place of the literal call;
 * under Node's ESM loader there is no `require`, and createRequire makes one.
 */
function loadRecheck(): typeof recheckModule {
  recheck ??= (
    typeof require === 'function'
      ? // eslint-disable-next-line @typescript-eslint/no-require-imports -- esbuild bundles this call
        require('recheck/lib/browser.js')
      : createRequire(import.meta.url)('recheck/lib/browser.js')
  ) as typeof recheckModule;
  return recheck;
}

/** The longest pattern accepted: a barcode rule is a line, and the analysis grows with the pattern. */
export const MAX_PATTERN_LENGTH = 300;

/** How long recheck may think about one pattern before the pattern is refused as undecidable. */
const CHECK_TIMEOUT_MS = 3000;

/** What to write instead, said once for every kind of slow pattern. */
const INSTEAD =
  'expected fixed counts inside a repeated group, such as "^(\\\\d{4})+$", or one repetition, such as "^\\\\d+$"';

/** recheck's verdict on one pattern (flags none, as the config gives it), in this thread. */
function analyse(source: string): Diagnostics {
  // A fixed seed: the same pattern gets the same verdict on every kiosk and every run.
  return loadRecheck().checkSync(source, '', { timeout: CHECK_TIMEOUT_MS, randomSeed: 1 });
}

/**
 * Why `source` (a pattern that compiles) could freeze the kiosk, as "why, what to write instead", or
 * undefined when it is safe. Refused: exponential backtracking, and polynomial of degree 3 or more.
 * Quadratic is accepted: scans are capped in length before any pattern runs (so at most a few thousand
 * steps), and an unanchored `\d+$` is quadratic, a pattern technicians write on purpose.
 */
export function slowPatternProblem(source: string): string | undefined {
  if (source.length > MAX_PATTERN_LENGTH)
    return `a pattern of ${source.length} characters, expected at most ${MAX_PATTERN_LENGTH}`;
  return provablyFastPattern(source) ? undefined : recheckProblem(source);
}

/** slowPatternProblem's answer from recheck's analysis alone (exported for the test of the cheap proof). */
export function recheckProblem(source: string): string | undefined {
  const result = analyse(source);
  if (result.status === 'safe') return undefined;
  if (result.status === 'vulnerable') {
    // The hot spot is where the backtracking happens: the part the technician should rewrite.
    const around = [...new Set(result.hotspot.map((h) => source.slice(h.start, h.end)))].join('", "');
    const why = `a repeated part can match the same text in many ways (around "${around}")`;
    if (result.complexity.type === 'exponential')
      return `can take hours on a scan that almost matches: ${why}, ${INSTEAD}`;
    if (result.complexity.degree >= 3)
      return `slows down sharply (degree ${result.complexity.degree}) on a scan that almost matches: ${why}, ${INSTEAD}`;
    return undefined;
  }
  switch (result.error.kind) {
    case 'timeout':
      return `too complex to check for speed in ${CHECK_TIMEOUT_MS / 1000} s, expected a simpler pattern`;
    case 'unsupported':
      return `uses a feature the speed check can't follow (${result.error.message}), expected a plainer pattern`;
    case 'invalid':
      return `can't be read (${result.error.message}), expected a valid JavaScript regular expression`;
    default:
      return `could not be checked for speed (${result.error.kind}), expected a plainer pattern`;
  }
}
