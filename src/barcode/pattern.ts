/**
 * A barcode pattern that can't stall the kiosk, whatever got past the config check (an old config, a
 * hand-edited rule, an analyser's miss). A pattern V8's linear-time engine can run (no backreferences,
 * lookaround or counted repetition over ~16) runs on the usual backtracking engine, which V8 switches to
 * the linear one after 50,000 backtracks on a scan (--enable-experimental-regexp-engine-on-excessive-
 * backtracks): full speed on every real scan (0.04 µs for `^3\d{13}$`, against 0.6 µs on the linear
 * engine throughout), about 1 ms on the worst near-miss. Any other pattern runs inside a vm call with a
 * timeout, which interrupts a runaway match: about 0.1 ms per test (a watchdog thread per call).
 */
import v8 from 'node:v8';
import vm from 'node:vm';

/** A compiled pattern. `test` answers undefined when the match ran out of its time and was stopped. */
export interface ScanPattern {
  readonly source: string;
  /** True when V8 guarantees linear time (it switches engines on a runaway); false when it runs timed. */
  readonly linear: boolean;
  test(text: string, deadline: number): boolean | undefined;
}

/** V8's flag for its linear-time engine; ESLint doesn't know it, hence a variable rather than a literal. */
const LINEAR = 'l';

let linearAvailable: boolean | undefined;

/**
 * Turns on, for the rest of the process and once, V8's linear-time regular expression engine (the `l`
 * flag, used here only to ask V8 whether a pattern can run on it) and its switch from backtracking to it
 * on excessive backtracks; says whether both work. V8 reads the flags when a RegExp is created, so setting
 * them at run time (Node 20 honours it) before the patterns are compiled is enough. The switch applies
 * to every RegExp made afterwards: it changes no result, only how long a runaway match may take.
 */
export function enableLinearRegExp(): boolean {
  if (linearAvailable === undefined) {
    try {
      v8.setFlagsFromString('--enable-experimental-regexp-engine');
      v8.setFlagsFromString('--enable-experimental-regexp-engine-on-excessive-backtracks');
      linearAvailable = new RegExp('^a+$', LINEAR).test('aa');
    } catch {
      linearAvailable = false;
    }
  }
  return linearAvailable;
}

/** One context for every timed match: creating one costs about 1 ms, running in it only the watchdog. */
let timedContext: vm.Context | undefined;
const timedTest = new vm.Script('pattern.test(text)');

function runTimed(pattern: RegExp, text: string, timeoutMs: number): boolean | undefined {
  timedContext ??= vm.createContext({ pattern: undefined, text: '' });
  timedContext.pattern = pattern;
  timedContext.text = text;
  try {
    return timedTest.runInContext(timedContext, { timeout: Math.max(1, Math.ceil(timeoutMs)) }) === true;
  } catch (error) {
    // Only the timeout is expected: RegExp.prototype.test on a string throws nothing else.
    if ((error as { code?: unknown }).code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') return undefined;
    throw error;
  } finally {
    timedContext.pattern = undefined;
    timedContext.text = '';
  }
}

/**
 * Compiles `source` (flags none, as the config gives it). Throws a SyntaxError for a pattern that doesn't
 * compile. `linear: false` forces the timed engine, for tests of that path.
 */
export function compilePattern(source: string, options: { linear?: boolean } = {}): ScanPattern {
  const backtracking = new RegExp(source);
  if (options.linear !== false && enableLinearRegExp()) {
    let canBeLinear = true;
    try {
      new RegExp(source, LINEAR);
    } catch {
      // "Cannot be executed in linear time": V8 would never switch this one, so it runs timed.
      canBeLinear = false;
    }
    if (canBeLinear) return { source, linear: true, test: (text) => backtracking.test(text) };
  }
  return {
    source,
    linear: false,
    test: (text, deadline) => runTimed(backtracking, text, deadline - performance.now()),
  };
}
