/** Terminal streams for runScreen in a test: what Ink reads from and writes to, kept in memory. */
import { EventEmitter } from 'node:events';

/** A terminal input stream as Ink reads it: 'readable' then read(). */
export class TerminalInput extends EventEmitter {
  isTTY = true;
  private queued: string | null = null;
  setEncoding() {}
  setRawMode() {}
  ref() {}
  unref() {}
  resume() {}
  pause() {}
  read = () => {
    const data = this.queued;
    this.queued = null;
    return data;
  };
  type(data: string) {
    this.queued = data;
    this.emit('readable');
  }
}

/** A terminal output stream that keeps everything written to it. */
export class TerminalOutput extends EventEmitter {
  isTTY: boolean;
  columns = 80;
  rows = 24;
  written = '';
  constructor(isTTY = true) {
    super();
    this.isTTY = isTTY;
  }
  write = (data: string) => {
    this.written += data;
    return true;
  };
}
