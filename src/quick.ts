/**
 * `offcirc --version` and `offcirc --help` answered without loading commander and building every
 * command: the launcher asks here first. The help is commander's own text for the width it was made
 * for (help-text.ts, compared with commander's by test/quick.test.ts); any other width, any other
 * arguments, and commander answers as always. Costs: reading package.json for the version.
 */
import { TOP_HELP, TOP_HELP_WIDTH } from './help-text.js';
import { packageVersion } from './version.js';

/**
 * What offcirc prints for these arguments (`process.argv.slice(2)`) when it can say it without the
 * command line parser, else undefined. `helpWidth` is the terminal's width, undefined off a terminal
 * (commander then uses 80).
 */
export function quickAnswer(args: readonly string[], helpWidth: number | undefined): string | undefined {
  if (args.length !== 1) return undefined;
  switch (args[0]) {
    case '-V':
    case '--version':
      return `${packageVersion()}\n`;
    case '-h':
    case '--help':
      return (helpWidth ?? 80) === TOP_HELP_WIDTH ? TOP_HELP : undefined;
    default:
      return undefined;
  }
}
