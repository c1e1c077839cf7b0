/**
 * The station's log: winston JSON lines, one record per event, to standard output in headless mode and to
 * a daily-rotated file in the log folder. Patron IDs never reach it unmasked: records are built here from
 * kiosk events, and nothing else logs a scan's text.
 */
import winston from 'winston';
import DailyRotateFile from 'winston-daily-rotate-file';
import type { Writable } from 'node:stream';
import type { KioskEvent } from './kiosk/events.js';
import { maskPatron } from './kiosk/events.js';

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';
export type LogFields = Record<string, unknown>;
/** What every part is given to log with: a plain function, never a global logger. */
export type Log = (level: LogLevel, message: string, fields?: LogFields) => void;

export interface LoggerOptions {
  level: LogLevel;
  station: string;
  /** Headless mode: JSON lines here (standard output). */
  stream?: Writable;
  /** Daily-rotated JSON-lines files here, kept `keepDays` days. */
  dir?: string;
  keepDays?: number;
}

export interface StationLogger {
  log: Log;
  /** Logs a kiosk event as one record with an `event` field. */
  event(event: KioskEvent): void;
  close(): Promise<void>;
  /** Why there is no log file, when the log folder could not be made or written. */
  fileProblem?: string;
}

/** Masks for logs: all but the last 4 characters become '*'. */
export const maskForLog = (patron: string): string => maskPatron(patron).replace(/•/g, '*');

/** winston's key for the formatted line (triple-beam's MESSAGE). */
const MESSAGE = Symbol.for('message');

export function createLogger(options: LoggerOptions): StationLogger {
  const format = winston.format.combine(winston.format.timestamp(), winston.format.json());
  const levels = winston.config.npm.levels;
  const transports: winston.transport[] = [];
  let fileProblem: string | undefined;
  if (options.dir) {
    try {
      transports.push(
        new DailyRotateFile({
          dirname: options.dir,
          filename: 'offcirc-%DATE%.log',
          datePattern: 'YYYY-MM-DD',
          maxFiles: `${options.keepDays ?? 30}d`,
        }),
      );
    } catch (error) {
      // It makes the folder at once, and throws if it can't. Lending goes on: the journal is the record.
      fileProblem = `cannot write logs in ${options.dir} (${(error as Error).message}); logging to a file is off`;
    }
  }
  const logger = winston.createLogger({
    level: options.level,
    format,
    defaultMeta: { station: options.station },
    transports,
    // A log that can't be written must not stop lending: the journal is the record, not the log.
    exitOnError: false,
  });
  logger.on('error', () => undefined);
  let stream = options.stream;
  // Standard output closed by its reader (EPIPE): stop writing there; the journal and the log folder go on.
  stream?.on('error', () => (stream = undefined));
  const log: Log = (level, message, fields) => {
    // Standard output gets the record formatted by winston but written at once, not through winston's
    // stream pipeline: a transaction's record leaves the process the moment its line is durable
    // (winston's pipe took longer than the write and its fdatasync together).
    if (stream && levels[level]! <= levels[options.level]!) {
      const info = format.transform({ level, message, station: options.station, ...fields }) as
        Record<symbol, string> | false;
      if (info) stream.write(`${info[MESSAGE]}\n`);
    }
    if (transports.length > 0) logger.log(level, message, fields ?? {});
  };
  return {
    log,
    fileProblem,
    event: (event) => {
      const [level, message, fields] = eventRecord(event);
      log(level, message, fields);
    },
    close: () =>
      new Promise<void>((resolve) => {
        let left = transports.length;
        if (left === 0) return resolve();
        const done = () => {
          left -= 1;
          if (left === 0) resolve();
        };
        for (const t of transports) t.once('finish', done);
        logger.end();
        setTimeout(resolve, 2000).unref();
      }),
  };
}

/** One kiosk event as a log record: level, message and fields (with `event`). */
export function eventRecord(event: KioskEvent): [LogLevel, string, LogFields] {
  switch (event.type) {
    case 'transaction': {
      const t = event.transaction;
      const patron = t.patron === undefined ? undefined : maskForLog(t.patron);
      return [
        'info',
        t.kind === 'loan' ? `loan of ${t.item} to ${patron}` : `return of ${t.item}`,
        { event: 'transaction', kind: t.kind, item: t.item, patron, line: event.line, device: t.device },
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
          text: event.text === undefined ? undefined : maskForLog(event.text),
        },
      ];
    case 'ignored':
      return ['info', event.reason, { event: 'ignored', reason: event.reason, device: event.device }];
    case 'session': {
      const patron = maskForLog(event.patron);
      return [
        'info',
        `session ${event.action} for ${patron}${event.reason ? ` (${event.reason})` : ''}`,
        { event: 'session', action: event.action, patron, reason: event.reason },
      ];
    }
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
