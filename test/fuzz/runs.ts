/**
 * How many cases each fuzz property runs: a bounded number in `npm test` (the suite stays quick), many more
 * under `npm run fuzz` (FUZZ_RUNS). Every fuzz test passes `{ numRuns: fuzzRuns() }` to fast-check.
 */
export function fuzzRuns(inSuite = 200): number {
  const asked = Number(process.env.FUZZ_RUNS);
  return Number.isInteger(asked) && asked > 0 ? asked : inSuite;
}
