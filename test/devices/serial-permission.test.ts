import { describe, it, expect, afterAll, beforeAll } from 'vitest';
import { chmod, realpath } from 'node:fs/promises';
import { startPty, type PtyPair } from '../helpers/pty.js';
import { bundleFixture, spawnJsonLines, type Bundle } from '../helpers/ts-child.js';

// Root may open any file, so the scanner runs in a child that keeps root's uid but loses the
// capabilities that bypass file permissions (setpriv): a mode-000 pty then really answers EACCES.
describe('SerialScanner without permission to open the port', () => {
  let bundle: Bundle;
  let pair: PtyPair;
  beforeAll(async () => {
    bundle = await bundleFixture('test/devices/fixtures/serial-child.ts');
    pair = await startPty();
  });
  afterAll(async () => {
    await pair?.dispose();
    await bundle?.dispose();
  });

  it('reports permission denied with the fix, keeps trying, and connects once allowed', async () => {
    const device = await realpath(pair.scannerPath);
    await chmod(device, 0o000);
    const config = {
      id: 'front',
      type: 'serial',
      path: pair.scannerPath,
      baudRate: 9600,
      silenceMs: 2000,
      reconnectMs: 40,
    };
    const run = spawnJsonLines('setpriv', [
      '--bounding-set',
      '-dac_override,-dac_read_search',
      process.execPath,
      bundle.file,
      JSON.stringify(config),
    ]);
    try {
      const denied = await run.waitForLine((l) => l.type === 'status', 'the first status');
      expect(denied).toEqual({
        type: 'status',
        device: 'front',
        status: 'error',
        message: `${pair.scannerPath}: permission denied: add the user to the dialout group or install the udev rule`,
      });

      await chmod(device, 0o660);
      await run.waitForLine((l) => l.status === 'connected', 'connected once allowed');
      await pair.write('21234000000018\r');
      await run.waitForLine((l) => l.type === 'scan', 'a scan');

      run.child.stdin?.write('stop\n');
      await run.waitForLine((l) => l.type === 'stopped', 'stopped');
      // stop() closed the port and cancelled its timers, so nothing keeps the process alive.
      expect(await run.exitWithin(10_000)).toBe(0);
      expect(run.lines.filter((l) => l.type === 'status').map((l) => l.status)).toEqual([
        'error',
        'connected',
      ]);
      expect(run.lines.find((l) => l.type === 'scan')).toMatchObject({
        text: '21234000000018',
        device: 'front',
      });
      expect(run.stderr()).toBe('');
    } finally {
      run.child.kill('SIGKILL');
      await run.exited;
    }
  });
});
