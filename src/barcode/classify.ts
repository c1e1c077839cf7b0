/**
 * Tells what a scan is: a patron's card, an item, a command barcode, or a rejection with a reason a
 * patron understands. The rules come from the config and are compiled once per rule set; classifying is
 * then O(n · rules) in the scan's length, n at most MAX_SCAN_LENGTH: a pattern V8 can't run in linear
 * time runs under a timeout (barcode/pattern.ts), so no pattern holds a scan past SCAN_BUDGET_MS.
 */
import { BARCODE_COMMANDS, type BarcodeCommand } from '../config/commands.js';
import type { BarcodeConfig, Config } from '../config/schema.js';
import { hasValidMod10 } from './checkdigit.js';
import { ITEM_FIELD } from './limits.js';
import { normalize } from './normalize.js';
import { compilePattern, type ScanPattern } from './pattern.js';

export { describeScan } from './describe.js';

export type { BarcodeCommand };

export type Classified =
  | { kind: 'patron'; patron: string }
  | { kind: 'item'; item: string }
  | { kind: 'command'; command: BarcodeCommand }
  | { kind: 'rejected'; reason: string };

export interface ClassifyRules {
  barcodes: BarcodeConfig;
  commands: Config['commands'];
}

export type Classifier = (raw: string) => Classified;

/** The longest item barcode: OffCirc.dat's item field (limits.ts). */
export const MAX_ITEM_LENGTH = ITEM_FIELD;

/**
 * A longer scan is refused before any pattern (or normalizing) runs: no card or label is that long, and a
 * stuck scanner or a pasted page must not cost the patterns' time on all of it.
 */
export const MAX_SCAN_LENGTH = 256;

/** The most time the patterns may take on one scan before it is refused (only slow patterns come near). */
export const SCAN_BUDGET_MS = 100;

/** The reasons classification gives, in the words shown to the person at the kiosk. */
export const REJECTIONS = {
  unreadable: 'unreadable scan: contains a control or non-ASCII character',
  empty: 'empty scan',
  checkDigit: 'check digit wrong: scan again',
  /** A rule asks for a mod 10 check but matched something that is not 14 digits: a configuration slip. */
  checkDigitLength:
    'this barcode cannot have a mod 10 check digit (not 14 digits): ask staff to check the rules',
  unknown: 'not a library card or item barcode',
  itemTooLong: `barcode too long for the offline file (over ${MAX_ITEM_LENGTH} characters)`,
  patronSpaces: 'library card number contains spaces: it cannot be used',
  itemSpaces: 'item barcode contains spaces: the offline file cannot hold it exactly',
  /** A pattern that got past the config check ran out of time: the rules must be fixed, not the scan. */
  tooSlow: 'the barcode rules took too long on this scan: ask staff to check the rules',
} as const;

/** Anything outside printable ASCII: the journal is ASCII only, and control bytes are scanner noise. */
const UNPRINTABLE = /[^\x20-\x7e]/;

interface CompiledCodeRule {
  pattern: ScanPattern;
  mod10: boolean;
}

/** What firstMatch answers when a pattern was stopped for taking too long on this scan. */
const OUT_OF_TIME = Symbol('out of time');

/** The first rule whose pattern matches `text`, undefined when none does, or OUT_OF_TIME. */
function firstMatch<R extends { pattern: ScanPattern }>(
  rules: readonly R[],
  text: string,
  deadline: number,
): R | undefined | typeof OUT_OF_TIME {
  for (const rule of rules) {
    const found = rule.pattern.test(text, deadline);
    if (found === undefined) return OUT_OF_TIME;
    if (found) return rule;
  }
  return undefined;
}

const rejected = (reason: string): Classified => ({ kind: 'rejected', reason });

/** The rule's check, or the rejection it gives; only the first matching rule of a kind counts. */
function checkFailure(rule: CompiledCodeRule, text: string): string | undefined {
  if (!rule.mod10 || hasValidMod10(text)) return undefined;
  return /^\d{14}$/.test(text) ? REJECTIONS.checkDigit : REJECTIONS.checkDigitLength;
}

/**
 * Compiles `rules` (every pattern once; throws a SyntaxError for a pattern that doesn't compile, so a bad
 * rule set fails at start-up, not at the first scan) and returns the classifier. Never throws afterwards.
 * `linear: false` runs every pattern under the timeout instead of V8's linear engine (tests of that path).
 */
export function createClassifier(rules: ClassifyRules, engine: { linear?: boolean } = {}): Classifier {
  const options = { ...rules.barcodes.normalize };
  const compile = (r: { pattern: string; checkDigit: 'mod10' | 'none' }): CompiledCodeRule => ({
    pattern: compilePattern(r.pattern, engine),
    mod10: r.checkDigit === 'mod10',
  });
  const patronRules = rules.barcodes.patron.map(compile);
  const itemRules = rules.barcodes.item.map(compile);
  const refuseRules = rules.barcodes.refuse.map((r) => ({
    pattern: compilePattern(r.pattern, engine),
    reason: r.reason,
  }));

  // A command barcode is matched as configured and as normalized: a scanner that adds an AIM identifier
  // or Codabar start/stop characters must not turn "A1234B" into something no command matches.
  const commands = new Map<string, BarcodeCommand>();
  for (const name of BARCODE_COMMANDS) {
    const value = rules.commands[name];
    for (const key of [value, normalize(value, options)]) if (!commands.has(key)) commands.set(key, name);
  }

  return (raw) => {
    // Too long for an item, and a patron ID this long is no card: refused before any regex runs.
    if (raw.length > MAX_SCAN_LENGTH) return rejected(REJECTIONS.itemTooLong);
    // Checked on the raw text so the rejection never depends on what normalizing would have removed.
    if (UNPRINTABLE.test(raw)) return rejected(REJECTIONS.unreadable);
    const text = normalize(raw, options);
    if (text === '') return rejected(REJECTIONS.empty);

    const command = commands.get(text);
    if (command !== undefined) return { kind: 'command', command };

    const deadline = performance.now() + SCAN_BUDGET_MS;
    const refuseRule = firstMatch(refuseRules, text, deadline);
    if (refuseRule === OUT_OF_TIME) return rejected(REJECTIONS.tooSlow);
    if (refuseRule !== undefined) return rejected(refuseRule.reason);

    const patronRule = firstMatch(patronRules, text, deadline);
    if (patronRule === OUT_OF_TIME) return rejected(REJECTIONS.tooSlow);
    if (patronRule !== undefined) {
      const failure = checkFailure(patronRule, text);
      if (failure !== undefined) return rejected(failure);
      // The patron ID ends the journal line; whitespace inside it would not survive Alma's reading.
      if (/\s/.test(text)) return rejected(REJECTIONS.patronSpaces);
      return { kind: 'patron', patron: text };
    }

    const itemRule = firstMatch(itemRules, text, deadline);
    if (itemRule === OUT_OF_TIME) return rejected(REJECTIONS.tooSlow);
    if (itemRule !== undefined) {
      const failure = checkFailure(itemRule, text);
      if (failure !== undefined) return rejected(failure);
      if (text.length > MAX_ITEM_LENGTH) return rejected(REJECTIONS.itemTooLong);
      // The item field is padded with spaces: a space in the barcode could not be told from the padding.
      if (/\s/.test(text)) return rejected(REJECTIONS.itemSpaces);
      return { kind: 'item', item: text };
    }

    return rejected(REJECTIONS.unknown);
  };
}

/** Classifiers already compiled, per barcode rules and command set (both are config objects, never mutated). */
const compiled = new WeakMap<BarcodeConfig, WeakMap<Config['commands'], Classifier>>();

/** Classifies one raw scan; compiles `rules` on first use and reuses that while the same objects are passed. */
export function classify(raw: string, rules: ClassifyRules): Classified {
  let byCommands = compiled.get(rules.barcodes);
  if (byCommands === undefined) {
    byCommands = new WeakMap();
    compiled.set(rules.barcodes, byCommands);
  }
  let classifier = byCommands.get(rules.commands);
  if (classifier === undefined) {
    classifier = createClassifier(rules);
    byCommands.set(rules.commands, classifier);
  }
  return classifier(raw);
}
