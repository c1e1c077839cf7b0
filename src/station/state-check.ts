/**
 * The state file's shape (`StationState`) and its check, without zod: the state file is read at every
 * start, and zod is the largest module a start would load for it. `checkState` accepts exactly what the
 * zod schema in state-schema.ts accepts and returns what it returns (unknown keys dropped);
 * test/station/state-check.test.ts holds the two together with fast-check. Cost: one pass over the data.
 */

export interface StationState {
  mode?: 'loan' | 'return';
  today: { day: string; loans: number; returns: number; rejections: number };
  rotations: { file: string; lines: number; at: string }[];
}

/** The state file's data is not a station state: `message` says where and what was expected. */
export class StateShapeError extends Error {
  override readonly name = 'StateShapeError';
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function field<T>(
  object: Record<string, unknown>,
  key: string,
  at: string,
  ok: (value: unknown) => value is T,
  expected: string,
): T {
  const value = object[key];
  if (!ok(value)) throw new StateShapeError(`${at}${key}: expected ${expected}`);
  return value;
}

const isText = (value: unknown): value is string => typeof value === 'string';
/** zod's .int() is a safe integer. */
const isCount = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0;

/** The station state in `data`, with only its own keys; throws StateShapeError when it isn't one. */
export function checkState(data: unknown): StationState {
  if (!isObject(data)) throw new StateShapeError('(top level): expected an object');
  const state: StationState = {
    today: { day: '', loans: 0, returns: 0, rejections: 0 },
    rotations: [],
  };
  if (data.mode !== undefined)
    state.mode = field(data, 'mode', '', (v) => v === 'loan' || v === 'return', '"loan" or "return"');
  const today = field(data, 'today', '', isObject, 'an object');
  state.today = {
    day: field(today, 'day', 'today.', isText, 'a text'),
    loans: field(today, 'loans', 'today.', isCount, 'a whole number of 0 or more'),
    returns: field(today, 'returns', 'today.', isCount, 'a whole number of 0 or more'),
    rejections: field(today, 'rejections', 'today.', isCount, 'a whole number of 0 or more'),
  };
  const rotations = field(data, 'rotations', '', Array.isArray, 'a list');
  state.rotations = rotations.map((r: unknown, i) => {
    const at = `rotations[${i}].`;
    if (!isObject(r)) throw new StateShapeError(`rotations[${i}]: expected an object`);
    return {
      file: field(r, 'file', at, isText, 'a text'),
      lines: field(r, 'lines', at, isCount, 'a whole number of 0 or more'),
      at: field(r, 'at', at, isText, 'a text'),
    };
  });
  return state;
}
