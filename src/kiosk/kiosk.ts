/**
 * The kiosk's state machine: loan or return mode, the open patron session, idle timeouts, double reads
 * and being out of service; and, with what app.ts injects, the patron list's verdict on each card
 * (patrons.ts), the staff admit, the limits (limits.ts) and each loan's provisional due date (due.ts). It decides and says so in events; it does no I/O and takes its clock as an
 * argument. Every call is O(1) apart from the double-read window (a few entries) and list copies.
 *
 * Double reads are keyed on what a scan was classified as (the normalized patron, item or command), so
 * "]F0A3123…B" and "3123…" read twice are one barcode; a scan that was rejected (or that the driver
 * flagged) is keyed on its trimmed raw text. The caller passes the Classified it got for this scan.
 *
 * Why one file over 300 lines: it is one state machine; every entry point reads and changes the same
 * session, mode and pending transactions. The rules that stand alone are apart (double-read.ts,
 * patrons.ts, limits.ts, due.ts, start-mode.ts).
 */
import type { Classified } from '../barcode/classify.js';
import type { KioskCommand } from '../config/commands.js';
import { describeInput } from '../barcode/describe.js';
import {
  maskPatron,
  RECENT_KEPT,
  type PatronCheck,
  type KioskEvent,
  type KioskScan as Scan,
  type KioskView,
  type Mode,
  type RecentTransaction,
  type Transaction,
} from './events.js';
import { DoubleReads } from './double-read.js';
import { KIOSK_REASONS } from './reasons.js';
import { limitReason, type DayLoans, type Limits } from './limits.js';
import { judgeCard, type PatronDirectory, type PatronPolicies, type Standing } from './patrons.js';

export { KIOSK_REASONS };

export interface KioskOptions {
  startMode: Mode;
  /** A session ends (and the return list clears) after this long without a scan. */
  idleTimeoutMs: number;
  /** The same barcode from the same scan group within this long is a double read; 0 turns it off. */
  doubleReadMs: number;
  /** The offline patron list; without one (or with none loaded) cards are not checked. */
  patrons?: PatronDirectory;
  /** What to do with a blocked, expired or unknown card; default refuse, refuse, lend. */
  policies?: PatronPolicies;
  limits?: Limits;
  /** Loans per patron today, seeded from what this station wrote today; needed for itemsPerPatronPerDay. */
  dayLoans?: Pick<DayLoans, 'count' | 'add'>;
  /** A loan's provisional due date (ms since the epoch), if loans get one. */
  dueDate?: (item: string, at: number) => number | undefined;
}

export type { KioskCommand };

export type { KioskView };

interface Session {
  id: number;
  patron: string;
  /** Items whose loan is durable: only written() adds here, so a failed write can be scanned again. */
  loaned: Set<string>;
  recent: RecentList;
  /** Every durable loan's provisional due date, for the summary (the list keeps only the newest). */
  dues: number[];
  /** Lent to with a warning: the screen asks the patron to see staff. */
  warned: boolean;
}

/** Where a transaction came from, so a late written() lands in the list it belongs to or in none. */
interface Origin {
  sessionId?: number;
  returnRunId?: number;
  due?: number;
}

export class Kiosk {
  private mode: Mode;
  private session: Session | undefined;
  /** The returns since return mode began or since the last idle timeout. */
  private returns: { id: number; recent: RecentList };
  private lastScanAt = -Infinity;
  private outOfService: string | undefined;
  private readonly pending = new Map<Transaction, Origin>();
  private readonly doubleReads: DoubleReads;
  private nextId = 1;
  /** The card last refused by the patron list, which staff may admit until the idle timeout. */
  private refusedCard: { patron: string; standing: Standing } | undefined;

  constructor(private readonly options: KioskOptions) {
    if (!(options.idleTimeoutMs > 0)) throw new RangeError('idleTimeoutMs must be a positive number');
    if (!(options.doubleReadMs >= 0)) throw new RangeError('doubleReadMs must be 0 or more');
    this.mode = options.startMode;
    this.returns = { id: this.nextId++, recent: new RecentList() };
    this.doubleReads = new DoubleReads(options.doubleReadMs);
  }

  /** A scan, already classified. Returns events to show now and maybe one transaction to write. */
  scan(scan: Scan, classified: Classified, now: number): { events: KioskEvent[]; write?: Transaction } {
    const events = this.expire(now);
    const verdict = this.doubleReads.check(scan.group ?? scan.device, readKey(scan, classified), now);
    // Any scan, even an ignored or rejected one, shows someone is still at the kiosk.
    this.lastScanAt = now;
    if (verdict === 'double')
      events.push({ type: 'ignored', reason: KIOSK_REASONS.doubleRead, device: scan.device, at: now });
    if (verdict !== 'read') return { events };

    const reject = (reason: string): { events: KioskEvent[] } => {
      const text = shownText(scan, classified);
      events.push({ type: 'rejected', reason, device: scan.device, at: now, ...(text ? { text } : {}) });
      return { events };
    };

    if (this.outOfService !== undefined) return reject(KIOSK_REASONS.outOfService(this.outOfService));
    if (scan.error !== undefined) return reject(scan.error);

    switch (classified.kind) {
      case 'rejected':
        return reject(classified.reason);
      case 'command':
        return { events: [...events, ...this.command(classified.command, now)] };
      case 'patron': {
        if (this.mode === 'return') return reject(KIOSK_REASONS.returnModePatron);
        // The same card again keeps its session and list; saying 'opened' again tells the screen it was seen.
        if (this.session !== undefined && this.session.patron === classified.patron) {
          events.push({ type: 'session', action: 'opened', patron: classified.patron, at: now });
          return { events };
        }
        if (this.session !== undefined) events.push(this.endSession('replaced', now));
        const verdict = judgeCard(this.options.patrons, this.options.policies, classified.patron, now);
        if ('refuse' in verdict) {
          this.refusedCard = { patron: classified.patron, standing: verdict.standing };
          return reject(verdict.refuse);
        }
        events.push(this.openSession(classified.patron, now, verdict.check));
        return { events };
      }
      case 'item': {
        const item = classified.item;
        if (this.mode === 'return') {
          const write: Transaction = { kind: 'return', item, at: now, device: scan.device };
          this.pending.set(write, { returnRunId: this.returns.id });
          return { events, write };
        }
        const session = this.session;
        if (session === undefined) return reject(KIOSK_REASONS.cardFirst);
        if (session.loaned.has(item)) return reject(KIOSK_REASONS.alreadyLoaned);
        if (this.isPendingLoan(session, item)) {
          events.push({ type: 'ignored', reason: KIOSK_REASONS.beingSaved, device: scan.device, at: now });
          return { events };
        }
        const over = this.overLimit(session, now);
        if (over !== undefined) return reject(over);
        const write: Transaction = {
          kind: 'loan',
          item,
          patron: session.patron,
          at: now,
          device: scan.device,
        };
        const due = this.options.dueDate?.(item, now);
        this.pending.set(write, { sessionId: session.id, ...(due !== undefined && { due }) });
        return { events, write };
      }
    }
  }

  /** A command from a key or a command barcode (scan() turns command barcodes into this). */
  command(command: KioskCommand, now: number): KioskEvent[] {
    const events = this.expire(now);
    if (command === 'admit') {
      const refused = this.refusedCard;
      if (refused === undefined || this.mode !== 'loan') {
        events.push({ type: 'ignored', reason: KIOSK_REASONS.nothingToAdmit, at: now });
        return events;
      }
      // Staff's key counts as someone at the kiosk: the admitted patron gets the full idle time.
      this.lastScanAt = now;
      if (this.session !== undefined) events.push(this.endSession('replaced', now));
      events.push(this.openSession(refused.patron, now, { standing: refused.standing, action: 'admitted' }));
      return events;
    }
    if (command === 'endSession') {
      // In return mode, "Done" ends the run of returns on screen, with its summary.
      if (this.session !== undefined) events.push(this.endSession('command', now));
      else if (this.returns.recent.count > 0) events.push(this.endReturns('command', now));
      else events.push({ type: 'ignored', reason: KIOSK_REASONS.noSession, at: now });
      return events;
    }
    if (command !== this.mode) {
      this.refusedCard = undefined;
      if (this.session !== undefined) events.push(this.endSession('mode', now));
      if (this.returns.recent.count > 0) events.push(this.endReturns('mode', now));
      this.mode = command;
      this.newReturnRun();
    }
    events.push({ type: 'mode', mode: this.mode, at: now });
    return events;
  }

  /** The journal made `tx` durable as line `line`: the transaction is done. */
  written(tx: Transaction, line: number, now: number): KioskEvent[] {
    const events = this.expire(now);
    const origin = this.takePending(tx);
    const due = origin?.due;
    events.push({ type: 'transaction', transaction: tx, line, ...(due !== undefined && { due }) });
    if (tx.kind === 'loan' && tx.patron !== undefined) this.options.dayLoans?.add(tx.patron, tx.at);
    const recent: RecentTransaction = {
      kind: tx.kind,
      item: tx.item,
      at: tx.at,
      ...(due !== undefined && { due }),
    };
    // Only into the list it was scanned for: a loan written after its patron left is not the next one's.
    if (tx.kind === 'loan' && this.session !== undefined && origin?.sessionId === this.session.id) {
      this.session.loaned.add(tx.item);
      this.session.recent.add(recent);
      if (due !== undefined) this.session.dues.push(due);
    } else if (tx.kind === 'return' && this.mode === 'return' && origin?.returnRunId === this.returns.id) {
      this.returns.recent.add(recent);
    }
    return events;
  }

  /** The journal could not write `tx`: rejected, and out of service until recovered(). */
  writeFailed(tx: Transaction, reason: string, now: number): KioskEvent[] {
    const events = this.expire(now);
    this.takePending(tx);
    events.push({
      type: 'rejected',
      reason: KIOSK_REASONS.notSaved(tx.kind, reason),
      device: tx.device,
      at: now,
      text: tx.item,
    });
    if (this.outOfService === undefined) {
      this.outOfService = reason;
      events.push({ type: 'service', inService: false, reason, at: now });
    }
    return events;
  }

  /**
   * The journal refused `tx` itself (a line the file can't hold exactly), the disk being fine: rejected,
   * nothing written, and the kiosk stays in service.
   */
  refused(tx: Transaction, reason: string, now: number): KioskEvent[] {
    const events = this.expire(now);
    this.takePending(tx);
    events.push({ type: 'rejected', reason, device: tx.device, at: now, text: tx.item });
    return events;
  }

  /** The journal writes again: scans are taken again. */
  recovered(now: number): KioskEvent[] {
    const events = this.expire(now);
    if (this.outOfService === undefined) return events;
    this.outOfService = undefined;
    events.push({ type: 'service', inService: true, at: now });
    return events;
  }

  /** Time passes: ends an idle session (and clears the return list after the same idle time). */
  tick(now: number): KioskEvent[] {
    return this.expire(now);
  }

  /** When tick() will next have something to end (an idle session or return list), if anything. */
  nextExpiry(): number | undefined {
    if (this.session === undefined && this.returns.recent.count === 0 && this.refusedCard === undefined)
      return undefined;
    return this.lastScanAt + this.options.idleTimeoutMs;
  }

  /** The kiosk part of the StationView: a snapshot (copies), safe to keep. */
  view(): KioskView {
    const recent = this.mode === 'loan' ? this.session?.recent : this.returns.recent;
    return {
      mode: this.mode,
      ...(this.session !== undefined && {
        patron: this.session.patron,
        sessionEndsAt: this.lastScanAt + this.options.idleTimeoutMs,
      }),
      ...(recent?.view() ?? { recent: [] }),
      inService: this.outOfService === undefined,
      ...(this.outOfService !== undefined && { outOfServiceReason: this.outOfService }),
      ...(this.options.patrons !== undefined && { patronList: this.options.patrons.info() }),
      ...(this.refusedCard !== undefined && this.mode === 'loan' && { admittable: true }),
      ...(this.session?.warned && { patronWarning: true }),
    };
  }

  /** Ends what has been idle for idleTimeoutMs at `now`; every entry point calls this first. */
  private expire(now: number): KioskEvent[] {
    // A wall clock stepped back would otherwise hold a session open for as long as the step.
    if (now < this.lastScanAt) this.lastScanAt = now;
    if (now - this.lastScanAt < this.options.idleTimeoutMs) return [];
    const events: KioskEvent[] = [];
    // A refused card no one admitted in the idle time is forgotten with everything else of its patron.
    this.refusedCard = undefined;
    if (this.session !== undefined) events.push(this.endSession('idle', now));
    if (this.returns.recent.count > 0) events.push(this.endReturns('idle', now));
    return events;
  }

  private openSession(patron: string, now: number, check: PatronCheck | undefined): KioskEvent {
    // Another card now at the kiosk: the refused one can no longer be admitted by mistake.
    this.refusedCard = undefined;
    this.session = {
      id: this.nextId++,
      patron,
      loaned: new Set(),
      recent: new RecentList(),
      dues: [],
      warned: check?.action === 'warn',
    };
    return { type: 'session', action: 'opened', patron, at: now, ...(check && { check }) };
  }

  private endSession(reason: 'replaced' | 'idle' | 'command' | 'mode', now: number): KioskEvent {
    const session = this.session;
    this.session = undefined;
    const summary = { loans: session?.recent.count ?? 0, due: session?.dues ?? [] };
    return { type: 'session', action: 'ended', patron: session?.patron ?? '', reason, at: now, summary };
  }

  /** Why one more loan in `session` would break a limit (counting loans still being written), if it would. */
  private overLimit(session: Session, now: number): string | undefined {
    let pendingSession = 0;
    let pendingPatron = 0;
    for (const [tx, origin] of this.pending) {
      if (tx.kind !== 'loan' || tx.patron !== session.patron) continue;
      pendingPatron++;
      if (origin.sessionId === session.id) pendingSession++;
    }
    const today = this.options.dayLoans?.count(session.patron, now);
    return limitReason(this.options.limits, {
      session: session.loaned.size + pendingSession,
      ...(today !== undefined && { today: today + pendingPatron }),
    });
  }

  /** Ends the run of returns listed on screen; the event says how many there were. */
  private endReturns(reason: 'idle' | 'command' | 'mode', now: number): KioskEvent {
    const returns = this.returns.recent.count;
    this.newReturnRun();
    return { type: 'returns', action: 'ended', returns, reason, at: now };
  }

  private newReturnRun(): void {
    this.returns = { id: this.nextId++, recent: new RecentList() };
  }

  private isPendingLoan(session: Session, item: string): boolean {
    for (const [tx, origin] of this.pending)
      if (origin.sessionId === session.id && tx.item === item) return true;
    return false;
  }

  /** Forgets `tx` as pending: the same object the kiosk handed out, else an equal one (e.g. a copy). */
  private takePending(tx: Transaction): Origin | undefined {
    let key: Transaction | undefined = this.pending.has(tx) ? tx : undefined;
    key ??= [...this.pending.keys()].find(
      (p) =>
        p.kind === tx.kind &&
        p.item === tx.item &&
        p.patron === tx.patron &&
        p.at === tx.at &&
        p.device === tx.device,
    );
    if (key === undefined) return undefined;
    const origin = this.pending.get(key);
    this.pending.delete(key);
    return origin;
  }
}

/** What makes two reads "the same barcode" for the double-read check. */
function readKey(scan: Scan, classified: Classified): string {
  if (scan.error !== undefined) return `raw:${scan.text.trim()}`;
  switch (classified.kind) {
    case 'patron':
      return `patron:${classified.patron}`;
    case 'item':
      return `item:${classified.item}`;
    case 'command':
      return `command:${classified.command}`;
    case 'rejected':
      return `raw:${scan.text.trim()}`;
  }
}

/**
 * What a rejection may carry of the scan: an item as classified, a patron's card masked, anything else
 * described (length, classes, two characters), never shown: a scan that failed its check may be a card.
 */
function shownText(scan: Scan, classified: Classified): string | undefined {
  if (scan.error !== undefined) return describeInput(scan.text);
  switch (classified.kind) {
    case 'patron':
      return maskPatron(classified.patron);
    case 'item':
      return classified.item;
    case 'command':
      return undefined;
    case 'rejected':
      return describeInput(scan.text);
  }
}

/**
 * A session's loans or a run of returns as a view carries them: the newest RECENT_KEPT (more than any
 * screen shows), and how many came before. O(1) per add and O(RECENT_KEPT) per view, however long the
 * session; entries are frozen, so views share them safely.
 */
class RecentList {
  private readonly items: RecentTransaction[] = [];
  private earlier = 0;

  add(transaction: RecentTransaction): void {
    this.items.push(Object.freeze(transaction));
    if (this.items.length > RECENT_KEPT) {
      this.items.shift();
      this.earlier++;
    }
  }

  get count(): number {
    return this.items.length + this.earlier;
  }

  view(): Pick<KioskView, 'recent' | 'recentEarlier'> {
    return { recent: this.items.slice(), ...(this.earlier > 0 && { recentEarlier: this.earlier }) };
  }
}
