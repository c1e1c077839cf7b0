/**
 * A barcode pattern that can't stall the kiosk, whatever got past the config check (an old config, a
 * hand-edited rule, an analyser's miss). Each pattern V8's linear-time engine can run (no backreferences,
 * lookaround or large counted repetition) is compiled for it: O(pattern · scan) per test, a few µs on a
 * 14-digit scan. Any other pattern runs on the backtracking engine inside a vm call with a timeout, which
 * interrupts a runaway match: about 0.1 ms per test (a watchdog thread per call), bounded by the budget.
 */
import v8 from 'node:v8';
import vm from 'node:vm';

/** A compiled pattern. `test` answers undefined when the match ran out of its time and was stopped. */
export interface ScanPattern {
  readonly source: string;
  /** True when V8's linear-time engine runs it; false when it runs under the timeout. */
  readonly linear: boolean;
  test(text: string, deadline: number): boolean | undefined;
}

/** V8's flag for its linear-time engine; ESLint doesn't know it, hence a variable rather than a literal. */
const LINEAR = 'l';

let linearAvailable: boolean | undefined;

/**
 * Turns on V8's linear-time regular expression engine (the `l` flag) for the rest of the process, once,
 * and says whether it works. V8 reads the flag when a RegExp is created, so setting it at run time (Node
 * 20 and 22 honour it) before the patterns are compiled is enough; it changes no other RegExp.
 */
export function enableLinearRegExp(): boolean {
  if (linearAvailable === undefined) {
    try {
      v8.setFlagsFromString('--enable-experimental-regexp-engine');
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
    let linear: RegExp | undefined;
    try {
      linear = new RegExp(source, LINEAR);
    } catch {
      // "Cannot be executed in linear time": backreferences, lookaround, counted repetition over ~16.
    }
    if (linear !== undefined) {
      const pattern = linear;
      return { source, linear: true, test: (text) => pattern.test(text) };
    }
  }
  return {
    source,
    linear: false,
    test: (text, deadline) => runTimed(backtracking, text, deadline - performance.now()),
  };
}
