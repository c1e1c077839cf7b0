/**
 * Test printers on real transports: a TCP listener on 127.0.0.1 and the host end of a socat pty, each
 * recording every byte offcirc sends and, if told to, answering the paper status request (DLE EOT 4)
 * with a given status byte, as a printer does. A TCP printer can also be one that never reads.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { PtyPair } from '../helpers/pty.js';

const STATUS_REQUEST = Buffer.from([0x10, 0x04, 0x04]);

/** How many status requests `bytes` holds. */
export const statusRequests = (bytes: Buffer): number => {
  let n = 0;
  for (let i = bytes.indexOf(STATUS_REQUEST); i >= 0; i = bytes.indexOf(STATUS_REQUEST, i + 3)) n++;
  return n;
};

export interface TcpPrinter {
  port: number;
  /** Everything received, over every connection. */
  received(): Buffer;
  connections(): number;
  /** Connections open now. */
  open(): number;
  /** The status byte answered from now on; undefined: never answer. */
  answer: number | undefined;
  close(): Promise<void>;
}

/** A listener on 127.0.0.1 (a free port unless `port` is given). `read: false` accepts and never reads. */
export async function tcpPrinter(
  options: { answer?: number; read?: boolean; port?: number } = {},
): Promise<TcpPrinter> {
  const chunks: Buffer[] = [];
  const sockets = new Set<Socket>();
  let connections = 0;
  const printer: TcpPrinter = {
    port: 0,
    answer: options.answer,
    received: () => Buffer.concat(chunks),
    connections: () => connections,
    open: () => sockets.size,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
  const server: Server = createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    if (options.read === false) return socket.pause();
    let asked = 0;
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      const requests = statusRequests(Buffer.concat(chunks));
      for (; asked < requests; asked++)
        if (printer.answer !== undefined) socket.write(Buffer.of(printer.answer));
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  printer.port = (server.address() as { port: number }).port;
  return printer;
}

/**
 * Answers each status request arriving at the pty's host end with `answer()` (none while it gives
 * undefined). Returns the stop function.
 */
export async function answerOnPty(pty: PtyPair, answer: () => number | undefined): Promise<() => void> {
  await pty.write(Buffer.alloc(0)); // opens the host end, so every byte from now on is recorded
  let answered = 0;
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    const requests = statusRequests(pty.received());
    if (requests < answered) answered = 0; // a replug starts the recording afresh
    if (requests === answered) return;
    const byte = answer();
    if (byte === undefined) return;
    answered++;
    busy = true;
    void pty
      .write(Buffer.of(byte))
      .catch(() => undefined)
      .finally(() => (busy = false));
  }, 5);
  return () => clearInterval(timer);
}
