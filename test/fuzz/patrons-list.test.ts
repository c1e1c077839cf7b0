/**
 * The patron list file and the rows that fill it: any set of identifiers, flags and dates written by the
 * builder reads back with every identifier found with its own (merged) entry and others not; any bytes
 * at all are refused with an Error or read as a list whose lookups never throw; any JSON value as an Alma
 * user and any fields as a CSV row give an entry or a reason, never an exception.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ListBuilder } from '../../src/patrons/build.js';
import { HEADER_BYTES, MAGIC, PatronList, writeHeader } from '../../src/patrons/format.js';
import { almaEntry, csvEntry } from '../../src/patrons/rows.js';
import { fuzzRuns } from './runs.js';

const id = fc.string({ unit: fc.constantFrom('2', '1', '0', 'A', '-', 'x'), minLength: 1, maxLength: 6 });
const entry = fc.record({
  ids: fc.array(id, { minLength: 1, maxLength: 3 }),
  blocked: fc.boolean(),
  inactive: fc.boolean(),
  expiry: fc.option(fc.integer({ min: 20000101, max: 20991231 }), { nil: undefined }),
});

describe('fuzz: the patron list file', () => {
  it('finds every identifier written, with the worst flags and the latest expiry of its rows, and nothing else', () => {
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 40 }), fc.array(id, { maxLength: 10 }), (entries, others) => {
        const builder = new ListBuilder();
        const expected = new Map<string, { blocked: boolean; inactive: boolean; expiry: number }>();
        for (const e of entries) {
          builder.add(e);
          for (const i of new Set(e.ids)) {
            const was = expected.get(i);
            const expiry = e.expiry ?? 0;
            expected.set(i, {
              blocked: e.blocked || (was?.blocked ?? false),
              inactive: e.inactive || (was?.inactive ?? false),
              expiry:
                was === undefined
                  ? expiry
                  : was.expiry === 0 || expiry === 0
                    ? 0
                    : Math.max(was.expiry, expiry),
            });
          }
        }
        const { entries: sorted, count } = builder.sorted();
        expect(count).toBe(expected.size);
        const list = PatronList.fromBuffer(Buffer.concat([writeHeader(builder.key, 0, count), sorted]));
        for (const [i, want] of expected)
          expect(list.lookup(i)).toEqual({
            blocked: want.blocked,
            inactive: want.inactive,
            ...(want.expiry !== 0 && { expiry: want.expiry }),
          });
        for (const other of others) if (!expected.has(other)) expect(list.lookup(other)).toBeNull();
      }),
      { numRuns: fuzzRuns() },
    );
  });

  it('any bytes: refused with an Error, or a list whose lookups never throw', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 200 }),
        fc.boolean(),
        fc.nat(12),
        id,
        (bytes, magic, count, probe) => {
          const data = Buffer.from(bytes);
          if (magic && data.length >= HEADER_BYTES) {
            MAGIC.copy(data, 0);
            data.writeUInt32BE(count, 56);
          }
          let list: PatronList | undefined;
          try {
            list = PatronList.fromBuffer(data);
          } catch (error) {
            expect(error).toBeInstanceOf(Error);
            return;
          }
          const found = list.lookup(probe);
          expect(found === null || typeof found === 'object').toBe(true);
        },
      ),
      { numRuns: fuzzRuns() },
    );
  });
});

describe('fuzz: rows', () => {
  it('any JSON value as an Alma user: an entry with printable identifiers, or a reason', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.jsonValue(),
          fc.record(
            {
              primary_id: fc.jsonValue(),
              user_identifier: fc.jsonValue(),
              status: fc.jsonValue(),
              expiry_date: fc.jsonValue(),
              user_block: fc.jsonValue(),
            },
            { requiredKeys: [] },
          ),
        ),
        (user) => {
          const result = almaEntry(user, 20261202);
          if (typeof result === 'string') expect(result.length).toBeGreaterThan(0);
          else for (const i of result.ids) expect(i).toMatch(/^[\x21-\x7e]{1,256}$/);
        },
      ),
      { numRuns: fuzzRuns() },
    );
  });

  it('any fields as a CSV row: an entry with a printable card number, or a reason', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 12 }), { maxLength: 5 }), (fields) => {
        const result = csvEntry(fields, { barcode: 0, status: 1, expiry: 2, blocked: 3 });
        if (typeof result === 'string') expect(result.length).toBeGreaterThan(0);
        else expect(result.ids[0]).toMatch(/^[\x21-\x7e]{1,256}$/);
      }),
      { numRuns: fuzzRuns() },
    );
  });
});
