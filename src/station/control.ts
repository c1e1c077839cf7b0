/**
 * The running station's control socket (`<journal>.sock`): how `offcirc rotate` asks the process that holds
 * the journal to rotate it, so the rotation runs in the same queue as the scans and no line is lost,
 * doubled or split. One JSON request per connection, one JSON answer.
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { lstatSync } from 'node:fs';
import { chmod, chown, lstat, stat, unlink } from 'node:fs/promises';
import { userName } from '../safe-file.js';
import path from 'node:path';

export type ControlRequest = { cmd: 'rotate' };
export type ControlAnswer = { ok: true; file: string | null; lines: number } | { ok: false; error: string };

/** Unix socket paths are limited to 107 bytes on Linux. */
const MAX_SOCKET_PATH = 107;

export const controlSocketPath = (journalPath: string): string => `${journalPath}.sock`;

/**
 * What one client may cost: a request is one short line (`{"cmd":"rotate"}` is 16 bytes), a client
 * that sends nothing is let go, and only a few are served at once (each beyond is closed at once).
 */
export interface ControlLimits {
  /** Bytes of a request line, newline included. */
  maxRequestBytes: number;
  /** Connections at once. */
  maxConnections: number;
  /** How long a client may take to send its request. */
  idleMs: number;
}

export const CONTROL_LIMITS: ControlLimits = { maxRequestBytes: 1024, maxConnections: 8, idleMs: 5000 };

const answerLine = (answer: ControlAnswer): string => `${JSON.stringify(answer)}\n`;

/** The one request there is, from a request line; an answer to send back for anything else. */
export function parseControlRequest(line: string): ControlRequest | { error: string } {
  let request: unknown;
  try {
    request = JSON.parse(line);
  } catch {
    return { error: 'not a JSON request' };
  }
  const cmd = (request as { cmd?: unknown } | null)?.cmd;
  if (typeof request !== 'object' || request === null || Array.isArray(request))
    return { error: 'not a JSON request object' };
  if (cmd !== 'rotate') return { error: `unknown request ${JSON.stringify(cmd ?? null).slice(0, 40)}` };
  return { cmd: 'rotate' };
}

/**
 * Serves the control socket. Costs per client: at most `maxRequestBytes` buffered and `idleMs` waited;
 * at most `maxConnections` clients at once. The socket is made readable and writable by its owner only
 * (group too in a setgid folder), like offcirc's files. stop() removes the socket file only if this server
 * made it and it is still there: a second offcirc refused at start never touches the first one's socket.
 */
export class ControlServer {
  private server: Server | undefined;
  private readonly clients = new Set<Socket>();
  /** Inode of the socket file we made, to remove only that one. */
  private made: number | undefined;

  /** No I/O. */
  constructor(
    private readonly path: string,
    private readonly handle: (request: ControlRequest) => Promise<ControlAnswer>,
    private readonly limits: ControlLimits = CONTROL_LIMITS,
  ) {}

  /**
   * Listens. Call it only while holding the journal's lock: a socket file left at the path is then from
   * a process that is gone, and is replaced. Gives back a reason (and listens not) when the path is too
   * long for a socket or something other than a socket is there.
   */
  async start(): Promise<string | undefined> {
    if (Buffer.byteLength(this.path) > MAX_SOCKET_PATH)
      return `the journal's path is too long for a control socket (${this.path}); stop the kiosk before "offcirc rotate"`;
    const existing = await lstat(this.path).catch(() => undefined);
    if (existing && !existing.isSocket())
      return `${this.path} is there and is not a socket (a file or link someone put there); remove it, then restart offcirc`;
    if (existing) await unlink(this.path).catch(() => undefined);
    const server = createServer((socket) => this.serve(socket));
    server.maxConnections = this.limits.maxConnections;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.path, () => resolve());
    });
    server.on('error', () => undefined);
    this.server = server;
    const made = await lstat(this.path);
    this.made = made.ino;
    const folder = await stat(path.dirname(this.path));
    // Whoever can connect can rotate: the folder's owner (and its group when the installer set one).
    await chmod(this.path, folder.mode & 0o2000 ? 0o660 : 0o600);
    if (made.uid !== folder.uid && process.geteuid?.() === 0)
      await chown(this.path, folder.uid, folder.gid).catch(() => undefined);
    return undefined;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return; // never listened: the socket there (if any) is someone else's
    for (const client of this.clients) client.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const now = await lstat(this.path).catch(() => undefined);
    if (now?.ino === this.made) await unlink(this.path).catch(() => undefined);
    this.made = undefined;
  }

  /** One request line in, one answer line out; anything too long, too slow or unknown gets a short answer. */
  private serve(socket: Socket): void {
    this.clients.add(socket);
    socket.on('close', () => this.clients.delete(socket));
    socket.on('error', () => undefined);
    // A deadline from the connection on, not an idle timer: a byte every few seconds must not hold a slot.
    let deadline = setTimeout(() => socket.destroy(), this.limits.idleMs);
    socket.on('close', () => clearTimeout(deadline));
    const chunks: Buffer[] = [];
    let size = 0;
    const refuse = (error: string) => {
      socket.removeListener('data', onData);
      socket.end(answerLine({ ok: false, error }));
      // A client that doesn't read its answer, or keeps sending, must not hold the connection either.
      clearTimeout(deadline);
      deadline = setTimeout(() => socket.destroy(), this.limits.idleMs);
    };
    const onData = (chunk: Buffer) => {
      const newline = chunk.indexOf(0x0a);
      const take = newline >= 0 ? chunk.subarray(0, newline) : chunk;
      size += take.length;
      if (size >= this.limits.maxRequestBytes)
        return refuse(`request longer than ${this.limits.maxRequestBytes} bytes`);
      chunks.push(take);
      if (newline < 0) return;
      socket.removeListener('data', onData);
      socket.pause();
      const request = parseControlRequest(Buffer.concat(chunks).toString('utf8'));
      if ('error' in request) return refuse(request.error);
      // The rotation waits its turn behind the scans: no deadline while it runs.
      clearTimeout(deadline);
      void this.handle(request).then(
        (answer) => socket.end(answerLine(answer)),
        (error: unknown) => socket.end(answerLine({ ok: false, error: (error as Error).message })),
      );
    };
    socket.on('data', onData);
  }
}

/**
 * Sends one request to the station holding the journal. Resolves undefined when no station listens
 * there (no socket, or a socket left by one that is gone).
 */
export function sendControl(
  socketPath: string,
  request: ControlRequest,
  timeoutMs = 30_000,
): Promise<ControlAnswer | undefined> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(socketPath);
    let answer = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the running offcirc did not answer within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(`${JSON.stringify(request)}\n`));
    socket.on('data', (chunk: string) => {
      answer += chunk;
      if (answer.length > 65536) socket.destroy(new Error('the running offcirc gave an overlong answer'));
    });
    socket.on('end', () => {
      clearTimeout(timer);
      try {
        resolve(JSON.parse(answer) as ControlAnswer);
      } catch {
        reject(new Error(`the running offcirc gave an unreadable answer: ${answer.slice(0, 200)}`));
      }
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      if (error.code === 'ENOENT' || error.code === 'ECONNREFUSED') resolve(undefined);
      else if (error.code === 'EACCES') {
        // The socket serves the kiosk's user and root only: say who may ask.
        const owner = lstatSync(socketPath, { throwIfNoEntry: false })?.uid;
        const who = owner === undefined ? "the kiosk's user" : userName(owner);
        const as = who === 'root' ? 'root' : `${who} or root`;
        reject(new Error(`${socketPath}: permission denied; run offcirc rotate as ${as}`));
      } else reject(error);
    });
  });
}
