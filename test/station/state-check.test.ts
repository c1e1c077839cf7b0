/**
 * The state file's check without zod (state-check.ts) against its zod schema (state-schema.ts): the same
 * data accepted, the same data refused, the same result (unknown keys dropped), and the same type.
 */
import fc from 'fast-check';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { z } from 'zod';
import { checkState, StateShapeError, type StationState } from '../../src/station/state-check.js';
import { stateSchema } from '../../src/station/state-schema.js';

/** Values near the shape: right and wrong types in every position, extra keys, edge numbers. */
const number = fc.oneof(
  { weight: 40, arbitrary: fc.nat(100) },
  fc.integer({ min: -3, max: 3 }),
  fc.constantFrom(0, 1, 2 ** 53 - 1, 2 ** 53, -0, 1.5, 1e21),
  fc.double(),
);
const anything = fc.oneof(
  number,
  fc.string({ maxLength: 3 }),
  fc.constantFrom('loan', 'return', 'LOAN', null, true, [], {}),
);
const maybe = <T>(arb: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 20, arbitrary: arb }, { weight: 1, arbitrary: anything });
/** An object with these keys, now and then one left out, and now and then a key of no meaning. */
const record = (shape: Record<string, fc.Arbitrary<unknown>>) =>
  fc
    .tuple(
      fc.record(shape),
      fc.oneof({ weight: 12, arbitrary: fc.constant(null) }, fc.constantFrom(...Object.keys(shape))),
      fc.dictionary(fc.constantFrom('extra', 'Mode', '__proto__', 'toString'), anything, { maxKeys: 2 }),
    )
    .map(([known, left, extra]) => {
      const object: Record<string, unknown> = { ...extra, ...known };
      if (left !== null) delete object[left];
      return JSON.parse(JSON.stringify(object)) as unknown;
    });
const today = record({
  day: maybe(fc.string({ maxLength: 10 })),
  loans: maybe(number),
  returns: maybe(number),
  rejections: maybe(number),
});
const rotation = record({ file: maybe(fc.string()), lines: maybe(number), at: maybe(fc.string()) });
const state = record({
  mode: maybe(fc.constantFrom('loan', 'return')),
  today: maybe(today),
  rotations: maybe(fc.array(maybe(rotation), { maxLength: 3 })),
});
/** JSON numbers only: a state file is JSON (no NaN, no Infinity, no -0 after a round trip). */
const asJson = (value: unknown): unknown => JSON.parse(JSON.stringify(value) ?? 'null');

describe('checkState', () => {
  it('accepts exactly what the zod schema accepts, and returns what it returns', () => {
    const seen = { accepted: 0, refused: 0 };
    fc.assert(
      fc.property(fc.oneof({ weight: 6, arbitrary: state }, anything).map(asJson), (data) => {
        const expected = stateSchema.safeParse(data);
        let actual: StationState | StateShapeError;
        try {
          actual = checkState(data);
        } catch (error) {
          expect(error).toBeInstanceOf(StateShapeError);
          actual = error as StateShapeError;
        }
        if (expected.success) expect(actual).toStrictEqual(expected.data);
        else expect(actual).toBeInstanceOf(StateShapeError);
        seen[expected.success ? 'accepted' : 'refused']++;
      }),
      { numRuns: 3000 },
    );
    // Both sides of the line were walked, not only the refusals.
    expect(seen.accepted).toBeGreaterThan(100);
    expect(seen.refused).toBeGreaterThan(100);
  });

  it('has the type the zod schema gives', () => {
    expectTypeOf<StationState>().toEqualTypeOf<z.output<typeof stateSchema>>();
  });

  it('says where the state file is wrong', () => {
    const good = { today: { day: '2026-12-02', loans: 1, returns: 0, rejections: 0 }, rotations: [] };
    expect(checkState(good)).toStrictEqual(good);
    expect(() => checkState({ ...good, today: { ...good.today, loans: -1 } })).toThrow(
      'today.loans: expected a whole number of 0 or more',
    );
    expect(() => checkState({ ...good, rotations: [{ file: 'a', lines: 1 }] })).toThrow(
      'rotations[0].at: expected a text',
    );
    expect(() => checkState(null)).toThrow('(top level): expected an object');
  });
});
