/**
 * The Alma users JSON splitter: any array of JSON values, bare or as the Users API's {"user": [...]}
 * among other keys, pretty-printed or not, cut into any chunks, comes out element by element, each
 * parsing back to what went in; any text at all is read without an exception.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { JsonArraySplitter } from '../../src/patrons/json-array.js';
import { cut, fuzzRuns } from './runs.js';

function split(chunks: string[]): { elements: unknown[]; problem: string | undefined } {
  const elements: unknown[] = [];
  const splitter = new JsonArraySplitter();
  for (const chunk of chunks) splitter.push(chunk, (text) => elements.push(JSON.parse(text)));
  return { elements, problem: splitter.end() };
}

describe('fuzz: Alma users JSON', () => {
  it('gives back every element of the users array, whatever the wrapping, spacing and chunks', () => {
    fc.assert(
      fc.property(
        fc.array(fc.jsonValue({ maxDepth: 3 }), { maxLength: 6 }),
        fc.constantFrom('array', 'api'),
        fc.dictionary(
          fc.string({ maxLength: 6 }).filter((k) => k !== 'user'),
          fc.jsonValue({ maxDepth: 2 }),
          { maxKeys: 3 },
        ),
        fc.constantFrom(0, 2),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 5 }),
        (users, form, others, indent, cuts) => {
          // JSON.parse(JSON.stringify(x)) is what a file can hold (-0 becomes 0).
          const expected = JSON.parse(JSON.stringify(users)) as unknown[];
          const text =
            form === 'array'
              ? JSON.stringify(users, null, indent)
              : JSON.stringify({ ...others, user: users, total_record_count: users.length }, null, indent);
          const got = split(cut(text, cuts));
          expect(got.problem).toBeUndefined();
          expect(got.elements).toEqual(expected);
        },
      ),
      { numRuns: fuzzRuns() },
    );
  });

  it('reads any text without an exception, and says what is wrong when it holds no complete users array', () => {
    fc.assert(
      fc.property(
        fc.string({
          unit: fc.constantFrom('{', '}', '[', ']', '"', '\\', ',', ':', 'u', 'user', '1', ' '),
          maxLength: 40,
        }),
        (text) => {
          const splitter = new JsonArraySplitter();
          splitter.push(text, () => undefined);
          const problem = splitter.end();
          expect(problem === undefined || problem.length > 0).toBe(true);
        },
      ),
      { numRuns: fuzzRuns() },
    );
  });
});
