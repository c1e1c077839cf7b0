/**
 * Checks a file the collector is about to hand over with the same line checks as `offcirc verify`
 * (journal/verify.ts), straight on the journal engine (commands/ is the command line's, above us).
 * O(file) time, flat memory but the duplicate set.
 */
import { readChecked } from '../journal/read-checked.js';
import { RecentTransactions } from '../journal/transaction-set.js';
import { LineChecker, ProblemLog } from '../journal/verify.js';

/** The problems of `file` as `NAME:LINE: message` (named `shown`), at most 20 of each kind; [] when clean. */
export async function verifyFile(
  file: string,
  shown: string,
  now: Date,
): Promise<{ total: number; problems: string[] }> {
  const log = new ProblemLog(20);
  const checker = new LineChecker({
    file: shown,
    // The collector writes the desk's lines in time order: the windowed duplicate check sees them all.
    seen: new RecentTransactions(),
    now,
    report: (p) => log.add(p),
  });
  const { error } = await readChecked(file, checker);
  if (error !== undefined) return { total: 1, problems: [`${shown}: ${error}`] };
  checker.finish();
  const problems = log.shown.map((p) =>
    p.line > 0 ? `${p.file}:${p.line}: ${p.message}` : `${p.file}: ${p.message}`,
  );
  return { total: log.total, problems };
}
