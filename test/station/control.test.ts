/**
 * The control socket against a flood (a client that never sends a newline, many idle clients), a second
 * offcirc that never listened, and whatever sits at its path; on a real Unix socket.
 */
import { createConnection, type Socket } from 'node:net';
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ControlServer,
  sendControl,
  type ControlAnswer,
  type ControlLimits,
} from '../../src/station/control.js';
import { removeFolder, tempFolder } from '../journal/fixtures/helpers.js';

let dir: string;
let socketPath: string;
let servers: ControlServer[];
let clients: Socket[];
let umask: number;

const ROTATED: ControlAnswer = { ok: true, file: '/x/OffCirc-a.dat', lines: 3 };

function server(limits?: Partial<ControlLimits>): ControlServer {
  const s = new ControlServer(socketPath, () => Promise.resolve(ROTATED), {
    maxRequestBytes: 1024,
    maxConnections: 8,
    idleMs: 5000,
    ...limits,
  });
  servers.push(s);
  return s;
}

/** Connects and collects what comes back until the server closes the connection. */
function connect(): { socket: Socket; answer: Promise<{ text: string; ms: number }> } {
  const socket = createConnection(socketPath);
  clients.push(socket);
  const began = Date.now();
  let text = '';
  socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
  const answer = new Promise<{ text: string; ms: number }>((resolve) => {
    socket.on('close', () => resolve({ text, ms: Date.now() - began }));
    socket.on('error', () => undefined);
  });
  return { socket, answer };
}

beforeEach(() => {
  dir = tempFolder('offcirc-control-');
  socketPath = path.join(dir, 'OffCirc.dat.sock');
  servers = [];
  clients = [];
  umask = process.umask();
});

afterEach(async () => {
  process.umask(umask);
  for (const c of clients) c.destroy();
  for (const s of servers) await s.stop();
  removeFolder(dir);
});

describe('control socket limits', () => {
  it('a client that never sends a newline gets one short refusal and is closed, after at most the request limit', async () => {
    await server().start();
    const { socket, answer } = connect();
    const megabyte = Buffer.alloc(1 << 20, 0x61);
    socket.write(megabyte);
    const { text } = await answer;
    expect(text).toBe(`${JSON.stringify({ ok: false, error: 'request longer than 1024 bytes' })}\n`);
    expect(await sendControl(socketPath, { cmd: 'rotate' })).toEqual(ROTATED);
  });

  it('idle clients are let go after the deadline, those beyond the connection limit at once; a good request is still answered', async () => {
    await server({ idleMs: 400, maxConnections: 4 }).start();
    const idle = Array.from({ length: 40 }, () => connect());
    const results = await Promise.all(idle.map((c) => c.answer));
    const quick = results.filter((r) => r.ms < 300).length;
    expect(quick).toBeGreaterThanOrEqual(36);
    // The 4 let in are let go at their deadline: a server that never did would hang here (test timeout).
    for (const r of results) expect(r.text).toBe('');
    expect(await sendControl(socketPath, { cmd: 'rotate' })).toEqual(ROTATED);
  });

  it('a slow client (a byte now and then) is let go at the deadline from its connection', async () => {
    await server({ idleMs: 400 }).start();
    const { socket, answer } = connect();
    const dribble = setInterval(() => socket.write('a'), 50);
    // Let go while it still sends: a deadline reset by each byte would never come (test timeout).
    const { text } = await answer;
    clearInterval(dribble);
    expect(text).toBe('');
  });

  it.each([
    ['null', 'not a JSON request object'],
    ['[1,2]', 'not a JSON request object'],
    ['"rotate"', 'not a JSON request object'],
    ['{"cmd":"delete"}', 'unknown request "delete"'],
    ['{', 'not a JSON request'],
  ])('answers %s with a reason, and lives on', async (line, error) => {
    await server().start();
    const { socket, answer } = connect();
    socket.write(`${line}\n`);
    expect((await answer).text).toBe(`${JSON.stringify({ ok: false, error })}\n`);
    expect(await sendControl(socketPath, { cmd: 'rotate' })).toEqual(ROTATED);
  });
});

describe('control socket file', () => {
  it("stop() of a server that never listened (a second offcirc refused at start) leaves the first one's socket", async () => {
    await server().start();
    const second = new ControlServer(socketPath, () => Promise.resolve(ROTATED));
    await second.stop();
    expect(lstatSync(socketPath).isSocket()).toBe(true);
    expect(await sendControl(socketPath, { cmd: 'rotate' })).toEqual(ROTATED);
  });

  it('something else than a socket at its path is left alone, with a reason', async () => {
    writeFileSync(socketPath, 'notes');
    const reason = await server().start();
    expect(reason).toBe(
      `${socketPath} is there and is not a socket (a file or link someone put there); remove it, then restart offcirc`,
    );
    expect(existsSync(socketPath)).toBe(true);
  });

  it('only its owner may connect, whatever the umask', async () => {
    process.umask(0);
    await server().start();
    expect(statSync(socketPath).mode & 0o777).toBe(0o600);
  });

  it.runIf(process.geteuid?.() === 0)('another user (nobody, as root only) is told who may ask', async () => {
    await server().start();
    chmodSync(dir, 0o755);
    const script = `import { sendControl } from ${JSON.stringify(path.resolve(import.meta.dirname, '../../dist/station/control.js'))};
sendControl(${JSON.stringify(socketPath)}, { cmd: 'rotate' }).then((a) => console.log('answered', a), (e) => console.log(e.message));`;
    const out = await new Promise<string>((resolve) =>
      execFile(
        'runuser',
        ['-u', 'nobody', '--', process.execPath, '--input-type=module', '-e', script],
        (_e, stdout) => resolve(stdout),
      ),
    );
    expect(out.trim()).toBe(`${socketPath}: permission denied; run offcirc rotate as root`);
  });
});
