/**
 * One row of an export as a patron entry, or the reason it can't be one: a CSV row by its columns, an
 * Alma user object by the Users API's fields (FORMATS.md §6). Pure; O(row).
 */
import type { PatronEntry } from './build.js';

/** The CSV columns' names, as the export's header row has them. */
export interface CsvColumns {
  barcode: string;
  status: string;
  expiry: string;
  blocked: string;
}

/** A card number a scanner can send as one barcode: printable ASCII without spaces, at most 256. */
const CARD = /^[\x21-\x7e]{1,256}$/;

/** "YYYY-MM-DD" (Alma also writes "YYYY-MM-DDZ") as YYYYMMDD, or undefined when it is no real date. */
export function parseDate(text: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})Z?$/.exec(text);
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d)
    return undefined;
  return y * 10000 + mo * 100 + d;
}

/** Which field of each row holds what: found from the header row, or the missing columns named. */
export function csvLayout(
  header: string[],
  columns: CsvColumns,
): { index: Record<keyof CsvColumns, number> } | { missing: string } {
  const names = header.map((h) => h.trim().toLowerCase());
  const index = {} as Record<keyof CsvColumns, number>;
  for (const key of Object.keys(columns) as (keyof CsvColumns)[])
    index[key] = names.indexOf(columns[key].trim().toLowerCase());
  if (index.barcode < 0)
    return {
      missing: `the header row has no column "${columns.barcode}" (it has ${header.map((h) => JSON.stringify(h)).join(', ')}): name the card numbers' column in config patrons.columns.barcode`,
    };
  return { index };
}

const NOT_BLOCKED = new Set(['', 'no', 'false', '0', 'n']);

export function csvEntry(fields: string[], index: Record<keyof CsvColumns, number>): PatronEntry | string {
  const get = (i: number) => (i >= 0 ? (fields[i] ?? '').trim() : '');
  const barcode = get(index.barcode);
  if (barcode === '') return 'no card number';
  if (!CARD.test(barcode)) return 'the card number has spaces or characters no barcode has';
  const status = get(index.status).toLowerCase();
  if (status !== '' && status !== 'active' && status !== 'inactive')
    return `status ${JSON.stringify(get(index.status))} is neither "active" nor "inactive"`;
  const expiryText = get(index.expiry);
  const expiry = expiryText === '' ? undefined : parseDate(expiryText);
  if (expiryText !== '' && expiry === undefined)
    return `expiry ${JSON.stringify(expiryText)} is not a date YYYY-MM-DD`;
  return {
    ids: [barcode],
    inactive: status === 'inactive',
    blocked: !NOT_BLOCKED.has(get(index.blocked).toLowerCase()),
    ...(expiry !== undefined && { expiry }),
  };
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const valueOf = (v: unknown): unknown => (isObject(v) ? v.value : v);

/**
 * An Alma user: every identifier a card may carry (primary_id and the active user_identifier values),
 * status.value, expiry_date, and blocked when a user_block is active and not expired on `today`.
 */
export function almaEntry(user: unknown, today: number): PatronEntry | string {
  if (!isObject(user)) return 'not a user object';
  const ids: string[] = [];
  const bad: string[] = [];
  const take = (v: unknown, what: string) => {
    if (typeof v !== 'string' || v.trim() === '') return;
    if (CARD.test(v.trim())) ids.push(v.trim());
    else bad.push(what);
  };
  take(user.primary_id, 'primary_id');
  if (user.user_identifier !== undefined && !Array.isArray(user.user_identifier))
    return 'user_identifier is not a list';
  for (const id of (user.user_identifier as unknown[] | undefined) ?? []) {
    if (!isObject(id)) return 'a user_identifier is not an object';
    if (String(valueOf(id.status) ?? 'ACTIVE').toUpperCase() === 'INACTIVE') continue;
    take(id.value, 'a user_identifier value');
  }
  if (ids.length === 0)
    return bad.length > 0
      ? `${bad[0]} has spaces or characters no barcode has`
      : 'no primary_id and no identifier';
  const status = String(valueOf(user.status) ?? 'ACTIVE').toUpperCase();
  if (status !== 'ACTIVE' && status !== 'INACTIVE')
    return `status ${JSON.stringify(valueOf(user.status))} is neither ACTIVE nor INACTIVE`;
  let expiry: number | undefined;
  if (user.expiry_date !== undefined && user.expiry_date !== null && user.expiry_date !== '') {
    expiry = typeof user.expiry_date === 'string' ? parseDate(user.expiry_date) : undefined;
    if (expiry === undefined)
      return `expiry_date ${JSON.stringify(user.expiry_date)} is not a date YYYY-MM-DD`;
  }
  if (user.user_block !== undefined && !Array.isArray(user.user_block)) return 'user_block is not a list';
  const blocked = ((user.user_block as unknown[] | undefined) ?? []).some((b) => {
    if (!isObject(b)) return true; // a block we can't read is a block: refusing is the safe side
    if (String(valueOf(b.block_status) ?? 'ACTIVE').toUpperCase() !== 'ACTIVE') return false;
    const until = typeof b.expiry_date === 'string' ? parseDate(b.expiry_date.slice(0, 10)) : undefined;
    return until === undefined || until >= today;
  });
  return { ids, inactive: status === 'INACTIVE', blocked, ...(expiry !== undefined && { expiry }) };
}
