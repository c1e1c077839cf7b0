/**
 * The forwarder: a StationOutput that sends every durable journal line to PostgreSQL, exactly once, and
 * the station's status for the dashboard. It reads the lines from the files (never from the scan), in
 * order and in batches, keyed by (station, generation, line) and inserted with ON CONFLICT DO NOTHING;
 * its cursor moves only after COMMIT. onEvent() only notes "there is more" and wakes its loop: nothing in
 * the scan path waits for the network. A rotation ends a generation: the rotated file is finished from
 * the outbox before the next one starts.
 *
 * The SQL is in database.ts, the outbox look-ups in rotated.ts, the file reading in tail.ts.
 *
 * Cost per batch: one read of the new bytes, one transaction, one cursor write (a rename).
 *
 * Why one file over 300 lines: the cursor, the generations and the batches are one loop's state, and
 * exactly-once depends on them changing together; the parts that stand alone are apart (tail.ts,
 * rotated.ts, cursor.ts, database.ts, record.ts).
 */
import { open, type FileHandle } from 'node:fs/promises';
import type pg from 'pg';
import type { Log } from '../log.js';
import type { StationEvent, StationOutput } from '../station/ports.js';
import type { StationView } from '../station/view.js';
import { connect, describeDatabaseError, showUrl, type DatabaseTarget } from './connect.js';
import {
  CursorError,
  cursorPath,
  readCursor,
  writeCursor,
  type Cursor,
  type FileIdentity,
} from './cursor.js';
import {
  ensureSchema,
  insertLines,
  lastGeneration,
  storedRecords,
  StuckError,
  upsertStatus,
} from './database.js';
import { parseRecord } from './record.js';
import { RotatedFiles } from './rotated.js';
import { countFrom, fileIdentity, readLinesAt, sameFile, skipLines } from './tail.js';

export type ForwardState = 'connecting' | 'connected' | 'behind' | 'caught-up' | 'error';

/** What the screen and the log say about forwarding. */
export interface ForwardStatus {
  state: ForwardState;
  /** Lines written but not yet confirmed by the database (as far as known). */
  behind: number;
  /** Why, in words, when `state` is `error`. */
  reason?: string;
}

export interface ForwarderOptions {
  journalPath: string;
  station: string;
  desk: string;
  library?: string;
  target: DatabaseTarget;
  log: Log;
  batchLines: number;
  retryMaxMs: number;
  statusMs: number;
  /** Told whenever the status changes (the screen redraws). */
  changed?: (status: ForwardStatus) => void;
  now?: () => number;
}

/** The file a generation is in right now, open for reading. */
interface Source {
  handle: FileHandle;
  /** Its name in the outbox when it was rotated; undefined while it is the journal. */
  outboxName?: string;
}

/** How long after a transaction the forwarder waits before reading: scans come in bursts. */
const COALESCE_MS = 100;

/** Errors of the journal's files, not of the database (a socket path's ENOENT comes from connect). */
const FILE_ERRORS = new Set(['EISDIR', 'ENOTDIR', 'EACCES', 'EPERM', 'EIO', 'ENOENT', 'EMFILE', 'ENFILE']);

export class Forwarder implements StationOutput {
  private readonly now: () => number;
  private cursor: Cursor | undefined;
  /** Byte offset just after the cursor's line in the cursor's file, once known. */
  private offset: number | undefined;
  /** Lines counted in the cursor's file so far, and where counting stopped. */
  private counted = { offset: 0, lines: 0 };
  private extra = 0;
  private client: pg.Client | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private wakeUp: (() => void) | undefined;
  private more = true;
  private statusDirty = true;
  private lastStatusAt = 0;
  private failures = 0;
  private status: ForwardStatus = { state: 'connecting', behind: 0 };
  private lastError: string | undefined;
  private view: (() => StationView) | undefined;
  private lastScanAt: number | undefined;
  private coalesce: NodeJS.Timeout | undefined;
  private startedAt = 0;
  private readonly rotated: RotatedFiles;

  /** No I/O. */
  constructor(private readonly options: ForwarderOptions) {
    this.now = options.now ?? Date.now;
    this.rotated = new RotatedFiles(options.journalPath, options.station);
  }

  /** Starts the loop and returns at once: the station never waits for the database. */
  start(view: () => StationView): void {
    this.view = view;
    this.startedAt = this.now();
    this.running = this.loop();
  }

  onEvent(event: StationEvent, view: () => StationView): void {
    this.view = view;
    if (event.type === 'transaction') {
      this.extra++;
      this.more = true;
      this.lastScanAt = event.transaction.at;
    } else if (event.type === 'rotated') this.more = true;
    else if (event.type === 'decision') this.lastScanAt = event.at;
    if (event.type === 'service' || event.type === 'device') {
      this.statusDirty = true;
      this.wakeUp?.();
    } else if (event.type === 'transaction' || event.type === 'rotated') {
      this.statusDirty = true;
      // A short wait gathers a burst of scans into one batch, and keeps the forwarder's reads and
      // writes away from the next scan's fdatasync.
      this.coalesce ??= setTimeout(() => {
        this.coalesce = undefined;
        this.wakeUp?.();
      }, COALESCE_MS);
      this.coalesce.unref();
    }
  }

  current(): ForwardStatus {
    return this.status;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.coalesce);
    this.wakeUp?.();
    // A query in flight may hang on a dead network; don't hold the shut-down for it.
    await Promise.race([this.running, new Promise((resolve) => setTimeout(resolve, 3000).unref())]);
    await this.dropClient();
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      try {
        if (!this.cursor) await this.loadCursor();
        if (!this.client) await this.open();
        const client = this.client;
        if (!client) continue;
        let progressed = false;
        if (this.more) {
          // Cleared before the step: an event during it sets it again, so no wake is lost.
          this.more = false;
          progressed = await this.step(client);
          if (progressed) this.more = true;
        }
        if (this.statusDirty || this.now() - this.lastStatusAt >= this.options.statusMs)
          await this.sendStatus(client);
        this.failures = 0;
        this.lastError = undefined;
        this.settle();
        if (!progressed) await this.sleep(this.options.statusMs, true);
      } catch (error) {
        if (this.stopped) break;
        // The journal may be what failed (the station is then out of service): the dashboard must hear it.
        const client = this.client;
        if (client && (this.statusDirty || this.now() - this.lastStatusAt >= this.options.statusMs))
          await this.sendStatus(client).catch(() => undefined);
        await this.dropClient();
        this.failed(error);
        this.failures++;
        const wait = Math.min(this.options.retryMaxMs, 250 * 2 ** Math.min(this.failures, 10));
        await this.sleep(wait, false);
        this.more = true;
      }
    }
  }

  /** Connects, makes sure offcirc's tables are there, and finds the cursor. */
  private async open(): Promise<void> {
    const client = await connect(this.options.target, { application: `offcirc ${this.options.station}` });
    try {
      await ensureSchema(client, this.options.target.url);
      if (this.cursor?.generation === 0) await this.findCursor(client);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    if (this.stopped) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    this.options.log('info', `forwarding to ${showUrl(this.options.target.url)}`, {
      event: 'forward',
      state: 'connected',
      database: showUrl(this.options.target.url),
    });
    this.set({ state: 'connected', behind: this.status.behind });
    this.more = true;
    this.statusDirty = true;
  }

  /**
   * The cursor file; without one (a first start, or lost or damaged), a cursor at generation 0 that
   * remembers from when on rotated files are ours, written at once: the database may be away for hours.
   */
  private async loadCursor(): Promise<void> {
    const file = cursorPath(this.options.journalPath);
    try {
      const cursor = await readCursor(file);
      if (cursor) {
        this.cursor = cursor;
        return;
      }
    } catch (error) {
      if (!(error instanceof CursorError)) throw error;
      this.options.log(
        'warn',
        `the forward cursor ${file} is damaged (${error.message}); finding the place again`,
        {
          event: 'forward',
          state: 'cursor',
        },
      );
    }
    await this.moveTo({ generation: 0, line: 0, file: null, since: this.startedAt });
  }

  /** Generation 0: the station's place in the database (none: 1; else the last one or the next). */
  private async findCursor(client: pg.Client): Promise<void> {
    const since = this.cursor?.since ?? this.startedAt;
    const found = await lastGeneration(client, this.options.station);
    if (!found) {
      await this.moveTo({ generation: 1, line: 0, file: null, since });
      return;
    }
    const resumed = await this.matchJournal(client, found.generation, found.line);
    await this.moveTo(resumed ?? { generation: found.generation + 1, line: 0, file: null, since });
    this.options.log(
      resumed ? 'info' : 'warn',
      resumed
        ? `no forward cursor: the journal matches generation ${found.generation} in the database, resuming after line ${found.line}`
        : `no forward cursor: the journal is not the last generation in the database, forwarding it as generation ${found.generation + 1}`,
      { event: 'forward', state: 'cursor', generation: found.generation + (resumed ? 0 : 1) },
    );
  }

  /** The cursor for the journal if its first and `line`th lines are those of `generation` in the database. */
  private async matchJournal(
    client: pg.Client,
    generation: number,
    line: number,
  ): Promise<Cursor | undefined> {
    const handle = await open(this.options.journalPath, 'r').catch(() => undefined);
    if (!handle) return undefined;
    try {
      const id = await fileIdentity(handle);
      const first = await readLinesAt(handle, 0, 1);
      const skip = await skipLines(handle, line - 1);
      const nth = await readLinesAt(handle, skip.offset, 1);
      const byLine = await storedRecords(client, this.options.station, generation, [1, line]);
      if (id && first.lines[0] === byLine.get(1) && nth.lines[0] === byLine.get(line))
        return { generation, line, file: id };
      return undefined;
    } finally {
      await handle.close();
    }
  }

  /** Forwards one batch, or finishes a generation; false when there is nothing to do now. */
  private async step(client: pg.Client): Promise<boolean> {
    if (!this.cursor || this.cursor.generation === 0) return false;
    const journal = await open(this.options.journalPath, 'r').catch(() => undefined);
    let source: Source | undefined;
    try {
      const journalId = journal ? await fileIdentity(journal) : null;
      if (this.cursor.file === null) {
        // Rotated since we began waiting (the database away all along): that file comes first.
        const first = (await this.rotated.since(this.cursor.since)) ?? journalId;
        if (!first) return false;
        await this.moveTo({ generation: this.cursor.generation, line: 0, file: first });
      }
      const cursor = this.cursor;
      if (journal && sameFile(cursor.file, journalId)) source = { handle: journal };
      else {
        const found = await this.rotated.find(cursor.file);
        source = found && { handle: found.handle, outboxName: found.name };
      }
      if (!source) {
        // Gone (deleted after upload?) before we finished it: say what can't be forwarded, move on.
        const notForwarded = Math.max(0, this.counted.lines - cursor.line);
        this.options.log(
          notForwarded > 0 ? 'error' : 'info',
          `the file of generation ${cursor.generation} is gone from the journal and the outbox` +
            (notForwarded > 0 ? `; ${notForwarded} line(s) of it were not forwarded` : ''),
          { event: 'forward', state: 'generation', generation: cursor.generation, notForwarded },
        );
        await this.nextGeneration(undefined, journalId);
        return true;
      }
      if (this.offset === undefined) {
        const skipped = await skipLines(source.handle, cursor.line);
        if (skipped.lines < cursor.line)
          throw new StuckError(
            `the file of generation ${cursor.generation} has ${skipped.lines} line(s) but ${cursor.line} were forwarded: it was cut short outside offcirc`,
          );
        this.offset = skipped.offset;
        this.counted = { offset: skipped.offset, lines: cursor.line };
      }
      const read = await readLinesAt(source.handle, this.offset, this.options.batchLines);
      if (read.lines.length === 0) {
        if (source.outboxName === undefined) return false;
        await this.nextGeneration(source.outboxName, journalId);
        return true;
      }
      // Lines before one that is not a record go; forwarding then waits at that one (send() says why).
      const bad = read.lines.findIndex((text) => typeof parseRecord(text) === 'string');
      if (bad > 0) {
        read.lines.length = bad;
        read.next = (await skipLines(source.handle, cursor.line + bad)).offset;
      }
      await this.send(client, cursor, read.lines);
      const line = cursor.line + read.lines.length;
      // Count what waits after this batch, reading only bytes not counted before.
      if (read.next > this.counted.offset) this.counted = { offset: read.next, lines: line };
      const more = await countFrom(source.handle, this.counted.offset);
      this.counted = { offset: more.offset, lines: this.counted.lines + more.lines };
      this.offset = read.next;
      await this.moveTo({ ...cursor, line: cursor.line + read.lines.length });
      this.extra = 0;
      this.set({ state: this.behind() > 0 ? 'behind' : 'caught-up', behind: this.behind() });
      return true;
    } finally {
      await journal?.close().catch(() => undefined);
      if (source && source.handle !== journal) await source.handle.close().catch(() => undefined);
    }
  }

  private behind(): number {
    return Math.max(0, this.counted.lines - (this.cursor?.line ?? 0));
  }

  /** Inserts the lines after the cursor in one transaction (database.ts). */
  private async send(client: pg.Client, cursor: Cursor, lines: string[]): Promise<void> {
    const rows = lines.map((text, i) => {
      const row = parseRecord(text);
      if (typeof row === 'string')
        throw new StuckError(
          `line ${cursor.line + i + 1} of generation ${cursor.generation} is not an OffCirc.dat record (${row}); forwarding waits here`,
        );
      return row;
    });
    const { station, desk, library } = this.options;
    await insertLines(client, {
      station,
      desk,
      library,
      generation: cursor.generation,
      first: cursor.line + 1,
      rows,
    });
  }

  /**
   * The generation after the one finished: the next rotated file after `after` in the outbox (two
   * rotations while the database was away), else the journal.
   */
  private async nextGeneration(after: string | undefined, journalId: FileIdentity | null): Promise<void> {
    const cursor = this.cursor;
    if (!cursor) return;
    let next = (after !== undefined ? await this.rotated.after(after) : null) ?? journalId;
    if (next && sameFile(next, cursor.file)) next = null;
    this.options.log('info', `generation ${cursor.generation} forwarded (${cursor.line} line(s))`, {
      event: 'forward',
      state: 'generation',
      generation: cursor.generation,
      lines: cursor.line,
    });
    this.offset = undefined;
    this.counted = { offset: 0, lines: 0 };
    await this.moveTo({
      generation: cursor.generation + 1,
      line: 0,
      file: next,
      ...(next === null && { since: this.now() }),
    });
  }

  private async moveTo(cursor: Cursor): Promise<void> {
    const before = this.cursor;
    if (cursor.line === 0) {
      this.offset = 0;
      this.counted = { offset: 0, lines: 0 };
    } else if (!before || before.generation !== cursor.generation || !sameFile(before.file, cursor.file)) {
      // Another file, or a place found again: where its line starts must be read from the file.
      this.offset = undefined;
    }
    await writeCursor(cursorPath(this.options.journalPath), cursor);
    this.cursor = cursor;
  }

  /** The station's row for the dashboard: in service, scanners, last scan, lines today, lines behind. */
  private async sendStatus(client: pg.Client): Promise<void> {
    const view = this.view?.();
    if (!view) return;
    this.statusDirty = false;
    this.lastStatusAt = this.now();
    await upsertStatus(client, {
      station: this.options.station,
      desk: this.options.desk,
      library: this.options.library,
      inService: view.inService,
      reason: view.outOfServiceReason,
      scanners: view.devices.map((d) => ({ id: d.id, status: d.status, message: d.message })),
      lastScan: this.lastScanAt,
      linesToday: view.journal.today,
      behind: this.behind() + this.extra,
      forward: this.status.state,
    });
  }

  /** After a quiet step: caught up when nothing is known to be waiting. */
  private settle(): void {
    const behind = this.behind() + this.extra;
    const state = behind > 0 ? 'behind' : 'caught-up';
    if (this.status.state !== state || this.status.behind !== behind) this.set({ state, behind });
  }

  private failed(error: unknown): void {
    const fsError = error as NodeJS.ErrnoException;
    const reason =
      error instanceof StuckError || error instanceof CursorError
        ? error.message
        : fsError?.code !== undefined && FILE_ERRORS.has(fsError.code) && fsError.syscall !== 'connect'
          ? `can't read the journal (${fsError.path ?? this.options.journalPath}: ${fsError.code})`
          : describeDatabaseError(error, this.options.target.url);
    const behind = this.behind() + this.extra;
    if (reason !== this.lastError)
      this.options.log('error', `forwarding: ${reason}`, {
        event: 'forward',
        state: 'error',
        reason,
        behind,
      });
    this.lastError = reason;
    this.set({ state: 'error', behind, reason });
  }

  /** Records the status; the log hears transitions (connected, behind N, caught up), not every batch. */
  private set(status: ForwardStatus): void {
    const before = this.status;
    this.status = status;
    if (status.state === 'caught-up' && before.state !== 'caught-up')
      this.options.log('info', 'forwarding caught up', { event: 'forward', state: 'caught-up', behind: 0 });
    else if (status.state === 'behind' && before.state !== 'behind')
      this.options.log('info', `forwarding: ${status.behind} line(s) behind`, {
        event: 'forward',
        state: 'behind',
        behind: status.behind,
      });
    if (before.state !== status.state || before.behind !== status.behind || before.reason !== status.reason)
      this.options.changed?.(status);
  }

  private async dropClient(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  /** Waits `ms`, or until woken when `wakeable`. */
  private sleep(ms: number, wakeable: boolean): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (wakeable && (this.more || this.statusDirty)) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      timer.unref();
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = () => {
        if (wakeable || this.stopped) done();
      };
    });
  }
}
