/**
 * The running station's control socket (`<journal>.sock`): how `offcirc rotate` asks the process that holds
 * the journal to rotate it, so the rotation runs in the same queue as the scans and no line is lost,
 * doubled or split. One JSON request per connection, one JSON answer.
 */
import { createConnection, createServer, type Server } from 'node:net';
import { unlink } from 'node:fs/promises';

export type ControlRequest = { cmd: 'rotate' };
export type ControlAnswer = { ok: true; file: string | null; lines: number } | { ok: false; error: string };

/** Unix socket paths are limited to 107 bytes on Linux. */
const MAX_SOCKET_PATH = 107;

export const controlSocketPath = (journalPath: string): string => `${journalPath}.sock`;

export class ControlServer {
  private server: Server | undefined;

  constructor(
    private readonly path: string,
    private readonly handle: (request: ControlRequest) => Promise<ControlAnswer>,
  ) {}

  /** Listens; a path too long for a socket is given back as a reason (rotation then needs the kiosk stopped). */
  async start(): Promise<string | undefined> {
    if (Buffer.byteLength(this.path) > MAX_SOCKET_PATH)
      return `the journal's path is too long for a control socket (${this.path}); stop the kiosk before "offcirc rotate"`;
    // The lock is ours, so a socket file left here is from a process that is gone.
    await unlink(this.path).catch(() => undefined);
    const server = createServer((socket) => {
      let input = '';
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => {
        input += chunk;
        if (!input.includes('\n') || input.length > 4096) return;
        let request: ControlRequest;
        try {
          request = JSON.parse(input.split('\n')[0]!) as ControlRequest;
        } catch {
          socket.end(`${JSON.stringify({ ok: false, error: 'not a JSON request' })}\n`);
          return;
        }
        if (request.cmd !== 'rotate') {
          socket.end(
            `${JSON.stringify({ ok: false, error: `unknown request ${JSON.stringify(request.cmd)}` })}\n`,
          );
          return;
        }
        void this.handle(request).then(
          (answer) => socket.end(`${JSON.stringify(answer)}\n`),
          (error: unknown) =>
            socket.end(`${JSON.stringify({ ok: false, error: (error as Error).message })}\n`),
        );
      });
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.path, () => resolve());
    });
    this.server = server;
    return undefined;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
    await unlink(this.path).catch(() => undefined);
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
    socket.on('data', (chunk: string) => (answer += chunk));
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
      else reject(error);
    });
  });
}
