/** The lock file's content and control requests: parsed without throwing, and what offcirc writes reads back. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatLock, parseLock } from '../../src/journal/lock.js';
import { parseControlRequest } from '../../src/station/control.js';
import { fuzzRuns } from './runs.js';

describe('lock content, fuzzed', () => {
  it('any text parses to a positive pid or to nothing, without throwing', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.stringMatching(/^\d{1,12}\n?(boot [0-9a-f-]{0,40}\n?)?(start \d{0,22}\n?)?$/),
        ),
        (text) => {
          const parsed = parseLock(text);
          if (parsed) {
            expect(Number.isInteger(parsed.pid) && parsed.pid > 0).toBe(true);
            expect(parsed.pid).toBeLessThan(1e10);
          }
        },
      ),
      { numRuns: fuzzRuns() },
    );
  });

  it('what offcirc writes reads back the same', () => {
    const content = fc.record(
      {
        pid: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        boot: fc.option(fc.uuid(), { nil: undefined }),
        start: fc.bigInt({ min: 0n, max: 10n ** 19n }).map(String),
      },
      { requiredKeys: ['pid', 'boot'] },
    );
    fc.assert(
      fc.property(content, (c) => {
        expect(parseLock(formatLock(c))).toEqual(c);
      }),
      { numRuns: fuzzRuns() },
    );
  });
});

describe('control requests, fuzzed', () => {
  it('any line is the rotate request or a short reason, without throwing', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.json(),
          fc.jsonValue().map((v) => JSON.stringify(v)),
        ),
        (line) => {
          const parsed = parseControlRequest(line);
          if ('error' in parsed) expect(parsed.error.length).toBeLessThanOrEqual(80);
          else expect(parsed).toEqual({ cmd: 'rotate' });
        },
      ),
      { numRuns: fuzzRuns() },
    );
  });
});
