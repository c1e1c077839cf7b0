/**
 * A throwaway PostgreSQL 15 cluster for tests (Debian's `postgresql` package): initdb in a temp folder,
 * a port and a socket folder of its own, local socket logins trusted (the admin), TCP logins by password
 * (scram-sha-256, so a station's password really is checked). As root, initdb and pg_ctl run as user
 * `postgres` (initdb refuses root); as a normal user, as that user. Costs about 1 s to start, 30 MB disk.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { describeNeeding } from './needs.js';

const run = promisify(execFile);

export const PG_BIN = '/usr/lib/postgresql/15/bin';
export const hasPostgres = existsSync(path.join(PG_BIN, 'initdb')) && existsSync(path.join(PG_BIN, 'pg_ctl'));
export const CHROMIUM = '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM);

/** The admin (superuser) role of every test cluster. */
export const ADMIN = 'offcirc_admin';

/**
 * `describe` when PostgreSQL (and, where asked, Chromium) is installed; otherwise skipped under a name
 * that says in one line what is missing, through the suite's one mechanism (needs.ts: a failure under CI).
 */
export function describeWithPostgres(name: string, body: () => void, needsChromium = false): void {
  const problem = !hasPostgres
    ? 'needs postgresql: apt-get install postgresql'
    : needsChromium && !hasChromium
      ? 'needs chromium: apt-get install chromium'
      : undefined;
  describeNeeding(problem, name, body);
}

export interface PgCluster {
  readonly dir: string;
  readonly port: number;
  /** The folder of its Unix socket. */
  readonly socketDir: string;
  /** With `tls`: the server's self-signed certificate (PEM). */
  readonly certificate: string;
  /** A URL for the admin over the Unix socket (trusted). */
  adminUrl(database: string): string;
  /** A URL over TCP for `user` (no password in it: give PGPASSWORD or a password file). */
  tcpUrl(database: string, user: string, query?: string): string;
  /** Creates a fresh database and returns its name. */
  createDatabase(): Promise<string>;
  query<T extends pg.QueryResultRow = pg.QueryResultRow>(
    database: string,
    sql: string,
    params?: unknown[],
  ): Promise<T[]>;
  /** Stops the server (fast: open connections are cut, as in a crash of the network). */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops it and removes its folder. */
  dispose(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

let databases = 0;

/**
 * Starts a cluster. With `tls`, a self-signed certificate for 127.0.0.1 (made with openssl) and TLS on;
 * `PgCluster.certificate` is its path, to trust it with `sslrootcert`.
 */
export async function startPostgres(
  options: { maxConnections?: number; tls?: boolean } = {},
): Promise<PgCluster> {
  const root = await mkdtemp(path.join(tmpdir(), 'offcirc-pg-'));
  const dir = path.join(root, 'data');
  const socketDir = root;
  const asRoot = process.getuid?.() === 0;
  const owner = asRoot ? 'postgres' : userInfo().username;
  const pwfile = path.join(root, 'pw');
  await writeFile(pwfile, 'admin\n', { mode: 0o600 });
  if (asRoot) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    await chown(root, Number(stdout.trim()), Number(gid.trim()));
    await chown(pwfile, Number(stdout.trim()), Number(gid.trim()));
  }
  await chmod(root, 0o700);
  const as = (command: string, args: string[]) =>
    asRoot
      ? run('runuser', ['-u', 'postgres', '--', path.join(PG_BIN, command), ...args])
      : run(path.join(PG_BIN, command), args);
  await as('initdb', [
    '-D',
    dir,
    '-U',
    ADMIN,
    '--pwfile',
    pwfile,
    '--auth-local=trust',
    '--auth-host=scram-sha-256',
    '-E',
    'UTF8',
    '--no-sync',
  ]);
  const port = await freePort();
  const certificate = path.join(root, 'server.crt');
  const tls: string[] = [];
  if (options.tls) {
    const key = path.join(root, 'server.key');
    await run('openssl', [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '2',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      key,
      '-out',
      certificate,
    ]);
    await chmod(key, 0o600);
    if (asRoot) {
      const uid = Number((await run('id', ['-u', 'postgres'])).stdout.trim());
      await chown(key, uid, 0);
      await chown(certificate, uid, 0);
    }
    tls.push('-c ssl=on', `-c ssl_cert_file=${certificate}`, `-c ssl_key_file=${key}`);
  }
  const settings = [
    ...tls,
    `-p ${port}`,
    `-k ${socketDir}`,
    `-c listen_addresses=127.0.0.1`,
    `-c fsync=off`,
    `-c max_connections=${options.maxConnections ?? 50}`,
    `-c shared_buffers=16MB`,
  ].join(' ');
  const logFile = path.join(root, 'server.log');
  const start = () => as('pg_ctl', ['-D', dir, '-o', settings, '-l', logFile, '-w', '-t', '30', 'start']);
  const stop = () => as('pg_ctl', ['-D', dir, '-m', 'fast', '-w', '-t', '30', 'stop']);
  await start();
  void owner;

  const adminUrl = (database: string) =>
    `postgres://${ADMIN}@/${database}?host=${encodeURIComponent(socketDir)}&port=${port}`;

  const query = async <T extends pg.QueryResultRow>(database: string, sql: string, params?: unknown[]) => {
    const client = new pg.Client({ connectionString: adminUrl(database) });
    await client.connect();
    try {
      return (await client.query<T>(sql, params)).rows;
    } finally {
      await client.end();
    }
  };

  return {
    dir,
    port,
    socketDir,
    certificate,
    adminUrl,
    tcpUrl: (database, user, q) => `postgres://${user}@127.0.0.1:${port}/${database}${q ? `?${q}` : ''}`,
    async createDatabase() {
      const name = `t${process.pid}_${++databases}`;
      await query('postgres', `CREATE DATABASE ${name}`);
      return name;
    },
    query,
    stop: async () => {
      await stop();
    },
    start: async () => {
      await start();
    },
    async dispose() {
      await stop().catch(() => undefined);
      await rm(root, { recursive: true, force: true });
    },
  };
}
