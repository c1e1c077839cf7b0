/**
 * The dashboard in a real browser (Debian's chromium driven by playwright-core) against a real station
 * process forwarding to a real PostgreSQL and the real `offcirc collect serve`: a station going out of
 * service shows within seconds; a batch's download is byte for byte what `collect export` wrote;
 * mark-as-uploaded needs the password and the form's CSRF token; patron IDs are masked on every page.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { itemBarcode, PATRON } from '../helpers/barcodes.js';
import { runOffcirc, startOffcirc, tempDir, writeConfig, type OffcircProcess } from '../helpers/offcirc.js';
import { CHROMIUM, describeWithPostgres, startPostgres, type PgCluster } from '../helpers/postgres.js';
import { startPty, waitFor, type PtyPair } from '../helpers/pty.js';

describeWithPostgres(
  'the dashboard in Chromium',
  () => {
    let cluster: PgCluster;
    let db: string;
    let admin: string;
    let browser: BrowserContext;
    let page: Page;
    let serve: OffcircProcess;
    let base: string;
    let station: OffcircProcess;
    let pty: PtyPair;
    let dir: string;
    const profile = mkdtempSync(path.join(tmpdir(), 'offcirc-chromium-'));

    beforeAll(async () => {
      cluster = await startPostgres();
      db = await cluster.createDatabase();
      admin = cluster.adminUrl(db);
      expect((await runOffcirc(['collect', 'migrate', '--db', admin])).code).toBe(0);
      expect(
        (await runOffcirc(['collect', 'set-password', '--db', admin], { input: 'circ-manager-7\n' })).code,
      ).toBe(0);
      serve = startOffcirc(['collect', 'serve', '--port', '0', '--db', admin]);
      const listening = await serve.waitFor(
        (r) => r.event === 'unparsed' && /dashboard on/.test(String(r.message)),
        'the dashboard',
      );
      base = /http:\/\/[^/]+/.exec(String(listening.message))![0];
      expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

      // One station, forwarding as the tables' owner over the socket (the roles are tested elsewhere).
      dir = tempDir('offcirc-dash-');
      pty = await startPty();
      const config = writeConfig(dir, {
        station: 'dash-1',
        desk: 'CIRC',
        journal: { path: 'OffCirc.dat', retrySeconds: 1 },
        devices: [{ id: 'front', type: 'serial', path: pty.scannerPath }],
        session: { doubleReadMs: 0 },
        logging: { dir: path.join(dir, 'logs') },
        forward: { url: admin, retryMaxSeconds: 1, statusSeconds: 1 },
      });
      station = startOffcirc(['run', '--headless', '--config', config]);
      await station.waitFor((r) => r.event === 'device' && r.status === 'connected', 'the scanner');

      browser = await chromium.launchPersistentContext(profile, {
        executablePath: CHROMIUM,
        headless: true,
        acceptDownloads: true,
        args: [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-background-networking',
          '--disable-component-update',
          '--no-first-run',
        ],
      });
      page = browser.pages()[0] ?? (await browser.newPage());
    }, 90_000);

    afterAll(async () => {
      await browser?.close();
      for (const p of [station, serve]) {
        if (p && p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGTERM');
        await p?.exited;
      }
      await pty?.dispose();
      await cluster?.dispose();
      rmSync(profile, { recursive: true, force: true });
    });

    const stationCell = () => page.locator('tr[data-station="dash-1"] td').nth(2);

    it('shows the station, its lines and masked patrons; a station going out of service shows within seconds', async () => {
      await pty.write(`${PATRON}\r${itemBarcode(1)}\r${itemBarcode(2)}\r`);
      await station.waitForCount((r) => r.event === 'transaction', 2, 'two loans');
      await waitFor(
        async () =>
          (await cluster.query<{ n: number }>(db, 'SELECT count(*)::int AS n FROM offcirc.lines'))[0]?.n ===
          2,
        { what: 'two lines forwarded' },
      );
      await page.goto(`${base}/`);
      await expect.poll(() => stationCell().textContent(), { timeout: 10_000 }).toBe('in service');
      expect(await page.locator('tr[data-desk="CIRC"] td').nth(1).textContent()).toBe('2');
      const html = await page.content();
      expect(html).not.toContain(PATRON);
      expect(html).toContain(`to ****${PATRON.slice(-4)}`);

      // The journal's path becomes a folder: the next loan can't be written, the station goes out of service.
      rmSync(path.join(dir, 'OffCirc.dat'));
      mkdirSync(path.join(dir, 'OffCirc.dat'));
      const failedAt = Date.now();
      await pty.write(`${itemBarcode(3)}\r`);
      await station.waitFor((r) => r.event === 'service' && r.inService === false, 'out of service');
      // No reload by the test: the page refreshes itself.
      await expect
        .poll(() => stationCell().textContent(), { timeout: 15_000, interval: 250 })
        .toMatch(/^OUT OF SERVICE: /);
      const seconds = (Date.now() - failedAt) / 1000;
      expect(seconds).toBeLessThan(10);
      expect(await stationCell().getAttribute('class')).toBe('bad');

      // Writing works again: back in service (and the forwarder goes on with the new journal).
      rmSync(path.join(dir, 'OffCirc.dat'), { recursive: true });
      await station.waitFor((r) => r.event === 'service' && r.inService === true, 'back in service', 20_000);
      await expect.poll(() => stationCell().textContent(), { timeout: 15_000 }).toBe('in service');
    }, 60_000);

    it('a download is byte for byte the file `collect export` wrote; mark-as-uploaded needs the password', async () => {
      const out = path.join(tempDir('offcirc-dash-out-'), 'CIRC.dat');
      const exported = await runOffcirc(['collect', 'export', '--desk', 'CIRC', '--out', out, '--db', admin]);
      expect(exported.stdout).toMatch(/batch 1: 2 new transaction/);

      // Not signed in: no download link, no button; a download or a POST is refused.
      await page.goto(`${base}/`);
      expect(await page.locator('tr[data-batch="1"]').textContent()).toContain('waiting for upload');
      expect(await page.locator('tr[data-batch="1"] button').count()).toBe(0);
      const anonymous = await page.request.post(`${base}/batches/1/uploaded`, { form: { csrf: 'x' } });
      expect(anonymous.status()).toBe(403);
      const anonymousDownload = await page.request.get(`${base}/batches/1/download`, { maxRedirects: 0 });
      expect(anonymousDownload.status()).toBe(303);

      // A wrong password is refused.
      await page.click('text=Sign in');
      await page.fill('input[name=password]', 'not-the-password');
      await page.click('button:has-text("Sign in")');
      expect(await page.locator('[role=alert]').textContent()).toBe('Wrong password.');

      await page.fill('input[name=password]', 'circ-manager-7');
      await page.click('button:has-text("Sign in")');
      await page.waitForSelector('text=Sign out');

      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.click('tr[data-batch="1"] a:has-text("download")'),
      ]);
      const saved = path.join(tempDir('offcirc-dash-dl-'), 'download.dat');
      await download.saveAs(saved);
      expect(download.suggestedFilename()).toBe('OffCirc-CIRC-batch1.dat');
      expect(readFileSync(saved).equals(readFileSync(out))).toBe(true);

      // Signed in but without the form's token: refused.
      const forged = await page.request.post(`${base}/batches/1/uploaded`, { form: { csrf: 'forged' } });
      expect(forged.status()).toBe(403);
      expect(await cluster.query(db, 'SELECT uploaded_at FROM offcirc.batches WHERE id = 1')).toEqual([
        { uploaded_at: null },
      ]);

      await page.click('button:has-text("Mark batch 1 as uploaded")');
      expect(await page.locator('[role=status]').textContent()).toBe(
        'Batch 1 is marked as uploaded to Alma.',
      );
      expect(await page.locator('tr[data-batch="1"]').textContent()).toMatch(/uploaded .* by dashboard/);
      const rows = await cluster.query<{ uploaded_by: string }>(
        db,
        'SELECT uploaded_by FROM offcirc.batches WHERE id = 1 AND uploaded_at IS NOT NULL',
      );
      expect(rows).toEqual([{ uploaded_by: 'dashboard' }]);
      expect(await page.content()).not.toContain(PATRON);
      // A new loan, exported from the dashboard itself: a batch of its own.
      await pty.write(`${PATRON}\r${itemBarcode(4)}\r`);
      await waitFor(
        async () =>
          (
            await cluster.query<{ n: number }>(
              db,
              'SELECT count(*)::int AS n FROM offcirc.lines WHERE batch IS NULL',
            )
          )[0]?.n === 1,
        { timeoutMs: 15_000, what: 'the new loan forwarded' },
      );
      await page.goto(`${base}/`);
      await page.click('button:has-text("Export a file for CIRC")');
      expect(await page.locator('[role=status]').textContent()).toMatch(
        /^Batch 2 for desk CIRC: 1 transaction\(s\)/,
      );
      expect(await page.locator('tr[data-batch="2"]').textContent()).toContain('1 (1 loans, 0 returns)');

      // Nor in the dashboard's own log.
      expect(serve.stdout() + serve.stderr()).not.toContain(PATRON);
    }, 60_000);
  },
  true,
);
