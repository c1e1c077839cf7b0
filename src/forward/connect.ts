/**
 * One connection to PostgreSQL as offcirc makes it: the URL from the config (TLS as its `sslmode` asks,
 * which node-postgres honours), the password from a file or PGPASSWORD (never the config), bounded
 * waits, and errors said in words a technician can act on. No pooling: a station holds one connection.
 */
import { readFile } from 'node:fs/promises';
import type pg from 'pg';

export interface DatabaseTarget {
  url: string;
  /** A file whose first line is the password; else PGPASSWORD (node-postgres reads it), else none. */
  passwordFile?: string;
}

/** The URL as it may be shown: no password, ever. */
export function showUrl(url: string): string {
  // Not WHATWG URL: a socket URL ("postgres://user@/db?host=/run/postgresql") has no host for it.
  const match = /^(postgres(?:ql)?:\/\/)(?:([^:@/]*)(?::[^@/]*)?@)?([^/?]*)(\/[^?]*)?(?:\?(.*))?$/.exec(url);
  if (!match) return '(a malformed URL)';
  const [, scheme = '', user, host, database = ''] = match;
  const socket = new URLSearchParams(match[5] ?? '').get('host');
  return `${scheme}${user ? `${user}@` : ''}${host || socket || 'localhost'}${database}`;
}

/** Reads the password file's first line; throws an Error in words when it can't. */
export async function readPassword(file: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new Error(`the password file ${file} can't be read (${code})`);
  }
  const password = text.split(/\r?\n/, 1)[0] ?? '';
  if (password === '') throw new Error(`the password file ${file} is empty`);
  return password;
}

/** The URL with `password` in it (the URL itself never holds one: the config refuses that). */
export function withPassword(url: string, password: string): string {
  const secret = encodeURIComponent(password);
  const match = /^(postgres(?:ql)?:\/\/)([^:@/?]*)(?::[^@/?]*)?@/.exec(url);
  if (match) return `${match[1]}${match[2]}:${secret}@${url.slice(match[0].length)}`;
  return url.replace(/^(postgres(?:ql)?:\/\/)/, `$1:${secret}@`);
}

/**
 * The URL node-postgres is given: libpq's meaning of `sslmode` (what a database administrator means by
 * it: `require` encrypts, `verify-ca` also checks the CA, `verify-full` also the host name). Without
 * this, node-postgres 8 treats `require` as `verify-full` and prints a warning on standard error, over
 * the kiosk screen.
 */
export function libpqUrl(url: string): string {
  if (!/[?&]sslmode=/.test(url) || /[?&]uselibpqcompat=/.test(url)) return url;
  return `${url}${url.includes('?') ? '&' : '?'}uselibpqcompat=true`;
}

/** Opens a connection; rejects with an Error whose message says in words what went wrong. */
export async function connect(
  target: DatabaseTarget,
  options: { timeoutMs?: number; application?: string } = {},
): Promise<pg.Client> {
  const config: pg.ClientConfig = {
    connectionString: libpqUrl(target.url),
    connectionTimeoutMillis: options.timeoutMs ?? 10_000,
    query_timeout: 60_000,
    keepAlive: true,
    application_name: options.application ?? 'offcirc',
  };
  // In the URL (in memory only): node-postgres lets the URL's fields override a separate password.
  if (target.passwordFile)
    config.connectionString = withPassword(libpqUrl(target.url), await readPassword(target.passwordFile));
  // Loaded on the first connection: a kiosk without `forward` never pays for node-postgres.
  const { default: postgres } = await import('pg');
  const client = new postgres.Client(config);
  // An idle connection that breaks (server restart) emits 'error'; the next query fails and says why.
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    throw new Error(describeDatabaseError(error, target.url));
  }
  return client;
}

/** A database error as a sentence: where, and what (TLS, login, unreachable, refused by a rule). */
export function describeDatabaseError(error: unknown, url: string): string {
  const where = showUrl(url);
  const e = error as Error & { code?: string; message: string };
  const message = e?.message ?? String(error);
  if (/does not support SSL/i.test(message))
    return `the database at ${where} does not offer TLS, but the URL asks for it (sslmode): ${message}`;
  if (/self[- ]signed|certificate/i.test(message)) return `TLS to ${where} failed: ${message}`;
  if (e?.code === 'ECONNREFUSED' || (e?.code === 'ENOENT' && /connect/.test(message)))
    return `the database at ${where} refused the connection (is it running?)`;
  if (e?.code === 'ECONNREFUSED') return `the database at ${where} refused the connection (is it running?)`;
  if (e?.code === 'ENOTFOUND' || e?.code === 'EAI_AGAIN')
    return `the database host of ${where} can't be found (${e.code})`;
  if (e?.code === 'ETIMEDOUT' || /timeout/i.test(message))
    return `the database at ${where} did not answer in time`;
  if (e?.code === '28P01' || e?.code === '28000')
    return `the database at ${where} refused the login: ${message}`;
  if (e?.code === '42501') return `the database at ${where} refused this: ${message}`;
  if (e?.code === '57P01' || /terminat/i.test(message))
    return `the database at ${where} closed the connection (restarting?): ${message}`;
  if (/Connection terminated|ECONNRESET|EPIPE|connection error/i.test(message))
    return `the connection to ${where} broke: ${message}`;
  return `the database at ${where}: ${message}`;
}
