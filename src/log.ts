/**
 * The station's log: JSON lines, one record per event, to standard output in headless mode and to the log
 * folder (log-file.ts: a file a day, owner-only, kept `keepDays` days and under `maxBytes`). Patron IDs
 * never reach it unmasked and scanned text never reaches it at all: records are built here from kiosk
 * events, a rejected scan's text is only described, and device warnings describe their input themselves.
 * Repeats are collapsed (log-collapse.ts), so no input, however fast, writes a line each.
 *
 * Cost per record: one JSON.stringify and an ISO timestamp, a Map look-up for the collapse, and a string
 * pushed onto the file's batch; no logging framework pipeline and no date formatting per write.
 */
import type { Writable } from 'node:stream';
import type { KioskEvent } from './kiosk/events.js';
import { maskPatron } from './kiosk/events.js';
import { describeInput } from './barcode/describe.js';
import { Collapser, type Collapsible } from './log-collapse.js';
import { LogFile } from './log-file.js';
import { localDate } from './local-day.js';

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';
export type LogFields = Record<string, unknown>;
/** What every part is given to log with: a plain function, never a global logger. */
export type Log = (level: LogLevel, message: string, fields?: LogFields) => void;

/** The log folder's cap when none is configured: 200 MiB (`logging.maxSizeMB`). */
export const DEFAULT_LOG_MAX_BYTES = 200 * 1024 * 1024;

export interface LoggerOptions {
  level: LogLevel;
  station: string;
  /** Headless mode: JSON lines here (standard output). */
  stream?: Writable;
  /** Daily JSON-lines files here, kept `keepDays` days and `maxBytes` in all. */
  dir?: string;
  keepDays?: number;
  /** The log folder's files together stay under this (default DEFAULT_LOG_MAX_BYTES). */
  maxBytes?: number;
  /** How long a failed log file rests before it is tried again (default 30 s). */
  fileRetryMs?: number;
  /** Repeats within this window beyond the first `collapseBurst` are counted, not written (default 60 s). */
  collapseWindowMs?: number;
  /** How many records alike are written in full per window (default COLLAPSE_BURST, 100). */
  collapseBurst?: number;
  now?: () => number;
}

export interface StationLogger {
  log: Log;
  /** Logs a kiosk event as one record with an `event` field. */
  event(event: KioskEvent): void;
  /** Writes the summaries of collapsed repeats, then closes the file. */
  close(): Promise<void>;
  /** Why there is no log file at start, when the log folder could not be made. */
  fileProblem?: string;
}

/** Masks for logs: all but the last 4 characters become '*'. */
/** Masks for logs, in ASCII: four '*' and the last 4 characters (the one rule: maskPatron). */
export const maskForLog = (patron: string): string => maskPatron(patron, '*');

/** How long the log file rests after it failed (disk full, folder gone) before it is tried again. */
const FILE_RETRY_MS = 30_000;
/** A message longer than this (a deep stack) is cut, so one record can't fill a part of the log folder. */
const MAX_MESSAGE = 4096;
const LEVELS: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };
/** Each transaction's record stands for a line of the journal: never collapsed. */
const NEVER_COLLAPSED = new Set(['transaction']);
/** Alike only with the same message: a session's names its (masked) patron, and another patron is news. */
const EXACT = new Set(['session']);

/**
 * `new Date(at).toISOString()`, keeping the UTC minute's "YYYY-MM-DDTHH:MM:" so the records of one minute
 * cost two numbers, not a date's formatting each (which was a twentieth of a scan's instructions).
 */
export function isoTimestamps(): (at: number) => string {
  let minute = NaN;
  let prefix = '';
  return (time) => {
    const at = Math.trunc(time); // as Date does with a fraction of a millisecond
    const within = at - minute;
    if (!(within >= 0 && within < 60_000)) {
      const iso = new Date(at).toISOString(); // throws, as before, for a time that is no date
      // Years beyond 0000–9999 are written with a sign and six digits: not kept.
      if (iso.length !== 24) return iso;
      minute = at - (((at % 60_000) + 60_000) % 60_000);
      prefix = iso.slice(0, 17);
      return iso;
    }
    const ms = within % 1000;
    const seconds = (within - ms) / 1000;
    return `${prefix}${seconds < 10 ? '0' : ''}${seconds}.${ms < 10 ? '00' : ms < 100 ? '0' : ''}${ms}Z`;
  };
}

export function createLogger(options: LoggerOptions): StationLogger {
  const threshold = LEVELS[options.level];
  const now = options.now ?? Date.now;
  const iso = isoTimestamps();
  /** The record as one JSON line. */
  const format = ({ level, message, fields }: Collapsible): string => {
    const text = message.length > MAX_MESSAGE ? `${message.slice(0, MAX_MESSAGE)}…` : message;
    const timestamp = iso(now());
    try {
      return JSON.stringify({ level, message: text, station: options.station, ...fields, timestamp });
    } catch {
      // A field JSON can't hold (a BigInt, a cycle): the message still counts.
      return JSON.stringify({
        level,
        message: text,
        station: options.station,
        timestamp,
        unserializable: true,
      });
    }
  };
  let stream = options.stream;
  // Standard output closed by its reader (EPIPE): stop writing there; the journal and the log folder go on.
  stream?.on('error', () => (stream = undefined));

  // The log file. Where it can't be made or written, offcirc says so once (on the stream; the caller shows
  // `fileProblem` at start), lends on without it, and tries it again after FILE_RETRY_MS.
  const retryMs = options.fileRetryMs ?? FILE_RETRY_MS;
  let file: LogFile | undefined;
  let fileProblem: string | undefined;
  let retryAt = 0;
  const failed = (problem: string) => {
    if (fileProblem === undefined)
      stream?.write(`${format({ level: 'warn', message: problem, fields: { event: 'logging' } })}\n`);
    fileProblem = problem;
    retryAt = now() + retryMs;
  };
  const openFile = (dir: string) => {
    try {
      file = new LogFile({
        dir,
        keepDays: options.keepDays ?? 30,
        maxBytes: options.maxBytes ?? DEFAULT_LOG_MAX_BYTES,
        now,
        onError: (error) => {
          file = undefined;
          failed(`cannot write the log file in ${dir} (${error.message}); logging to a file is off for now`);
        },
      });
    } catch (error) {
      failed(`cannot write logs in ${dir} (${(error as Error).message}); logging to a file is off for now`);
      return;
    }
    if (fileProblem !== undefined) {
      fileProblem = undefined;
      log('info', `writing the log file in ${dir} again`, { event: 'logging' });
    }
  };

  const emit = (record: Collapsible) => {
    const line = format(record);
    stream?.write(`${line}\n`);
    file?.write(line);
  };
  const collapser = new Collapser(emit, {
    windowMs: options.collapseWindowMs,
    burst: options.collapseBurst,
    now,
  });

  const log: Log = (level, message, fields = {}) => {
    if (LEVELS[level] > threshold) return;
    if (options.dir && !file && fileProblem !== undefined && now() >= retryAt) openFile(options.dir);
    const record = { level, message, fields };
    const event = String(fields.event);
    // `stopped` is the last record of a clean shut-down: the repeats it ends are summed up before it.
    if (event === 'stopped') collapser.flush();
    if (NEVER_COLLAPSED.has(event) || collapser.admit(record, EXACT.has(event))) emit(record);
  };
  if (options.dir) openFile(options.dir);
  return {
    log,
    fileProblem,
    event: (event) => {
      const [level, message, fields] = eventRecord(event);
      log(level, message, fields);
    },
    close: async () => {
      collapser.flush();
      const open = file;
      file = undefined;
      open?.close();
    },
  };
}

/** What the log says of a card the patron list doesn't vouch for, by what the kiosk did with it. */
const CHECK_WORDS = {
  lend: (standing: string) => `card ${standing} on the patron list: lent`,
  warn: (standing: string) => `card ${standing} on the patron list: lent with a warning`,
  admitted: (standing: string) => `card ${standing} on the patron list: admitted by staff with the PIN`,
} as const;

/** One kiosk event as a log record: level, message and fields (with `event`). */
export function eventRecord(event: KioskEvent): [LogLevel, string, LogFields] {
  switch (event.type) {
    case 'transaction': {
      const t = event.transaction;
      const patron = t.patron === undefined ? undefined : maskForLog(t.patron);
      // The provisional due date as the local date it falls on (the end of that day).
      const due = event.due === undefined ? undefined : localDate(event.due);
      return [
        'info',
        t.kind === 'loan'
          ? `loan of ${t.item} to ${patron}${due ? ` (due about ${due})` : ''}`
          : `return of ${t.item}`,
        { event: 'transaction', kind: t.kind, item: t.item, patron, line: event.line, device: t.device, due },
      ];
    }
    case 'rejected':
      return [
        'warn',
        `rejected: ${event.reason}`,
        {
          event: 'rejected',
          reason: event.reason,
          device: event.device,
          // What was scanned may be a card: described (length, classes, two characters), never shown.
          text: event.text === undefined ? undefined : describeInput(event.text),
        },
      ];
    case 'ignored':
      return ['info', event.reason, { event: 'ignored', reason: event.reason, device: event.device }];
    case 'session': {
      const patron = maskForLog(event.patron);
      const check = event.check && CHECK_WORDS[event.check.action](event.check.standing);
      return [
        check && event.check?.action !== 'lend' ? 'warn' : 'info',
        `session ${event.action} for ${patron}${event.reason ? ` (${event.reason})` : ''}${check ? ` (${check})` : ''}`,
        {
          event: 'session',
          action: event.action,
          patron,
          reason: event.reason,
          ...(event.check && { standing: event.check.standing, check: event.check.action }),
        },
      ];
    }
    case 'returns':
      return [
        'info',
        `returns ended (${event.reason}): ${event.returns} returned`,
        { event: 'returns', action: 'ended', returns: event.returns, reason: event.reason },
      ];
    case 'mode':
      return ['info', `mode: ${event.mode}`, { event: 'mode', mode: event.mode }];
    case 'service':
      return event.inService
        ? ['info', 'back in service: the journal can be written again', { event: 'service', inService: true }]
        : [
            'error',
            `out of service: ${event.reason}`,
            { event: 'service', inService: false, reason: event.reason },
          ];
  }
}
