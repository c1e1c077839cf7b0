/**
 * The station alone, on fake ports and a clock of the test's: what it stores, what it tells the outputs,
 * when it goes out of service and back, rotation between two scans, fairness between sources, and that
 * stop() stops exactly what start() started.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Classified } from '../../src/barcode/classify.js';
import type { Log } from '../../src/log.js';
import type { ScanSink } from '../../src/station/ports.js';
import { PAUSE_AT, SOURCE_QUEUE, Station } from '../../src/station/station.js';
import { STALL_MS } from '../../src/station/watchdog.js';
import { FakeSource, FakeStore, RecordingOutput } from './fakes.js';

const ANN = '21234000000018';
const BOOK = '31234000000016';
const BOOK2 = '31234000000024';

/** Patrons start with 2, items with 3, MODE-RETURN is a command; anything else is rejected. */
function classify(text: string): Classified {
  if (text === 'MODE-RETURN') return { kind: 'command', command: 'return' };
  if (text.startsWith('2')) return { kind: 'patron', patron: text };
  if (text.startsWith('3')) return { kind: 'item', item: text };
  return { kind: 'rejected', reason: 'not a library card or item barcode' };
}

interface Rig {
  station: Station;
  store: FakeStore;
  output: RecordingOutput;
  sources: FakeSource[];
  exits: number;
  clock: { t: number };
}

function rig(options: { sources?: string[]; sourceError?: Error; retryMs?: number; log?: Log } = {}): Rig {
  const store = new FakeStore();
  const output = new RecordingOutput();
  const clock = { t: Date.UTC(2026, 11, 2, 10, 0) };
  let sink!: ScanSink;
  const sources = (options.sources ?? ['front']).map(
    (id, i) => new FakeSource(id, () => sink, i === 1 ? options.sourceError : undefined),
  );
  const r: Rig = { store, output, sources, exits: 0, clock, station: undefined as unknown as Station };
  r.station = new Station({
    station: 'desk',
    kiosk: { startMode: 'loan', idleTimeoutMs: 60_000, doubleReadMs: 1500 },
    classify,
    store,
    sources: (s) => ((sink = s), sources),
    outputs: [output],
    log: options.log ?? (() => undefined),
    retryMs: options.retryMs ?? 5,
    now: () => clock.t,
    onExit: () => r.exits++,
  });
  return r;
}

let running: Station | undefined;
afterEach(async () => {
  vi.useRealTimers();
  await running?.stop();
  running = undefined;
});

async function started(options?: Parameters<typeof rig>[0]): Promise<Rig> {
  const r = rig(options);
  await r.station.start();
  running = r.station;
  return r;
}

/** Feeds scans one by one from the first source, waiting for each to be handled. */
async function scan(r: Rig, ...texts: string[]): Promise<void> {
  for (const text of texts) {
    r.clock.t += 2000;
    r.sources[0]!.scan(text, r.clock.t);
    await r.station.idle();
  }
}

describe('Station: the way through', () => {
  it('stores a loan, then tells every output once, with the view after it', async () => {
    const r = await started();
    await scan(r, ANN, BOOK);
    expect(r.store.lines).toMatchObject([{ kind: 'loan', item: BOOK, patron: ANN }]);
    const transactions = r.output.events.filter((e) => e.event.type === 'transaction');
    expect(transactions).toHaveLength(1);
    expect(transactions[0]!.view.recent).toMatchObject([{ kind: 'loan', item: BOOK }]);
    // Today's count starts from what the store found (2 loans + 1 return) and counts on.
    expect(transactions[0]!.view.journal.today).toBe(4);
    expect(r.output.of('decision')).toMatchObject([
      { device: 'front', ok: true },
      { device: 'front', ok: true },
    ]);
  });

  it('a transaction the store refuses is rejected and nothing else changes: still in service', async () => {
    const r = await started();
    r.store.failWith = { kind: 'refused', reason: 'the item is longer than 80 characters' };
    await scan(r, ANN, BOOK);
    expect(r.output.of('rejected')).toMatchObject([{ reason: expect.stringContaining('longer than 80') }]);
    expect(r.output.of('service')).toEqual([]);
    expect(r.station.view().inService).toBe(true);
    expect(r.output.of('decision').at(-1)).toMatchObject({ ok: false });
  });

  it('a store that is unavailable takes the station out of service; probing brings it back', async () => {
    const r = await started({ retryMs: 5 });
    r.store.failWith = { kind: 'unavailable', reason: 'disk full (ENOSPC) writing /fake/OffCirc.dat' };
    r.store.probeAnswer = { kind: 'unavailable', reason: 'disk full' };
    await scan(r, ANN, BOOK);
    expect(r.station.view()).toMatchObject({
      inService: false,
      outOfServiceReason: expect.stringContaining('disk full'),
    });
    expect(r.station.view().journal.lastWrite).toMatchObject({ ok: false });
    // Out of service, scans are refused without reaching the store.
    await scan(r, BOOK2);
    expect(r.store.calls.filter((c) => c.startsWith('append'))).toHaveLength(1);
    await vi.waitFor(() => expect(r.store.calls.filter((c) => c === 'probe').length).toBeGreaterThan(1));
    r.store.failWith = undefined;
    r.store.probeAnswer = { kind: 'available' };
    await vi.waitFor(() => expect(r.station.view().inService).toBe(true));
    expect(r.output.of('service').map((e) => e.inService)).toEqual([false, true]);
    await scan(r, BOOK2);
    expect(r.store.lines.map((l) => l.item)).toEqual([BOOK2]);
  });

  it('rotates between two scans: the scan before is in the rotated file, the one after in the new one', async () => {
    const r = await started();
    await scan(r, ANN);
    r.clock.t += 2000;
    r.sources[0]!.scan(BOOK, r.clock.t);
    const rotated = r.station.rotate();
    r.sources[0]!.scan(BOOK2, r.clock.t + 1);
    expect(await rotated).toEqual({ ok: true, file: '/fake/outbox/1.dat', lines: 1 });
    await r.station.idle();
    expect(r.store.calls).toEqual(['start', `append ${BOOK}`, 'rotate after 1', `append ${BOOK2}`]);
    expect(r.output.of('rotated')).toMatchObject([{ file: '/fake/outbox/1.dat', lines: 1 }]);
    expect(await r.station.rotate()).toEqual({ ok: true, file: '/fake/outbox/1.dat', lines: 1 });
    expect(await r.station.rotate()).toEqual({ ok: true, file: null, lines: 0 });
  });

  it('stop during a write lets the write finish and tell the outputs, then stops the store', async () => {
    const r = await started();
    await scan(r, ANN);
    let release!: () => void;
    r.store.hold = new Promise((resolve) => (release = resolve));
    r.sources[0]!.scan(BOOK, r.clock.t + 2000);
    await vi.waitFor(() => expect(r.store.calls).toContain(`append ${BOOK}`));
    const stopped = r.station.stop();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(r.store.calls).not.toContain('stop');
    release();
    await stopped;
    expect(r.store.lines).toHaveLength(1);
    expect(r.output.of('transaction')).toHaveLength(1);
    expect(r.store.calls.at(-1)).toBe('stop');
    expect(r.output.stopped).toBe(true);
    expect(r.sources[0]!.stopped).toBe(true);
    running = undefined;
  });

  it('a failed start stops what started, in reverse, and touches nothing that did not start', async () => {
    const r = rig({ sources: ['front', 'broken', 'never'], sourceError: new Error('no such port') });
    await expect(r.station.start()).rejects.toThrow('no such port');
    expect(r.store.calls).toEqual(['start', 'stop']);
    expect(r.output.started && r.output.stopped).toBe(true);
    expect(r.sources.map((s) => s.stopped)).toEqual([true, true, false]);
    expect(r.sources[2]!.started).toBe(false);
  });

  it('a store that cannot start: nothing else starts, nothing is stopped but nothing', async () => {
    const r = rig();
    r.store.startError = new Error('journal in use');
    await expect(r.station.start()).rejects.toThrow('journal in use');
    expect(r.store.calls).toEqual(['start']);
    expect(r.output.started || r.output.stopped).toBe(false);
    expect(r.sources[0]!.started || r.sources[0]!.stopped).toBe(false);
  });

  it('ends by itself once every source has ended', async () => {
    const r = await started({ sources: ['a', 'b'] });
    r.sources[0]!.end();
    await r.station.idle();
    expect(r.exits).toBe(0);
    r.sources[1]!.end();
    await vi.waitFor(() => expect(r.exits).toBe(1));
  });

  it('sends the good or bad signal to the scanner that sent the scan, once per scan', async () => {
    const r = await started({ sources: ['front', 'back'] });
    await scan(r, ANN, 'garbage', BOOK);
    expect(r.output.of('decision').map((d) => [d.device, d.ok])).toEqual([
      ['front', true],
      ['front', false],
      ['front', true],
    ]);
  });
});

describe('Station: one scanner flooding', () => {
  it("serves sources in turn: a healthy scanner's loan waits for at most one of the flood's scans", async () => {
    const r = await started({ sources: ['healthy', 'stuck'] });
    await scan(r, ANN);
    const [healthy, stuck] = r.sources as [FakeSource, FakeSource];
    r.clock.t += 2000;
    // The stuck scanner sends 10,000 noise lines in one go, then the patron scans an item.
    for (let i = 0; i < 10_000; i++) stuck.scan(`noise${i}`, r.clock.t);
    healthy.scan(BOOK, r.clock.t);
    await r.station.idle();
    const handled = r.output.events.map((e) => e.event).filter((e) => e.type === 'decision');
    const loanAt = handled.findIndex((e) => e.device === 'healthy' && e.ok);
    // Before the loan: the patron's card, and at most one scan of the flood.
    expect(loanAt).toBeLessThanOrEqual(2);
    expect(r.store.lines.map((l) => l.item)).toEqual([BOOK]);
    // The flood's excess was dropped, not queued: memory stays bounded (its lane, and the one in hand).
    const noise = handled.filter((e) => e.device === 'stuck');
    expect(noise.length).toBeLessThanOrEqual(SOURCE_QUEUE + 1);
    expect(r.station.view().devices).toEqual([]);
  });

  it('asks a filling source to hold back, drops what still does not fit, shows it faulty and says so once', async () => {
    const logged: string[] = [];
    const r = await started({ log: (level, message) => logged.push(`${level} ${message}`) });
    const front = r.sources[0]!;
    front.status('connected', 'connected to /dev/ttyACM0');
    for (let i = 0; i < PAUSE_AT + 1; i++) front.scan(`noise${i}`, r.clock.t);
    expect(front.paused).toEqual(['pause']);
    expect(r.station.view().devices).toEqual([
      {
        id: 'front',
        status: 'error',
        message: expect.stringMatching(/faster than anyone can scan \(0 dropped\)/),
      },
    ]);
    // A source that can't hold back: what doesn't fit in its lane is dropped, and counted.
    for (let i = PAUSE_AT + 1; i < SOURCE_QUEUE + 5000; i++) front.scan(`noise${i}`, r.clock.t);
    const dropped = Number(/\((\d+) dropped\)/.exec(r.station.view().devices[0]!.message)![1]);
    // The first is in hand at once, SOURCE_QUEUE wait in the lane, the rest are dropped.
    expect(dropped).toBe(5000 - 1);
    expect(logged.filter((l) => l.includes('faster than anyone'))).toHaveLength(1);
    await r.station.idle();
    expect(front.paused).toEqual(['pause', 'resume']);
  });
});

describe('Station: the watchdog', () => {
  it('goes out of service when a scan has waited STALL_MS, and back once scans are handled again', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
    const r = await started();
    await scan(r, ANN);
    let release!: () => void;
    r.store.hold = new Promise((resolve) => (release = resolve));
    r.sources[0]!.scan(BOOK, r.clock.t);
    await vi.advanceTimersByTimeAsync(10);
    r.sources[0]!.scan(BOOK2, r.clock.t);
    expect(r.station.view().inService).toBe(true);
    r.clock.t += STALL_MS;
    await vi.advanceTimersByTimeAsync(STALL_MS);
    expect(r.station.view()).toMatchObject({
      inService: false,
      outOfServiceReason: expect.stringContaining('scans are not being handled'),
    });
    release();
    r.store.hold = undefined;
    await vi.advanceTimersByTimeAsync(10);
    await r.station.idle();
    expect(r.station.view().inService).toBe(true);
    expect(r.output.of('service').map((e) => e.inService)).toEqual([false, true]);
  });
});
