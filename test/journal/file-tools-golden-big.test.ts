/**
 * `merge` and `verify` of a larger generated pair (200 000 lines each, about 21 MB apiece: many read
 * chunks, many minutes of the duplicate window swept), byte for byte against hashes recorded from the
 * code before issue 13's changes. The small cases, and how to re-record: file-tools-golden.test.ts.
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import { Golden } from '../fixtures/offcirc/golden.js';
import { START_MINUTE, bytesOf, goodLines } from '../fixtures/offcirc/generate.js';

let g: Golden;

beforeAll(async () => {
  g = await Golden.start(GOLDEN);
  // Over the same months, a few lines a minute; unpadded returns (written padded) in the second.
  await g.put('big-a.dat', bytesOf(goodLines({ seed: 100, count: 200_000 })));
  await g.put(
    'big-b.dat',
    bytesOf(goodLines({ seed: 101, count: 200_000, startMinute: START_MINUTE + 1, unpadded: 0.2 })),
  );
}, 60_000);

afterAll(() => g.end());

describe('file tools on a larger pair: the same answers as before, byte for byte', () => {
  it('merge and verify of two files of 200 000 lines', async () => {
    await g.expect({
      'merge big pair': () => g.merge(['big-a.dat', 'big-b.dat']),
      'merge big pair, LF': () => g.merge(['big-b.dat', 'big-a.dat'], { lineEnding: 'lf' }),
      'verify big pair': () => g.verify(['big-a.dat', 'big-b.dat'], true),
      'verify a big file twice': () => g.verify(['big-a.dat', 'big-a.dat'], false),
    });
  });
});

/** Recorded from the code of commit 23ea9e1 (before issue 13's changes to verify and merge). */
const GOLDEN: Record<string, string> = {
  'merge big pair': '54137d6f70816ea7d493221a0779435ff5806ebc2c6b99548447fc935daf7664',
  'merge big pair, LF': '6bcaaf49ed80cbc84f03abee22d2061b852adfad24529c921198b0f361f4e983',
  'verify big pair': 'b62f86288a9b0940f85a542e688d2fa2d8bc6c5d9560d3ed7def0b9f1bcf4cb5',
  'verify a big file twice': '0373ba07e070160899b75e4949c9a2ed933613b13a55603aff3b37e0ab7865ab',
};
