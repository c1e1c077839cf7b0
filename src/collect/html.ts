/**
 * The dashboard's pages, rendered on the server as plain HTML with inline CSS: no script, no external
 * asset, so it works on a circulation PC's browser with no internet. Pure; every value is escaped and
 * patron IDs are masked (all but the last 4 characters) before they reach a page.
 */
import { maskForLog } from '../log.js';

export const escapeHtml = (value: unknown): string =>
  String(value ?? '').replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

/** A patron ID as the dashboard may show it. */
export const maskPatron = (patron: string | null | undefined): string => (patron ? maskForLog(patron) : '');

export interface StationRow {
  station: string;
  desk: string | null;
  library: string | null;
  in_service: boolean;
  reason: string | null;
  scanners: { id: string; status: string; message: string }[];
  last_scan: Date | null;
  lines_today: number;
  behind: number;
  forward: string | null;
  heard_at: Date;
}

export interface DeskRow {
  desk: string;
  waiting: number;
  stations: number;
  recent: { stamp: string; kind: string; item: string; patron: string | null; station: string }[];
}

export interface BatchRow {
  id: string;
  desk: string;
  created_at: Date;
  lines: number;
  loans: number;
  returns: number;
  uploaded_at: Date | null;
  uploaded_by: string | null;
}

export interface Page {
  stations: StationRow[];
  desks: DeskRow[];
  batches: BatchRow[];
  now: Date;
  /** Seconds without a word from a station before it shows as not heard from. */
  silentSeconds: number;
  signedIn: boolean;
  csrf?: string;
  message?: string;
  passwordSet: boolean;
}

const two = (n: number) => String(n).padStart(2, '0');
export const when = (d: Date | null | undefined): string =>
  d
    ? `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`
    : '—';
const stampText = (s: string) =>
  `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)} ${s.slice(8, 10)}:${s.slice(10, 12)}`;

const STYLE = `body{font:15px/1.4 system-ui,sans-serif;margin:1.5em;color:#111}
table{border-collapse:collapse;margin:.5em 0 1.5em}th,td{border:1px solid #bbb;padding:.3em .6em;text-align:left}
th{background:#eee}.bad{color:#fff;background:#b00020;font-weight:bold}.warn{background:#ffe08a}
.ok{color:#064}form{display:inline}button{font:inherit}.msg{padding:.5em;background:#e6f0ff;border:1px solid #99b}
small{color:#555}`;

function layout(title: string, body: string, refreshSeconds?: number): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
${refreshSeconds ? `<meta http-equiv="refresh" content="${refreshSeconds}">` : ''}
<title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body>${body}</body></html>`;
}

const hidden = (csrf: string | undefined) =>
  csrf ? `<input type="hidden" name="csrf" value="${escapeHtml(csrf)}">` : '';

function stationState(s: StationRow, page: Page): { text: string; cls: string } {
  const silent = (page.now.getTime() - s.heard_at.getTime()) / 1000;
  if (silent > page.silentSeconds) return { text: `NOT HEARD FROM since ${when(s.heard_at)}`, cls: 'bad' };
  if (!s.in_service) return { text: `OUT OF SERVICE: ${s.reason ?? 'no reason given'}`, cls: 'bad' };
  return { text: 'in service', cls: 'ok' };
}

/** The one page: stations, desks waiting for export, batches waiting for upload. */
export function dashboardPage(page: Page): string {
  const stations = page.stations
    .map((s) => {
      const state = stationState(s, page);
      const scanners = s.scanners.map((d) => `${d.id}: ${d.status}`).join(', ') || 'none';
      return `<tr data-station="${escapeHtml(s.station)}"><td>${escapeHtml(s.station)}</td><td>${escapeHtml(s.desk)}</td>
<td class="${state.cls}">${escapeHtml(state.text)}</td><td>${escapeHtml(scanners)}</td><td>${escapeHtml(when(s.last_scan))}</td>
<td>${s.lines_today}</td><td class="${s.behind > 0 ? 'warn' : ''}">${s.behind}</td><td>${escapeHtml(when(s.heard_at))}</td></tr>`;
    })
    .join('\n');
  const desks = page.desks
    .map((d) => {
      const recent = d.recent
        .map(
          (r) =>
            `<li>${escapeHtml(stampText(r.stamp))} ${r.kind === 'L' ? 'loan' : 'return'} ${escapeHtml(r.item)}${r.patron ? ` to ${escapeHtml(maskPatron(r.patron))}` : ''} <small>(${escapeHtml(r.station)})</small></li>`,
        )
        .join('');
      const action = page.signedIn
        ? `<form method="post" action="/desks/${encodeURIComponent(d.desk)}/export">${hidden(page.csrf)}<button>Export a file for ${escapeHtml(d.desk)}</button></form>`
        : '';
      return `<tr data-desk="${escapeHtml(d.desk)}"><td>${escapeHtml(d.desk)}</td><td>${d.waiting}</td><td>${d.stations}</td>
<td><ul>${recent}</ul></td><td>${action}</td></tr>`;
    })
    .join('\n');
  const batches = page.batches
    .map((b) => {
      const uploaded = b.uploaded_at
        ? `uploaded ${escapeHtml(when(b.uploaded_at))} by ${escapeHtml(b.uploaded_by)}`
        : page.signedIn
          ? `<form method="post" action="/batches/${b.id}/uploaded">${hidden(page.csrf)}<button>Mark batch ${b.id} as uploaded</button></form>`
          : 'waiting for upload';
      const download = page.signedIn ? `<a href="/batches/${b.id}/download">download</a>` : '';
      return `<tr data-batch="${b.id}"><td>${b.id}</td><td>${escapeHtml(b.desk)}</td><td>${escapeHtml(when(b.created_at))}</td>
<td>${b.lines} (${b.loans} loans, ${b.returns} returns)</td><td>${download}</td><td>${uploaded}</td></tr>`;
    })
    .join('\n');
  const account = page.signedIn
    ? `<form method="post" action="/logout">${hidden(page.csrf)}<button>Sign out</button></form>`
    : page.passwordSet
      ? '<a href="/login">Sign in</a> to download files and mark them uploaded.'
      : 'No staff password is set yet: run <code>offcirc collect set-password</code>.';
  return layout(
    'offcirc: stations and desks',
    `<h1>Offline circulation</h1><p>${account} <small>Updated ${escapeHtml(when(page.now))}; this page refreshes itself.</small></p>
${page.message ? `<p class="msg" role="status">${escapeHtml(page.message)}</p>` : ''}
<h2>Stations</h2><table id="stations"><tr><th>Station</th><th>Desk</th><th>State</th><th>Scanners</th><th>Last scan</th><th>Lines today</th><th>Not yet forwarded</th><th>Last heard from</th></tr>
${stations}</table>
<h2>Waiting for export, by desk</h2><table id="desks"><tr><th>Desk</th><th>Transactions</th><th>Stations</th><th>Latest</th><th></th></tr>
${desks}</table>
<h2>Batches</h2><table id="batches"><tr><th>Batch</th><th>Desk</th><th>Exported</th><th>Transactions</th><th>File</th><th>Upload to Alma</th></tr>
${batches}</table>`,
    5,
  );
}

export function loginPage(csrf: string, error?: string): string {
  return layout(
    'offcirc: sign in',
    `<h1>Sign in</h1>${error ? `<p class="bad" role="alert">${escapeHtml(error)}</p>` : ''}
<form method="post" action="/login">${hidden(csrf)}<label>Staff password <input type="password" name="password" autofocus autocomplete="current-password"></label>
<button>Sign in</button></form><p><a href="/">Back</a></p>`,
  );
}

export function messagePage(title: string, text: string): string {
  return layout(title, `<h1>${escapeHtml(title)}</h1><p>${escapeHtml(text)}</p><p><a href="/">Back</a></p>`);
}
