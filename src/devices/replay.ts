/**
 * Plays a recording made by "offcirc devices record" as if the scanner were sending it, at the recorded
 * times, through the same code the live drivers use: HidReportReader for HID reports, LineFramer for
 * serial chunks. For trying a station, a demo, and tests without hardware. One timer at a time.
 */
import { readFile } from 'node:fs/promises';
import type { ReplayDeviceConfig } from '../config/schema.js';
import { describeInput } from '../barcode/describe.js';
import { describeDrop, LineFramer, type DroppedFragment, type FrameResult } from './framing.js';
import { HidReportReader } from './hid-reader.js';
import { parseRecording, RecordingError, type RecordedChunk } from './recording.js';
import type { Scanner, ScannerSink } from './scanner.js';

/** The decoding side of a replay: chunks in, scans and warnings out to the sink. */
interface Feed {
  push(bytes: Buffer): void;
  /** When something pending should be dropped for silence (serial), or undefined. */
  deadline(): number | undefined;
  expire(): void;
  /** End of the recording: say what was left half-read. */
  end(): void;
}

export class ReplayScanner implements Scanner {
  readonly id: string;
  /** The real clock: playback times, the framer's silence and Scan.at all follow it. */
  private readonly now = Date.now;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running = false;

  constructor(
    private readonly config: ReplayDeviceConfig,
    private readonly sink: ScannerSink,
  ) {
    this.id = config.id;
  }

  /** Reads and checks the whole recording, then starts playing it; a bad one is an error status. */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    let chunks: RecordedChunk[];
    try {
      chunks = parseRecording(await this.read(), this.config.file);
    } catch (error) {
      if (!this.running) return;
      this.running = false;
      this.sink.status({ device: this.id, status: 'error', message: (error as Error).message });
      this.sink.ended?.(this.id);
      return;
    }
    if (!this.running) return;
    const last = chunks.at(-1)?.t ?? 0;
    this.sink.status({
      device: this.id,
      status: 'connected',
      message: `playing ${this.config.file} (${chunks.length} ${this.config.as === 'serial' ? 'chunks' : 'reports'} over ${(last / 1000).toFixed(1)} s) as ${this.config.as}`,
    });
    if (chunks.length === 0) this.sink.warn(this.id, `${this.config.file} holds nothing to play`);
    this.play(chunks, this.feed());
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private async read(): Promise<string> {
    try {
      return await readFile(this.config.file, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const why =
        code === 'ENOENT'
          ? 'no such file'
          : code === 'EACCES'
            ? 'permission denied'
            : (error as Error).message;
      throw new RecordingError(this.config.file, undefined, `cannot read the recording (${why})`);
    }
  }

  /** Schedules each chunk at its time after the start (a late timer never reorders or skips one). */
  private play(chunks: RecordedChunk[], feed: Feed): void {
    const began = this.now();
    let next = 0;
    const step = () => {
      this.timer = undefined;
      if (!this.running) return;
      const elapsed = this.now() - began;
      feed.expire(); // drops a serial fragment only once its silence has really passed
      while (next < chunks.length && (chunks[next] as RecordedChunk).t <= elapsed) {
        feed.push((chunks[next] as RecordedChunk).bytes);
        next++;
        if (!this.running) return;
      }
      const following = chunks[next];
      const silenceAt = feed.deadline();
      if (following === undefined && silenceAt === undefined) return this.finish(feed);
      const waits: number[] = [];
      if (following !== undefined) waits.push(following.t - elapsed);
      if (silenceAt !== undefined) waits.push(silenceAt - this.now());
      this.timer = setTimeout(step, Math.max(0, Math.min(...waits)));
    };
    step();
  }

  private finish(feed: Feed): void {
    feed.end();
    this.running = false;
    this.sink.status({
      device: this.id,
      status: 'disconnected',
      message: `finished playing ${this.config.file}`,
    });
    this.sink.ended?.(this.id);
  }

  private feed(): Feed {
    return this.config.as === 'serial' ? this.serialFeed() : this.hidFeed();
  }

  private hidFeed(): Feed {
    const reader = new HidReportReader(
      { device: this.id, protocol: this.config.as === 'hid-pos' ? 'pos' : 'keyboard', now: this.now },
      this.sink,
    );
    return {
      push: (bytes) => reader.push(bytes),
      deadline: () => undefined,
      expire: () => undefined,
      end: () => {
        const pending = reader.reset();
        if (pending !== '')
          this.sink.warn(
            this.id,
            `the recording ends inside a scan: dropped ${describeInput(pending)} with no end`,
          );
      },
    };
  }

  /** The serial driver's framing: lines at CR/LF, a fragment left without one dropped after silenceMs. */
  private serialFeed(): Feed {
    const framer = new LineFramer({ silenceMs: this.config.silenceMs });
    const warn = (dropped: DroppedFragment | undefined) => {
      if (dropped) this.sink.warn(this.id, describeDrop(dropped, framer));
    };
    const emit = (results: FrameResult[]) => {
      for (const result of results) {
        if (result.kind === 'frame') this.sink.scan({ text: result.text, device: this.id, at: result.at });
        else warn(result);
      }
    };
    return {
      push: (bytes) => emit(framer.push(bytes, this.now())),
      deadline: () => framer.deadline(),
      expire: () => warn(framer.expire(this.now())),
      end: () => warn(framer.drop(this.now())),
    };
  }
}
