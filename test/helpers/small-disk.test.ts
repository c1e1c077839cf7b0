/** The small-disk helper itself: its size, that it is the tmpfs and not the folder below, and its cleanup. */
import { existsSync, statfsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { describeNeeding } from './needs.js';
import { smallDisk, smallDiskProblem } from './small-disk.js';

describeNeeding(smallDiskProblem(), 'smallDisk', () => {
  it('is a tmpfs of the size asked for, reached only through its namespace, and gone after close()', async () => {
    const disk = await smallDisk(16);
    const stat = statfsSync(disk.dir);
    expect(stat.type).toBe(0x01021994); // TMPFS_MAGIC
    expect(stat.blocks * stat.bsize).toBe(16 * 1024);
    writeFileSync(path.join(disk.dir, 'a'), 'x');
    const mountPoint = disk.dir.replace(/^\/proc\/\d+\/root/, '');
    expect(existsSync(path.join(mountPoint, 'a'))).toBe(false);
    await disk.close();
    await disk.close();
    expect(existsSync(mountPoint)).toBe(false);
    expect(existsSync(disk.dir)).toBe(false);
  });

  it('remounts read-only and back, and stacks and unmounts a second tmpfs', async () => {
    const disk = await smallDisk(16);
    try {
      await disk.remount('ro');
      expect(() => writeFileSync(path.join(disk.dir, 'a'), 'x')).toThrow(/EROFS/);
      await disk.remount('rw');
      writeFileSync(path.join(disk.dir, 'a'), 'x');
      await disk.stack('size=8k');
      expect(existsSync(path.join(disk.dir, 'a'))).toBe(false);
      await disk.unmount();
      expect(existsSync(path.join(disk.dir, 'a'))).toBe(true);
      await expect(disk.unmount()).resolves.toBeUndefined();
      await expect(disk.unmount()).rejects.toThrow(/^umount /);
    } finally {
      await disk.close();
    }
  });
});
