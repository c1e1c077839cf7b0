/**
 * A station's rotated journals in the outbox (`OffCirc-<station>-<YYYYMMDD-HHMMSS>.dat`, oldest first by
 * name), looked up by what the forwarder knows of them: a file's identity, a time, the one before. Each
 * look-up reads the folder and the first line of the files it opens.
 */
import { open, readdir, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { outboxDir } from '../journal/outbox.js';
import type { FileIdentity } from './cursor.js';
import { fileIdentity, sameFile } from './tail.js';

export class RotatedFiles {
  private readonly dir: string;
  private readonly prefix: string;

  /** No I/O. */
  constructor(journalPath: string, station: string) {
    this.dir = outboxDir(journalPath);
    this.prefix = `OffCirc-${station}-`;
  }

  /** This station's rotated files, oldest first (their names sort by time). */
  async names(): Promise<string[]> {
    const names = await readdir(this.dir).catch(() => [] as string[]);
    return names.filter((n) => n.startsWith(this.prefix) && n.endsWith('.dat')).sort();
  }

  /** The rotated file that is `file`, open for reading (the caller closes it), with its name. */
  async find(file: FileIdentity | null): Promise<{ handle: FileHandle; name: string } | undefined> {
    if (!file) return undefined;
    for (const name of await this.names()) {
      const handle = await this.open(name);
      if (!handle) continue;
      const stats = await handle.stat().catch(() => undefined);
      if (stats?.dev === file.dev && stats.ino === file.ino && sameFile(await fileIdentity(handle), file))
        return { handle, name };
      await handle.close();
    }
    return undefined;
  }

  /** The oldest rotated file last written at or after `since` (ms), if any. */
  async since(since: number | undefined): Promise<FileIdentity | null> {
    if (since === undefined) return null;
    return this.first(await this.names(), async (handle) => (await handle.stat()).mtimeMs >= since);
  }

  /** The oldest rotated file named after `name`, if any. */
  async after(name: string): Promise<FileIdentity | null> {
    return this.first((await this.names()).filter((n) => n > name));
  }

  private async first(
    names: string[],
    accept: (handle: FileHandle) => Promise<boolean> = async () => true,
  ): Promise<FileIdentity | null> {
    for (const name of names) {
      const handle = await this.open(name);
      if (!handle) continue;
      try {
        const id = (await accept(handle)) ? await fileIdentity(handle) : null;
        if (id) return id;
      } finally {
        await handle.close();
      }
    }
    return null;
  }

  private open(name: string): Promise<FileHandle | undefined> {
    return open(path.join(this.dir, name), 'r').catch(() => undefined);
  }
}
