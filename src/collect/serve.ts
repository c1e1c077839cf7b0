/**
 * `offcirc collect serve`: the circulation manager's dashboard over node:http. Reading is open (on
 * localhost unless told otherwise; patron IDs masked); downloading a file (it holds patron IDs) and
 * anything that changes state need the staff password (a scrypt hash in offcirc.settings), a session
 * cookie (HttpOnly, SameSite=Strict) and the session's CSRF token on every form. Five wrong passwords in
 * a minute lock sign-in for a minute. Each request costs a few small queries on a pool of 4 connections.
 *
 * Why one file (just over 300 lines): the dashboard's routes share its session, CSRF and password checks;
 * the pages themselves are in html.ts.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { verifyPin } from '../config/pin.js';
import { libpqUrl, readPassword, withPassword, type DatabaseTarget } from '../forward/connect.js';
import {
  dashboardPage,
  loginPage,
  messagePage,
  type BatchRow,
  type DeskRow,
  type StationRow,
} from './html.js';
import { batchContent, exportDesk, ExportRefused, markUploaded, NothingToExport } from './export.js';

export interface DashboardOptions {
  target: DatabaseTarget;
  log: (line: string) => void;
  /** Seconds without a status before a station shows as not heard from. */
  silentSeconds?: number;
  now?: () => number;
}

interface Session {
  csrf: string;
  expires: number;
}

const SESSION_MS = 8 * 3600_000;
const MAX_BODY = 16 * 1024;

export class Dashboard {
  private pool: pg.Pool | undefined;
  private server: Server | undefined;
  private readonly sessions = new Map<string, Session>();
  private failures: number[] = [];
  private readonly now: () => number;

  /** No I/O. */
  constructor(private readonly options: DashboardOptions) {
    this.now = options.now ?? Date.now;
  }

  async listen(port: number, host: string): Promise<{ host: string; port: number }> {
    const password = this.options.target.passwordFile
      ? await readPassword(this.options.target.passwordFile)
      : undefined;
    this.pool = new pg.Pool({
      connectionString:
        password === undefined
          ? libpqUrl(this.options.target.url)
          : withPassword(libpqUrl(this.options.target.url), password),
      max: 4,
      connectionTimeoutMillis: 5000,
      application_name: 'offcirc dashboard',
    });
    this.pool.on('error', () => undefined);
    const server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        this.options.log(`dashboard: ${(error as Error).message}`);
        if (!res.headersSent) this.send(res, 500, messagePage('Error', (error as Error).message));
        else res.end();
      });
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    const address = server.address() as AddressInfo;
    return { host: address.address, port: address.port };
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server?.closeAllConnections();
    await this.pool?.end();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://dashboard');
    const session = this.session(req);
    if (req.method === 'GET' && url.pathname === '/') return this.overview(res, session);
    if (req.method === 'GET' && url.pathname === '/login') {
      const csrf = token();
      res.setHeader('Set-Cookie', cookie('offcirc_login', csrf, 600));
      return this.send(res, 200, loginPage(csrf));
    }
    if (req.method === 'POST' && url.pathname === '/login') return this.login(req, res);
    const download = /^\/batches\/(\d+)\/download$/.exec(url.pathname);
    if (req.method === 'GET' && download) {
      if (!session) return this.redirect(res, '/login');
      const batch = await this.db((c) => batchContent(c, Number(download[1])));
      if (!batch)
        return this.send(res, 404, messagePage('No such batch', `There is no batch ${download[1]}.`));
      res.writeHead(200, {
        'Content-Type': 'application/octet-stream',
        'Content-Disposition': `attachment; filename="OffCirc-${batch.desk.replace(/[^A-Za-z0-9._-]/g, '_')}-batch${download[1]}.dat"`,
        'Content-Length': batch.content.length,
        'Cache-Control': 'no-store',
      });
      res.end(batch.content);
      return;
    }
    if (req.method !== 'POST') return this.send(res, 404, messagePage('Not found', 'There is no such page.'));
    // Everything below changes state: a session and its CSRF token.
    const form = await readForm(req);
    if (!session)
      return this.send(res, 403, messagePage('Sign in first', 'Changing anything needs the staff password.'));
    if (!same(form.get('csrf') ?? '', session.csrf))
      return this.send(
        res,
        403,
        messagePage('Refused', 'This form is out of date (no valid CSRF token): reload the page.'),
      );
    if (url.pathname === '/logout') {
      this.sessions.delete(sessionId(req) ?? '');
      res.setHeader('Set-Cookie', cookie('offcirc_session', '', 0));
      return this.redirect(res, '/');
    }
    const uploaded = /^\/batches\/(\d+)\/uploaded$/.exec(url.pathname);
    if (uploaded) {
      const id = Number(uploaded[1]);
      try {
        const done = await this.db((c) => markUploaded(c, id, 'dashboard'));
        this.options.log(`dashboard: batch ${id} (desk ${done.desk}) marked uploaded`);
        return this.overview(res, session, `Batch ${id} is marked as uploaded to Alma.`);
      } catch (error) {
        return this.overview(res, session, (error as Error).message);
      }
    }
    const exported = /^\/desks\/([^/]+)\/export$/.exec(url.pathname);
    if (exported) {
      const desk = decodeURIComponent(exported[1] ?? '');
      try {
        const done = await this.db((c) => exportDesk(c, undefined, { desk }));
        const text = done.batch
          ? `Batch ${done.batch.id} for desk ${desk}: ${done.batch.lines} transaction(s). Download it, upload it to Alma, then mark it uploaded.`
          : `Nothing new for desk ${desk}.`;
        return this.overview(res, session, text);
      } catch (error) {
        if (error instanceof NothingToExport || error instanceof ExportRefused)
          return this.overview(res, session, error.message);
        throw error;
      }
    }
    return this.send(res, 404, messagePage('Not found', 'There is no such page.'));
  }

  private async login(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const form = await readForm(req);
    const csrf = form.get('csrf') ?? '';
    if (!same(csrf, cookies(req).get('offcirc_login') ?? ''))
      return this.send(res, 403, loginPage(token(), 'This form is out of date: try again.'));
    const now = this.now();
    this.failures = this.failures.filter((t) => now - t < 60_000);
    if (this.failures.length >= 5)
      return this.send(res, 429, loginPage(csrf, 'Too many wrong passwords: wait a minute and try again.'));
    const hash = await this.db(async (c) => {
      const r = await c.query<{ value: string }>(
        "SELECT value FROM offcirc.settings WHERE name = 'staff_password'",
      );
      return r.rows[0]?.value;
    });
    if (!hash)
      return this.send(
        res,
        403,
        loginPage(csrf, 'No staff password is set: run "offcirc collect set-password".'),
      );
    if (!verifyPin(form.get('password') ?? '', hash)) {
      this.failures.push(now);
      this.options.log('dashboard: a wrong staff password');
      return this.send(res, 403, loginPage(csrf, 'Wrong password.'));
    }
    const id = token();
    this.sessions.set(id, { csrf: token(), expires: now + SESSION_MS });
    res.setHeader('Set-Cookie', cookie('offcirc_session', id, SESSION_MS / 1000));
    this.redirect(res, '/');
  }

  private session(req: IncomingMessage): Session | undefined {
    const id = sessionId(req);
    const session = id ? this.sessions.get(id) : undefined;
    if (session && session.expires < this.now()) {
      this.sessions.delete(id ?? '');
      return undefined;
    }
    return session;
  }

  private async overview(res: ServerResponse, session: Session | undefined, message?: string): Promise<void> {
    const page = await this.db(async (c) => {
      const stations = (await c.query<StationRow>('SELECT * FROM offcirc.stations ORDER BY desk, station'))
        .rows;
      const waiting = (
        await c.query<{ desk: string; waiting: number; stations: number }>(
          `SELECT desk, count(*)::int AS waiting, count(DISTINCT station)::int AS stations
           FROM offcirc.lines WHERE batch IS NULL GROUP BY desk ORDER BY desk`,
        )
      ).rows;
      const desks: DeskRow[] = [];
      for (const d of waiting) {
        const recent = await c.query<DeskRow['recent'][number]>(
          `SELECT stamp, kind, item, patron, station FROM offcirc.lines WHERE desk = $1 AND batch IS NULL
           ORDER BY received_at DESC, station, generation DESC, line DESC LIMIT 5`,
          [d.desk],
        );
        desks.push({ ...d, recent: recent.rows });
      }
      const batches = (
        await c.query<BatchRow>(
          `SELECT id, desk, created_at, lines, loans, returns, uploaded_at, uploaded_by FROM offcirc.batches
           WHERE uploaded_at IS NULL OR uploaded_at > now() - interval '7 days' ORDER BY id DESC LIMIT 200`,
        )
      ).rows;
      const passwordSet =
        ((await c.query("SELECT 1 FROM offcirc.settings WHERE name = 'staff_password'")).rowCount ?? 0) > 0;
      return { stations, desks, batches, passwordSet };
    });
    this.send(
      res,
      200,
      dashboardPage({
        ...page,
        now: new Date(this.now()),
        silentSeconds: this.options.silentSeconds ?? 30,
        signedIn: session !== undefined,
        ...(session && { csrf: session.csrf }),
        ...(message && { message }),
      }),
    );
  }

  private async db<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
    const pool = this.pool;
    if (!pool) throw new Error('the dashboard is not started');
    const client = await pool.connect();
    try {
      // A pooled client is a Client; export and mark-uploaded take the one type.
      return await work(client as unknown as pg.Client);
    } finally {
      client.release();
    }
  }

  private send(res: ServerResponse, status: number, html: string): void {
    res.writeHead(status, {
      'Content-Type': 'text/html; charset=utf-8',
      'Cache-Control': 'no-store',
      'Content-Security-Policy':
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
    });
    res.end(html);
  }

  private redirect(res: ServerResponse, to: string): void {
    res.writeHead(303, { Location: to });
    res.end();
  }
}

const token = () => randomBytes(24).toString('hex');

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length > 0 && x.length === y.length && timingSafeEqual(x, y);
}

function cookie(name: string, value: string, maxAgeSeconds: number): string {
  return `${name}=${value}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${Math.floor(maxAgeSeconds)}`;
}

function cookies(req: IncomingMessage): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at > 0) out.set(part.slice(0, at).trim(), part.slice(at + 1).trim());
  }
  return out;
}

const sessionId = (req: IncomingMessage) => cookies(req).get('offcirc_session');

/** A urlencoded form body, at most 16 KiB. */
async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  let body = '';
  for await (const chunk of req) {
    body += (chunk as Buffer).toString('utf8');
    if (body.length > MAX_BODY) throw new Error('a form over 16 KiB');
  }
  return new URLSearchParams(body);
}
