import { describe, it, expect } from 'vitest';
import { createClassifier } from '../../src/barcode/classify.js';
import { mod10CheckDigit } from '../../src/barcode/checkdigit.js';
import { configSchema } from '../../src/config/schema.js';
import { RECENT_KEPT, type KioskEvent, type Transaction } from '../../src/kiosk/events.js';
import { Kiosk, type KioskOptions } from '../../src/kiosk/kiosk.js';

const config = configSchema.parse({});
const classify = createClassifier({ barcodes: config.barcodes, commands: config.commands });

const ANN = '21234000000018';
const BOB = '21234000000026';
const BOOK = '31234000000016';
const ATLAS = '31234000000024';
const NOVEL = '30234000517861';

const IDLE = 60_000;
const WINDOW = 1_500;

interface ScanOptions {
  device?: string;
  group?: string;
  error?: string;
  /** Milliseconds since the previous call; enough to leave the double-read window unless said. */
  after?: number;
}

/** A kiosk on a fake clock, fed through the real classifier, as app.ts feeds it. */
function station(options: Partial<KioskOptions> = {}) {
  const kiosk = new Kiosk({ startMode: 'loan', idleTimeoutMs: IDLE, doubleReadMs: WINDOW, ...options });
  let now = 1_764_460_800_000;
  const advance = (ms: number) => (now += ms);
  return {
    kiosk,
    get now() {
      return now;
    },
    advance,
    scan(text: string, o: ScanOptions = {}) {
      advance(o.after ?? 2_000);
      const scan = {
        text,
        device: o.device ?? 'front',
        at: now,
        ...(o.group !== undefined && { group: o.group }),
        ...(o.error !== undefined && { error: o.error }),
      };
      return kiosk.scan(scan, classify(text), now);
    },
    command(command: 'loan' | 'return' | 'endSession', after = 1_000) {
      advance(after);
      return kiosk.command(command, now);
    },
    tick(after: number) {
      advance(after);
      return kiosk.tick(now);
    },
    /** Scans an item and, when the kiosk wants it written, tells it the journal made it durable. */
    lend(text: string, o: ScanOptions = {}) {
      const decision = this.scan(text, o);
      if (decision.write) decision.events.push(...kiosk.written(decision.write, 1, now));
      return decision;
    },
  };
}

const types = (events: KioskEvent[]) => events.map((e) => e.type);
const reasons = (events: KioskEvent[]) =>
  events.flatMap((e) => ('reason' in e && e.reason ? [e.reason] : []));

describe('Kiosk: start', () => {
  it.each(['loan', 'return'] as const)(
    'starts in the configured %s mode, in service, with nothing listed',
    (mode) => {
      const kiosk = new Kiosk({ startMode: mode, idleTimeoutMs: IDLE, doubleReadMs: WINDOW });
      expect(kiosk.view()).toEqual({ mode, recent: [], inService: true });
    },
  );

  it.each([
    { idleTimeoutMs: 0, doubleReadMs: 0 },
    { idleTimeoutMs: -1, doubleReadMs: 0 },
    { idleTimeoutMs: Number.NaN, doubleReadMs: 0 },
    { idleTimeoutMs: 1, doubleReadMs: -1 },
    { idleTimeoutMs: 1, doubleReadMs: Number.NaN },
  ])('refuses options it cannot keep: %j', (o) => {
    expect(() => new Kiosk({ startMode: 'loan', ...o })).toThrow(RangeError);
  });
});

describe('Kiosk: loan sessions', () => {
  it('opens a session on a patron scan, ending at the idle timeout', () => {
    const s = station();
    const { events, write } = s.scan(ANN);
    expect(events).toEqual([{ type: 'session', action: 'opened', patron: ANN, at: s.now }]);
    expect(write).toBeUndefined();
    expect(s.kiosk.view()).toMatchObject({
      mode: 'loan',
      patron: ANN,
      sessionEndsAt: s.now + IDLE,
      recent: [],
    });
  });

  it('writes a loan for each item in the session, and lists it only once the journal has it', () => {
    const s = station();
    s.scan(ANN);
    const { events, write } = s.scan(BOOK, { device: 'desk' });
    expect(events).toEqual([]);
    expect(write).toEqual({ kind: 'loan', item: BOOK, patron: ANN, at: s.now, device: 'desk' });
    expect(s.kiosk.view().recent).toEqual([]);

    const done = s.kiosk.written(write!, 7, s.now);
    expect(done).toEqual([{ type: 'transaction', transaction: write, line: 7 }]);
    expect(s.kiosk.view().recent).toEqual([{ kind: 'loan', item: BOOK, at: write!.at }]);

    s.lend(ATLAS);
    expect(s.kiosk.view().recent.map((r) => r.item)).toEqual([BOOK, ATLAS]);
  });

  it('rejects an item with no session open: the card comes first', () => {
    const s = station();
    const { events, write } = s.scan(BOOK);
    expect(write).toBeUndefined();
    expect(events).toEqual([
      { type: 'rejected', reason: 'scan your library card first', device: 'front', at: s.now, text: BOOK },
    ]);
  });

  it("a new patron's card ends the session and opens theirs, with an empty list", () => {
    const s = station();
    s.scan(ANN);
    s.lend(BOOK);
    const { events } = s.scan(BOB);
    expect(events).toEqual([
      {
        type: 'session',
        action: 'ended',
        patron: ANN,
        reason: 'replaced',
        at: s.now,
        summary: { loans: 1, due: [] },
      },
      { type: 'session', action: 'opened', patron: BOB, at: s.now },
    ]);
    expect(s.kiosk.view()).toMatchObject({ patron: BOB, recent: [] });
  });

  it('the same card again keeps the session and its list, and says it was seen', () => {
    const s = station();
    s.scan(ANN);
    s.lend(BOOK);
    const { events } = s.scan(ANN);
    expect(events).toEqual([{ type: 'session', action: 'opened', patron: ANN, at: s.now }]);
    expect(s.kiosk.view().recent.map((r) => r.item)).toEqual([BOOK]);
    expect(s.scan(BOOK).events.map((e) => e.type === 'rejected' && e.reason)).toEqual([
      "already on this patron's list",
    ]);
  });

  it("rejects an item already on this patron's list and writes nothing", () => {
    const s = station();
    s.scan(ANN);
    s.lend(BOOK);
    const { events, write } = s.scan(BOOK);
    expect(write).toBeUndefined();
    expect(events).toEqual([
      { type: 'rejected', reason: "already on this patron's list", device: 'front', at: s.now, text: BOOK },
    ]);
  });

  it('does not take the same item twice while its loan is still being written', () => {
    const s = station();
    s.scan(ANN);
    const first = s.scan(BOOK);
    const again = s.scan(BOOK);
    expect(again.write).toBeUndefined();
    expect(again.events).toEqual([
      { type: 'ignored', reason: 'already being saved for this patron', device: 'front', at: s.now },
    ]);
    s.kiosk.written(first.write!, 1, s.now);
    expect(s.kiosk.view().recent).toHaveLength(1);
  });

  it('lists per session: the next patron may borrow what the last one had', () => {
    const s = station();
    s.scan(ANN);
    s.lend(BOOK);
    s.scan(BOB);
    expect(s.scan(BOOK).write).toMatchObject({ kind: 'loan', item: BOOK, patron: BOB });
  });

  it('ends the session on the endSession command', () => {
    const s = station();
    s.scan(ANN);
    s.lend(BOOK);
    expect(s.command('endSession')).toEqual([
      {
        type: 'session',
        action: 'ended',
        patron: ANN,
        reason: 'command',
        at: s.now,
        summary: { loans: 1, due: [] },
      },
    ]);
    expect(s.kiosk.view()).toEqual({ mode: 'loan', recent: [], inService: true });
    expect(reasons(s.scan(ATLAS).events)).toEqual(['scan your library card first']);
  });

  it('says there is no session to end when none is open', () => {
    const s = station();
    expect(s.command('endSession')).toEqual([{ type: 'ignored', reason: 'no session to end', at: s.now }]);
  });

  it('ends the session by the END-SESSION command barcode', () => {
    const s = station();
    s.scan(ANN);
    expect(s.scan('END-SESSION').events).toEqual([
      {
        type: 'session',
        action: 'ended',
        patron: ANN,
        reason: 'command',
        at: s.now,
        summary: { loans: 0, due: [] },
      },
    ]);
  });
});

describe('Kiosk: idle timeout', () => {
  it('ends the session after idleTimeoutMs without a scan, and not a moment before', () => {
    const s = station();
    s.scan(ANN);
    s.lend(BOOK);
    expect(s.tick(IDLE - 1)).toEqual([]);
    expect(s.kiosk.view().patron).toBe(ANN);
    expect(s.tick(1)).toEqual([
      {
        type: 'session',
        action: 'ended',
        patron: ANN,
        reason: 'idle',
        at: s.now,
        summary: { loans: 1, due: [] },
      },
    ]);
    expect(s.kiosk.view()).toEqual({ mode: 'loan', recent: [], inService: true });
    expect(s.tick(IDLE)).toEqual([]);
  });

  it('ends an idle session at the next scan even when no tick came: no loan to the last patron', () => {
    const s = station();
    s.scan(ANN);
    const { events, write } = s.scan(BOOK, { after: IDLE + 5 });
    expect(write).toBeUndefined();
    expect(events).toEqual([
      {
        type: 'session',
        action: 'ended',
        patron: ANN,
        reason: 'idle',
        at: s.now,
        summary: { loans: 0, due: [] },
      },
      { type: 'rejected', reason: 'scan your library card first', device: 'front', at: s.now, text: BOOK },
    ]);
  });

  it('keeps the session alive with every scan, even rejected and ignored ones', () => {
    const s = station();
    s.scan(ANN);
    for (const text of ['garbage', '9780306406157', '\u001b[2J', BOOK, BOOK]) {
      s.scan(text, { after: IDLE - 1_000 });
      expect(s.kiosk.view()).toMatchObject({ patron: ANN, sessionEndsAt: s.now + IDLE });
    }
    // A double read (well inside the window) is still someone at the kiosk.
    expect(reasons(s.scan(BOOK, { after: 10 }).events)).toEqual(['double read ignored']);
    expect(s.kiosk.view().sessionEndsAt).toBe(s.now + IDLE);
    expect(s.tick(IDLE - 1)).toEqual([]);
    expect(types(s.tick(1))).toEqual(['session']);
  });

  it('keeps the session alive with a scan the driver flagged as unusable', () => {
    const s = station();
    s.scan(ANN);
    s.scan('x', { after: IDLE - 1, error: 'unknown key code 0x99' });
    expect(s.tick(IDLE - 1)).toEqual([]);
  });

  it('ends the session within idleTimeoutMs of a wall clock stepped back', () => {
    const s = station();
    s.scan(ANN);
    const stepped = s.now - 3_600_000;
    expect(s.kiosk.tick(stepped)).toEqual([]);
    expect(s.kiosk.tick(stepped + IDLE - 1)).toEqual([]);
    expect(types(s.kiosk.tick(stepped + IDLE))).toEqual(['session']);
    expect(s.kiosk.view().patron).toBeUndefined();
  });

  it('never shows a late loan to the next patron: a write finishing after the session ended stays off the list', () => {
    const s = station();
    s.scan(ANN);
    const pending = s.scan(BOOK);
    s.scan(BOB);
    expect(s.kiosk.written(pending.write!, 1, s.now)).toEqual([
      { type: 'transaction', transaction: pending.write, line: 1 },
    ]);
    expect(s.kiosk.view()).toMatchObject({ patron: BOB, recent: [] });

    const afterIdle = s.scan(ATLAS);
    s.tick(IDLE);
    s.kiosk.written(afterIdle.write!, 2, s.now);
    expect(s.kiosk.view()).toEqual({ mode: 'loan', recent: [], inService: true });
  });
});

describe('Kiosk: modes', () => {
  it('switches mode on the loan and return commands, ending the session first', () => {
    const s = station();
    s.scan(ANN);
    s.lend(BOOK);
    expect(s.command('return')).toEqual([
      {
        type: 'session',
        action: 'ended',
        patron: ANN,
        reason: 'mode',
        at: s.now,
        summary: { loans: 1, due: [] },
      },
      { type: 'mode', mode: 'return', at: s.now },
    ]);
    expect(s.kiosk.view()).toEqual({ mode: 'return', recent: [], inService: true });
    expect(s.command('loan')).toEqual([{ type: 'mode', mode: 'loan', at: s.now }]);
    expect(s.kiosk.view().mode).toBe('loan');
  });

  it('says the mode when switching to the mode it is in, and changes nothing else', () => {
    const s = station();
    s.scan(ANN);
    s.lend(BOOK);
    expect(s.command('loan')).toEqual([{ type: 'mode', mode: 'loan', at: s.now }]);
    expect(s.kiosk.view()).toMatchObject({ mode: 'loan', patron: ANN, recent: [{ item: BOOK }] });
  });

  it('switches mode by command barcode', () => {
    const s = station();
    expect(s.scan('MODE-RETURN').events).toEqual([{ type: 'mode', mode: 'return', at: s.now }]);
    expect(s.scan(']C0MODE-LOAN').events).toEqual([{ type: 'mode', mode: 'loan', at: s.now }]);
  });

  it('writes a return for each item in return mode, without a patron', () => {
    const s = station({ startMode: 'return' });
    const { events, write } = s.scan(BOOK, { device: 'bin' });
    expect(events).toEqual([]);
    expect(write).toEqual({ kind: 'return', item: BOOK, at: s.now, device: 'bin' });
    expect(write).not.toHaveProperty('patron');
    expect(s.kiosk.view().recent).toEqual([]);
    s.kiosk.written(write!, 3, s.now);
    expect(s.kiosk.view().recent).toEqual([{ kind: 'return', item: BOOK, at: write!.at }]);
  });

  it('writes a return of the same item again when it comes again after the double-read window', () => {
    const s = station({ startMode: 'return' });
    s.lend(BOOK);
    expect(s.scan(BOOK).write).toMatchObject({ kind: 'return', item: BOOK });
  });

  it('rejects a patron card in return mode, writes nothing and does not show the whole card number', () => {
    const s = station({ startMode: 'return' });
    const { events, write } = s.scan(ANN);
    expect(write).toBeUndefined();
    expect(events).toEqual([
      {
        type: 'rejected',
        reason: 'this is return mode: just scan the items to return',
        device: 'front',
        at: s.now,
        text: '••••0018',
      },
    ]);
    expect(JSON.stringify(events)).not.toContain(ANN);
    expect(s.kiosk.view()).toEqual({ mode: 'return', recent: [], inService: true });
  });

  it('lists the returns since return mode began, fresh each time it begins', () => {
    const s = station();
    s.command('return');
    s.lend(BOOK);
    s.lend(ATLAS);
    expect(s.kiosk.view().recent.map((r) => r.item)).toEqual([BOOK, ATLAS]);
    s.command('loan');
    expect(s.kiosk.view().recent).toEqual([]);
    s.command('return');
    expect(s.kiosk.view().recent).toEqual([]);
    s.lend(NOVEL);
    expect(s.kiosk.view().recent.map((r) => r.item)).toEqual([NOVEL]);
  });

  it('clears the return list after the idle time without a scan, and keeps it while scans come', () => {
    const s = station({ startMode: 'return' });
    s.lend(BOOK);
    s.scan('garbage', { after: IDLE - 1 });
    expect(s.tick(IDLE - 1)).toEqual([]);
    expect(s.kiosk.view().recent).toHaveLength(1);
    expect(s.tick(1)).toEqual([{ type: 'returns', action: 'ended', returns: 1, reason: 'idle', at: s.now }]);
    expect(s.kiosk.view().recent).toEqual([]);
    s.lend(ATLAS);
    expect(s.kiosk.view().recent.map((r) => r.item)).toEqual([ATLAS]);
  });

  it('clears the return list at the next scan after the idle time even without a tick', () => {
    const s = station({ startMode: 'return' });
    s.lend(BOOK);
    s.lend(ATLAS, { after: IDLE });
    expect(s.kiosk.view().recent.map((r) => r.item)).toEqual([ATLAS]);
  });

  it('keeps a return written after the mode changed off every list', () => {
    const s = station({ startMode: 'return' });
    const pending = s.scan(BOOK);
    s.command('loan');
    s.command('return');
    expect(types(s.kiosk.written(pending.write!, 1, s.now))).toEqual(['transaction']);
    expect(s.kiosk.view().recent).toEqual([]);
  });
});

describe('Kiosk: double reads', () => {
  it('ignores the same barcode from the same scanner within doubleReadMs, and says so once per run', () => {
    const s = station();
    s.scan(ANN);
    const first = s.scan(BOOK);
    expect(first.write).toBeDefined();
    const second = s.scan(BOOK, { after: WINDOW - 1 });
    expect(second).toEqual({
      events: [{ type: 'ignored', reason: 'double read ignored', device: 'front', at: s.now }],
    });
    // The window slides with each repeat: 20 more reads, each inside the window of the one before.
    for (let i = 0; i < 20; i++) expect(s.scan(BOOK, { after: WINDOW - 1 })).toEqual({ events: [] });
    // Only after a pause as long as the window is it a new read again (and the loan is still being saved).
    expect(reasons(s.scan(BOOK, { after: WINDOW }).events)).toEqual(['already being saved for this patron']);
  });

  it('says a new run of repeats again after a pause', () => {
    const s = station({ startMode: 'return' });
    s.lend(BOOK);
    expect(reasons(s.scan(BOOK, { after: 10 }).events)).toEqual(['double read ignored']);
    expect(s.lend(BOOK, { after: WINDOW }).write).toBeDefined();
    expect(reasons(s.scan(BOOK, { after: 10 }).events)).toEqual(['double read ignored']);
  });

  it('checks before everything else: commands, rejections, and out of service', () => {
    const s = station();
    expect(types(s.scan('MODE-RETURN').events)).toEqual(['mode']);
    expect(reasons(s.scan('MODE-RETURN', { after: 10 }).events)).toEqual(['double read ignored']);

    expect(types(s.scan('9780306406157').events)).toEqual(['rejected']);
    expect(reasons(s.scan('9780306406157', { after: 10 }).events)).toEqual(['double read ignored']);

    const pending = s.scan(BOOK);
    s.kiosk.writeFailed(pending.write!, 'disk full', s.now);
    expect(reasons(s.scan(ATLAS).events)).toEqual(['out of service: disk full']);
    expect(reasons(s.scan(ATLAS, { after: 10 }).events)).toEqual(['double read ignored']);
  });

  it('knows a barcode by its normalized form: decorations do not make a second read', () => {
    const s = station();
    s.scan(ANN);
    expect(s.scan(']F0A31234000000016B').write).toMatchObject({ item: BOOK });
    expect(reasons(s.scan('3 1234 00000 0016', { after: 10 }).events)).toEqual(['double read ignored']);
  });

  it('tells scan groups apart: the same barcode on another scanner is a new read', () => {
    const s = station({ startMode: 'return' });
    expect(s.scan(BOOK, { device: 'left' }).write).toBeDefined();
    expect(s.scan(BOOK, { device: 'right', after: 10 }).write).toBeDefined();
  });

  it('groups devices that share a group: a keyboard scanner also typing into the terminal is one read', () => {
    const s = station({ startMode: 'return' });
    expect(s.scan(BOOK, { device: 'hid', group: 'keyboard' }).write).toBeDefined();
    const echo = s.scan(BOOK, { device: 'terminal', group: 'keyboard', after: 10 });
    expect(echo.write).toBeUndefined();
    expect(echo.events).toEqual([
      { type: 'ignored', reason: 'double read ignored', device: 'terminal', at: s.now },
    ]);
  });

  it('remembers each barcode on its own: A, B, A quickly ignores the second A', () => {
    const s = station({ startMode: 'return' });
    s.lend(BOOK);
    s.lend(ATLAS, { after: 100 });
    expect(reasons(s.scan(BOOK, { after: 100 }).events)).toEqual(['double read ignored']);
  });

  it('turns off with doubleReadMs 0', () => {
    const s = station({ startMode: 'return', doubleReadMs: 0 });
    expect(s.scan(BOOK).write).toBeDefined();
    expect(s.scan(BOOK, { after: 0 }).write).toBeDefined();
  });

  it('is not fooled by a wall clock stepped back: an old read is not a repeat', () => {
    const s = station({ startMode: 'return' });
    s.lend(BOOK);
    s.advance(-3_600_000);
    expect(s.scan(BOOK, { after: 60_000 }).write).toBeDefined();
  });
});

describe('Kiosk: scans the driver flagged, and rejected scans', () => {
  it('rejects a scan with an error using the driver’s reason, even if the text is a good item', () => {
    const s = station();
    s.scan(ANN);
    const { events, write } = s.scan(BOOK, { error: 'unknown key code 0x99: scan again' });
    expect(write).toBeUndefined();
    expect(events).toEqual([
      {
        type: 'rejected',
        reason: 'unknown key code 0x99: scan again',
        device: 'front',
        at: s.now,
        // A scan the driver flagged is raw text: described, never shown.
        text: '14 characters (14 digits, starting "31")',
      },
    ]);
  });

  it('passes on the classifier’s reason, describing the raw text, never showing it', () => {
    const s = station();
    const { events } = s.scan('\u001b[2J31234000000016');
    expect(events).toEqual([
      {
        type: 'rejected',
        reason: 'unreadable scan: contains a control or non-ASCII character',
        device: 'front',
        at: s.now,
        text: '18 characters (15 digits, 1 letter, 2 other, starting "\\x1b[")',
      },
    ]);
  });
});

describe('Kiosk: out of service', () => {
  function failed() {
    const s = station();
    s.scan(ANN);
    const pending = s.scan(BOOK);
    const events = s.kiosk.writeFailed(pending.write!, 'ENOSPC: no space left on device', s.now);
    return { s, pending: pending.write!, events };
  }

  it('rejects the failed transaction saying it was NOT saved, and goes out of service', () => {
    const { s, events } = failed();
    expect(events).toHaveLength(2);
    expect(events[0]).toMatchObject({ type: 'rejected', device: 'front', at: s.now, text: BOOK });
    const reason = (events[0] as { reason: string }).reason;
    expect(reason).toContain('NOT saved');
    expect(reason).toContain('ENOSPC: no space left on device');
    expect(reason).toMatch(/scan .* again .*or see staff/);
    expect(events[1]).toEqual({
      type: 'service',
      inService: false,
      reason: 'ENOSPC: no space left on device',
      at: s.now,
    });
    expect(s.kiosk.view()).toMatchObject({
      inService: false,
      outOfServiceReason: 'ENOSPC: no space left on device',
      recent: [],
    });
  });

  it('rejects every scan while out of service, commands barcodes too, and writes nothing', () => {
    const { s } = failed();
    for (const text of [ATLAS, BOB, 'MODE-RETURN', 'garbage']) {
      const { events, write } = s.scan(text);
      expect(write).toBeUndefined();
      expect(reasons(events)).toEqual(['out of service: ENOSPC: no space left on device']);
    }
    expect(s.kiosk.view()).toMatchObject({ mode: 'loan', patron: ANN });
    expect(JSON.stringify(s.scan(BOB).events)).not.toContain(BOB);
  });

  it('still takes keys while out of service', () => {
    const { s } = failed();
    expect(types(s.command('return'))).toEqual(['session', 'mode']);
    expect(s.kiosk.view()).toMatchObject({ mode: 'return', inService: false });
  });

  it('says a second failure only as a rejection, not a second service change', () => {
    const s = station({ startMode: 'return' });
    const a = s.scan(BOOK);
    const b = s.scan(ATLAS);
    expect(types(s.kiosk.writeFailed(a.write!, 'EIO', s.now))).toEqual(['rejected', 'service']);
    expect(types(s.kiosk.writeFailed(b.write!, 'EIO', s.now))).toEqual(['rejected']);
  });

  it('comes back into service on recovered(), and the item not saved can be scanned again', () => {
    const { s } = failed();
    expect(s.kiosk.recovered(s.now)).toEqual([{ type: 'service', inService: true, at: s.now }]);
    expect(s.kiosk.view().inService).toBe(true);
    expect(s.kiosk.view()).not.toHaveProperty('outOfServiceReason');
    expect(s.scan(BOOK).write).toEqual({ kind: 'loan', item: BOOK, patron: ANN, at: s.now, device: 'front' });
  });

  it('says nothing on recovered() when it was in service', () => {
    const s = station();
    expect(s.kiosk.recovered(s.now)).toEqual([]);
  });
});

describe('Kiosk: the view', () => {
  it('gives a snapshot: changing it changes nothing in the kiosk', () => {
    const s = station();
    s.scan(ANN);
    s.lend(BOOK);
    const view = s.kiosk.view();
    view.recent.push({ kind: 'loan', item: 'X', at: 0 });
    // The entries are shared between views, so they are frozen: a change is refused, not passed on.
    expect(() => (view.recent[0]!.item = 'Y')).toThrow(TypeError);
    expect(s.kiosk.view().recent).toEqual([{ kind: 'loan', item: BOOK, at: s.now }]);
  });

  it('recognises a written transaction passed back as an equal copy', () => {
    const s = station();
    s.scan(ANN);
    const { write } = s.scan(BOOK);
    const copy: Transaction = JSON.parse(JSON.stringify(write));
    s.kiosk.written(copy, 1, s.now);
    expect(s.kiosk.view().recent.map((r) => r.item)).toEqual([BOOK]);
  });

  it('reports a transaction it never handed out, but lists it nowhere', () => {
    const s = station();
    s.scan(ANN);
    const stranger: Transaction = { kind: 'loan', item: ATLAS, patron: ANN, at: 1, device: 'front' };
    expect(s.kiosk.written(stranger, 9, s.now)).toEqual([
      { type: 'transaction', transaction: stranger, line: 9 },
    ]);
    expect(s.kiosk.view().recent).toEqual([]);
  });
});

describe('Kiosk: a line the journal refuses', () => {
  it('is rejected with the reason, stays in service, and the same item can be scanned again', () => {
    const s = station();
    s.scan(ANN);
    const first = s.scan(BOOK);
    const events = s.kiosk.refused(first.write!, 'not saved: the item barcode is too long', s.now);
    expect(events).toEqual([
      {
        type: 'rejected',
        reason: 'not saved: the item barcode is too long',
        device: 'front',
        at: s.now,
        text: BOOK,
      },
    ]);
    expect(s.kiosk.view()).toMatchObject({ inService: true, recent: [] });
    // Nothing stays "being saved": the next scan of it is decided afresh.
    const again = s.scan(BOOK);
    expect(again.write).toMatchObject({ kind: 'loan', item: BOOK, patron: ANN });
  });
});

describe('Kiosk: a long session', () => {
  /** A valid item barcode for n (mod 10 check digit, as the default rules want). */
  const itemFor = (n: number) => {
    const body = `31234${String(n).padStart(8, '0')}`;
    return body + mod10CheckDigit(body);
  };

  it('lists the newest RECENT_KEPT loans and counts the rest; the summary still has every loan and due date', () => {
    const s = station({ dueDate: (_item, at) => at + 86_400_000 });
    s.scan(ANN);
    const lent: string[] = [];
    for (let n = 0; n < RECENT_KEPT + 150; n++) {
      const decision = s.lend(itemFor(n));
      expect(types(decision.events)).toContain('transaction');
      lent.push(itemFor(n));
    }
    const view = s.kiosk.view();
    expect(view.recent.map((r) => r.item)).toEqual(lent.slice(-RECENT_KEPT));
    expect(view.recentEarlier).toBe(150);
    // Lent once in this session is still lent, even when no longer listed.
    expect(reasons(s.scan(lent[0]!).events).length).toBe(1);
    const ended = s.command('endSession').find((e) => e.type === 'session');
    expect(ended).toMatchObject({ summary: { loans: RECENT_KEPT + 150 } });
    expect(ended?.type === 'session' && ended.summary?.due).toHaveLength(RECENT_KEPT + 150);
  });

  it('gives views that later loans do not change', () => {
    const s = station();
    s.scan(ANN);
    s.lend(BOOK);
    const before = s.kiosk.view();
    s.lend(ATLAS);
    expect(before.recent.map((r) => r.item)).toEqual([BOOK]);
    expect(before.recentEarlier).toBeUndefined();
  });
});
