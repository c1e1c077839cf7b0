/**
 * Reads an open serial port on the event loop's own thread. serialport's Unix binding reads with fs.read
 * in the thread pool: every chunk a scanner sends costs a hand-off to a worker thread and back, and a
 * second one for the EAGAIN that follows it, and a scan waits for both before it can be journaled (and
 * for any slow file operation ahead of it in the pool). The port is opened non-blocking, so a read here
 * returns at once with the bytes that are there, or EAGAIN; then we wait on the binding's own poller,
 * exactly as the binding does, with the same errors: a closed port cancels the read, anything else
 * (EIO when the scanner goes away) is the disconnect serialport's stream already handles.
 */
import { readSync } from 'node:fs';

/** What this needs of serialport's Unix port binding (LinuxPortBinding, DarwinPortBinding). */
interface UnixPortBinding {
  fd: number | null;
  isOpen: boolean;
  poller: { once(event: 'readable', listener: (error: Error | null) => void): unknown };
  read(buffer: Buffer, offset: number, length: number): Promise<{ buffer: Buffer; bytesRead: number }>;
}

const TRY_AGAIN = new Set(['EAGAIN', 'EWOULDBLOCK', 'EINTR']);

function isUnixPortBinding(port: unknown): port is UnixPortBinding {
  const candidate = port as Partial<UnixPortBinding> | null | undefined;
  return (
    typeof candidate?.fd === 'number' &&
    typeof candidate.read === 'function' &&
    typeof candidate.poller?.once === 'function'
  );
}

/**
 * Makes `port` (serialport's binding of an open port, `SerialPort.port`) read on the event loop's thread.
 * Returns false, changing nothing, for any other binding (Windows keeps serialport's own reads).
 */
export function readOnEventLoop(port: unknown): boolean {
  if (!isUnixPortBinding(port)) return false;
  const readable = () =>
    new Promise<void>((resolve, reject) =>
      port.poller.once('readable', (error) => (error ? reject(error) : resolve())),
    );
  // A read that left bytes in the buffer's room drained the kernel's queue, so the next one waits for the
  // poller first: trying at once would fail with EAGAIN, and every failed readSync builds an Error with a
  // stack trace, once per scan.
  let drained = false;
  port.read = async (buffer, offset, length) => {
    if (drained) await readable();
    for (;;) {
      if (!port.isOpen || port.fd === null)
        // What serialport's stream takes as "closed while reading": it stops reading, quietly.
        throw Object.assign(new Error('Port is not open'), { canceled: true });
      try {
        const bytesRead = readSync(port.fd, buffer, offset, length, null);
        if (bytesRead > 0) {
          drained = bytesRead < length;
          return { buffer, bytesRead };
        }
      } catch (error) {
        if (!TRY_AGAIN.has((error as NodeJS.ErrnoException).code ?? '')) throw error;
      }
      // Nothing there yet (or a zero-byte read, which the binding reads past too): wait for bytes.
      await readable();
    }
  };
  return true;
}
