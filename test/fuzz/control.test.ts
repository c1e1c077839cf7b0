/**
 * Arbitrary bytes to the control socket: the client gets at most one short JSON answer line, or a close;
 * the server never crashes, and answers a good request afterwards.
 */
import { createConnection } from 'node:net';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ControlServer, sendControl, type ControlAnswer } from '../../src/station/control.js';
import { removeFolder, tempFolder } from '../journal/fixtures/helpers.js';
import { fuzzRuns } from './runs.js';

const ROTATED: ControlAnswer = { ok: true, file: null, lines: 0 };
let dir: string;
let socketPath: string;
let server: ControlServer;
let rotations = 0;

beforeAll(async () => {
  dir = tempFolder('offcirc-fuzz-control-');
  socketPath = path.join(dir, 'OffCirc.dat.sock');
  server = new ControlServer(
    socketPath,
    () => {
      rotations += 1;
      return Promise.resolve(ROTATED);
    },
    { maxRequestBytes: 1024, maxConnections: 8, idleMs: 150 },
  );
  expect(await server.start()).toBeUndefined();
});

afterAll(async () => {
  await server.stop();
  removeFolder(dir);
});

/** Sends `chunks`, then either half-closes or just waits; resolves with what came back before the close. */
function exchange(chunks: Uint8Array[], halfClose: boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(socketPath);
    let text = '';
    socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      // The server may close while we still write: a reset is a close.
      if (error.code === 'EPIPE' || error.code === 'ECONNRESET') return;
      reject(error);
    });
    socket.on('close', () => resolve(text));
    socket.on('connect', () => {
      for (const c of chunks) socket.write(c);
      if (halfClose) socket.end();
    });
  });
}

const bytes = fc.oneof(
  fc.uint8Array({ maxLength: 64 }),
  fc.uint8Array({ minLength: 900, maxLength: 3000 }),
  fc
    .tuple(fc.jsonValue(), fc.boolean())
    .map(([v, newline]) => new TextEncoder().encode(`${JSON.stringify(v)}${newline ? '\n' : ''}`)),
  fc
    .constantFrom('{"cmd":"rotate"}\n', '{"cmd":"rotate"}', '\n', '{"cmd":"rotate"}\n{"cmd":"rotate"}\n')
    .map((s) => new TextEncoder().encode(s)),
);

describe('control socket, fuzzed', () => {
  it(
    'gives one bounded answer or a close for any bytes, and still answers a good request',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(bytes, { minLength: 1, maxLength: 3 }),
          fc.boolean(),
          async (chunks, halfClose) => {
            const before = rotations;
            const text = await exchange(chunks, halfClose);
            expect(text.length).toBeLessThanOrEqual(200);
            if (text !== '') {
              expect(text.endsWith('\n')).toBe(true);
              expect(text.indexOf('\n')).toBe(text.length - 1);
              const answer = JSON.parse(text) as ControlAnswer;
              // A rotation happens only for a request that really was `{"cmd":"rotate"}`, and once.
              if (answer.ok) expect(rotations).toBe(before + 1);
              else expect(rotations).toBe(before);
            }
            expect(await sendControl(socketPath, { cmd: 'rotate' }, 2000)).toEqual(ROTATED);
          },
        ),
        { numRuns: fuzzRuns() },
      );
      // Cases that send no newline wait out the 150 ms deadline: allow for that under `npm run fuzz`.
    },
    10_000 + fuzzRuns() * 200,
  );
});
