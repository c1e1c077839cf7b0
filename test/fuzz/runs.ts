/**
 * What the fuzz tests share. How many cases each fuzz property runs: a bounded number in `npm test` (the suite stays quick), many more
 * under `npm run fuzz` (FUZZ_RUNS). Every fuzz test passes `{ numRuns: fuzzRuns() }` to fast-check.
 */
export function fuzzRuns(inSuite = 200): number {
  const asked = Number(process.env.FUZZ_RUNS);
  return Number.isInteger(asked) && asked > 0 ? asked : inSuite;
}

/** Cuts `text` at the given fractions (0 to 1) into the chunks a stream might deliver; some may be empty. */
export function cut(text: string, at: number[]): string[] {
  const points = [...new Set(at.map((f) => Math.floor(f * text.length)))].sort((a, b) => a - b);
  const out: string[] = [];
  let from = 0;
  for (const p of points) {
    out.push(text.slice(from, p));
    from = p;
  }
  out.push(text.slice(from));
  return out;
}
