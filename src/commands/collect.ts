/**
 * `offcirc collect …`: the collector's commands (thin: parse, connect, call src/collect, print). The
 * database comes from --db or $OFFCIRC_DB, its password from --password-file or PGPASSWORD. Every
 * command but `serve` brings offcirc's tables up to date first (the collector runs as their owner).
 */
import { readFirstLine } from '../config/pin.js';
import { userInfo } from 'node:os';
import type pg from 'pg';
import { hashPin, pinProblem } from '../config/pin.js';
import { EXIT, type Io } from '../exit.js';
import { connect, showUrl, type DatabaseTarget } from '../forward/connect.js';
import { addStationRole, migrate } from '../forward/migrations.js';
import { exportDesk, ExportRefused, markUploaded, NothingToExport } from '../collect/export.js';
import { outputRefusal } from './out-file.js';

export interface DbOptions {
  db?: string;
  passwordFile?: string;
}

/** The database to use, or undefined after saying why there is none. */
function target(options: DbOptions, io: Io, env = process.env): DatabaseTarget | undefined {
  const url = options.db ?? env.OFFCIRC_DB;
  if (!url) {
    io.err('offcirc collect: no database: give --db postgres://… or set OFFCIRC_DB');
    return undefined;
  }
  if (!/^postgres(ql)?:\/\//.test(url)) {
    io.err(`offcirc collect: --db ${JSON.stringify(url)}: expected a URL starting "postgres://"`);
    return undefined;
  }
  return { url, ...(options.passwordFile && { passwordFile: options.passwordFile }) };
}

/** Connects (and migrates, unless told not to); prints why not and returns the exit code instead. */
async function open(options: DbOptions, io: Io, migrateFirst = true): Promise<pg.Client | number> {
  const where = target(options, io);
  if (!where) return EXIT.usage;
  let client: pg.Client;
  try {
    client = await connect(where, { application: 'offcirc collect' });
  } catch (error) {
    io.err(`offcirc collect: ${(error as Error).message}`);
    return EXIT.io;
  }
  if (migrateFirst) {
    try {
      const applied = await migrate(client);
      if (applied.length)
        io.err(`offcirc collect: ${showUrl(where.url)} upgraded to version ${applied.at(-1)}`);
    } catch (error) {
      await client.end().catch(() => undefined);
      io.err(`offcirc collect: can't create or upgrade offcirc's tables: ${(error as Error).message}`);
      return EXIT.io;
    }
  }
  return client;
}

export async function migrateCommand(options: DbOptions, io: Io): Promise<number> {
  const client = await open(options, io, false);
  if (typeof client === 'number') return client;
  try {
    const applied = await migrate(client);
    io.out(applied.length ? `applied migration(s) ${applied.join(', ')}` : 'offcirc tables are up to date');
    return EXIT.ok;
  } catch (error) {
    io.err(`offcirc collect migrate: ${(error as Error).message}`);
    return EXIT.io;
  } finally {
    await client.end();
  }
}

export async function addStationCommand(
  station: string,
  options: DbOptions,
  io: Io,
  stdin: NodeJS.ReadableStream,
): Promise<number> {
  const password = await readFirstLine(stdin);
  if (!password) {
    io.err("offcirc collect add-station: give the station's password on standard input (one line)");
    return EXIT.usage;
  }
  const client = await open(options, io);
  if (typeof client === 'number') return client;
  try {
    await addStationRole(client, station, password);
    io.out(`station ${station}: role "${station}" can log in and forward its own lines`);
    return EXIT.ok;
  } catch (error) {
    io.err(`offcirc collect add-station: ${(error as Error).message}`);
    return EXIT.usage;
  } finally {
    await client.end();
  }
}

export async function setPasswordCommand(
  options: DbOptions,
  io: Io,
  stdin: NodeJS.ReadableStream,
): Promise<number> {
  const password = await readFirstLine(stdin);
  const problem = password === undefined ? 'no password on standard input' : pinProblem(password);
  if (problem || password === undefined) {
    io.err(`offcirc collect set-password: ${problem?.replace(/PIN/g, 'password')}`);
    return EXIT.usage;
  }
  const client = await open(options, io);
  if (typeof client === 'number') return client;
  try {
    await client.query(
      `INSERT INTO offcirc.settings (name, value) VALUES ('staff_password', $1)
       ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value`,
      [hashPin(password)],
    );
    io.out('the dashboard staff password is set (stored as a salted scrypt hash)');
    return EXIT.ok;
  } finally {
    await client.end();
  }
}

export interface ExportCommandOptions extends DbOptions {
  desk: string;
  out: string;
  again?: boolean;
  force?: boolean;
  lineEnding?: 'crlf' | 'lf';
}

export async function collectExportCommand(options: ExportCommandOptions, io: Io): Promise<number> {
  if (options.lineEnding && options.lineEnding !== 'crlf' && options.lineEnding !== 'lf') {
    io.err(
      `offcirc collect export: --line-ending ${JSON.stringify(options.lineEnding)}: expected crlf or lf`,
    );
    return EXIT.usage;
  }
  const refusal = await outputRefusal(options.out, [], options.force === true);
  if (refusal) {
    io.err(`offcirc collect export: ${refusal}`);
    return EXIT.usage;
  }
  const client = await open(options, io);
  if (typeof client === 'number') return client;
  try {
    const done = await exportDesk(client, options.out, {
      desk: options.desk,
      again: options.again === true,
      ...(options.lineEnding && { lineEnding: options.lineEnding }),
    });
    for (const r of done.repeated)
      io.err(`repeats ${r.lines} transaction(s) of batch ${r.batch} (exported, not marked uploaded)`);
    const batch = done.batch
      ? `batch ${done.batch.id}: ${done.batch.lines} new transaction(s) (${done.batch.loans} loan(s), ${done.batch.returns} return(s))`
      : 'no new batch';
    io.out(`desk ${options.desk}: wrote ${options.out} with ${done.lines} transaction(s); ${batch}`);
    return EXIT.ok;
  } catch (error) {
    if (error instanceof NothingToExport) {
      io.out(error.message);
      return EXIT.ok;
    }
    if (error instanceof ExportRefused) {
      for (const problem of error.problems) io.err(problem);
      io.err(`offcirc collect export: ${error.message}`);
      return EXIT.problems;
    }
    io.err(`offcirc collect export: ${(error as Error).message}`);
    return EXIT.io;
  } finally {
    await client.end();
  }
}

export async function markUploadedCommand(
  batch: string,
  options: DbOptions & { by?: string },
  io: Io,
): Promise<number> {
  const id = Number(batch);
  if (!Number.isSafeInteger(id) || id <= 0) {
    io.err(`offcirc collect mark-uploaded: ${JSON.stringify(batch)}: expected a batch number`);
    return EXIT.usage;
  }
  const client = await open(options, io);
  if (typeof client === 'number') return client;
  try {
    const done = await markUploaded(client, id, options.by ?? userInfo().username);
    io.out(`batch ${id} (desk ${done.desk}, ${done.lines} transaction(s)) is marked uploaded to Alma`);
    return EXIT.ok;
  } catch (error) {
    io.err(`offcirc collect mark-uploaded: ${(error as Error).message}`);
    return EXIT.problems;
  } finally {
    await client.end();
  }
}

export async function serveCommand(
  options: DbOptions & { port: number; host: string },
  io: Io,
  signal?: AbortSignal,
): Promise<number> {
  const where = target(options, io);
  if (!where) return EXIT.usage;
  if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535) {
    io.err(`offcirc collect serve: --port ${options.port}: expected a port number 0–65535`);
    return EXIT.usage;
  }
  const first = await open(options, io);
  if (typeof first === 'number') return first;
  await first.end();
  const { Dashboard } = await import('../collect/serve.js');
  const dashboard = new Dashboard({ target: where, log: (line: string) => io.err(line) });
  try {
    const address = await dashboard.listen(options.port, options.host);
    io.out(`dashboard on http://${address.host}:${address.port}/ (database ${showUrl(where.url)})`);
    if (!['127.0.0.1', '::1', 'localhost'].includes(options.host))
      io.err(
        `offcirc collect serve: listening on ${options.host}: anyone who can reach it reads this page (patron IDs masked); ` +
          'changes need the staff password, sent in plain HTTP: keep it on a trusted LAN or behind a TLS proxy',
      );
  } catch (error) {
    io.err(
      `offcirc collect serve: can't listen on ${options.host}:${options.port}: ${(error as Error).message}`,
    );
    return EXIT.io;
  }
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    signal?.addEventListener('abort', stop);
  });
  await dashboard.close();
  return EXIT.ok;
}
