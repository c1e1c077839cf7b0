/**
 * The kiosk's copy of the patron list on real files: read at start, replaced when a new list is renamed
 * into place (fs.watch on the folder), kept when the new file is damaged, dropped when removed.
 */
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ListBuilder } from '../../src/patrons/build.js';
import { PatronListWatch } from '../../src/patrons/watch.js';
import { tempDir } from '../helpers/offcirc.js';
import { waitFor } from '../helpers/pty.js';

const logged: string[] = [];
let watch: PatronListWatch | undefined;
afterEach(async () => {
  await watch?.stop();
  logged.length = 0;
});

async function writeList(file: string, ids: string[], blocked = false): Promise<void> {
  const builder = new ListBuilder();
  for (const id of ids) builder.add({ ids: [id], blocked, inactive: false });
  await builder.write(file, Date.now());
}

describe('PatronListWatch', () => {
  it('has no list (no checks) until one is imported, then picks each new one up by itself', async () => {
    const dir = tempDir('offcirc-watch-');
    const file = path.join(dir, 'patrons.list');
    watch = new PatronListWatch({ file, log: (_l, m) => logged.push(m), debounceMs: 20 });
    await watch.start();
    expect(watch.lookup('A1')).toBeUndefined();
    expect(watch.info()).toEqual({ loaded: false });
    await writeList(file, ['A1']);
    await waitFor(() => watch!.lookup('A1') !== undefined, { timeoutMs: 5_000, what: 'the first list' });
    expect(watch.lookup('A1')).toEqual({ blocked: false, inactive: false });
    expect(watch.lookup('B2')).toBeNull();
    await writeList(file, ['B2'], true);
    await waitFor(() => watch!.lookup('B2') !== null, { timeoutMs: 5_000, what: 'the second list' });
    expect(watch.lookup('B2')).toMatchObject({ blocked: true });
    expect(watch.lookup('A1')).toBeNull();
    expect(watch.info()).toMatchObject({ loaded: true, entries: 1 });
  });

  it('keeps the list it has when the new file is damaged, saying so; drops it when the file is removed', async () => {
    const dir = tempDir('offcirc-watch-');
    const file = path.join(dir, 'patrons.list');
    await writeList(file, ['A1']);
    watch = new PatronListWatch({ file, log: (_l, m) => logged.push(m), debounceMs: 20 });
    await watch.start();
    expect(watch.lookup('A1')).not.toBeNull();
    const temp = path.join(dir, 'junk');
    writeFileSync(temp, 'OFFCIRC-PATRONS1 but cut short');
    renameSync(temp, file);
    await waitFor(() => watch!.info().problem !== undefined, {
      timeoutMs: 5_000,
      what: 'the problem noticed',
    });
    expect(watch.lookup('A1')).not.toBeNull();
    expect(
      logged.some(
        (m) => m.includes("the patron list can't be read") && m.includes('the list read before stays in use'),
      ),
    ).toBe(true);
    rmSync(file);
    await waitFor(() => !watch!.info().loaded, { timeoutMs: 5_000, what: 'the removal noticed' });
    expect(watch.lookup('A1')).toBeUndefined();
  });
});
