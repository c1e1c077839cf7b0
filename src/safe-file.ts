/**
 * Every file offcirc writes is made here: never through a symbolic link (O_NOFOLLOW), new files only
 * by exclusive creation (O_EXCL), never a special file (a FIFO would block the open for ever: O_NONBLOCK,
 * then fstat), readable by their owner only (and the folder's group when the installer set the folder's
 * setgid bit), whatever the umask, and owned by whoever owns the folder: root running `offcirc rotate`
 * leaves files the kiosk's user can still open. An existing file must be a regular file of that owner.
 * Costs: one stat of the folder per call, one open, one fstat, and an fchmod/fchown on creation.
 */
import { constants, readFileSync } from 'node:fs';
import { lstat, open, rename, stat, unlink, mkdir, type FileHandle } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import path from 'node:path';

const { O_CREAT, O_EXCL, O_NOFOLLOW, O_NONBLOCK, O_RDONLY, O_RDWR, O_WRONLY, O_APPEND } = constants;
/** The setgid bit of a folder's mode (not among Node's fs constants). */
const S_ISGID = 0o2000;

/** A file offcirc refuses to use, with the reason in plain words. `code` is for logs, not for policy. */
export class UnsafeFileError extends Error {
  override readonly name = 'UnsafeFileError';
  readonly code = 'EUNSAFE';
  constructor(
    readonly file: string,
    /** What is wrong and what is expected, without the path. */
    readonly reason: string,
  ) {
    super(`${file}: ${reason}`);
  }
}

/** Who the files in a folder belong to, and the mode they are made with. */
export interface FolderOwner {
  uid: number;
  gid: number;
  /** 0o600, or 0o640 when the folder is setgid (the installer gave it a group on purpose). */
  mode: number;
}

/** The user name of a uid, from /etc/passwd, else `uid N`. */
export function userName(uid: number): string {
  try {
    for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
      const [name, , id] = line.split(':');
      if (name && Number(id) === uid) return name;
    }
  } catch {
    // No passwd file (a minimal container): the number says it.
  }
  return `uid ${uid}`;
}

const euid = (): number => process.geteuid?.() ?? -1;

/**
 * The owner files in `folder` must have. A process that is neither root nor the folder's owner is
 * refused: its files would belong to it, and the kiosk (the folder's owner) could not use them.
 */
export async function folderOwner(folder: string): Promise<FolderOwner> {
  const stats = await stat(folder);
  if (!stats.isDirectory()) throw new UnsafeFileError(folder, 'it is not a folder');
  const me = euid();
  if (me !== 0 && me !== -1 && me !== stats.uid)
    throw new UnsafeFileError(
      folder,
      `it belongs to ${userName(stats.uid)}, and files offcirc makes there must too: run offcirc as ${userName(stats.uid)} (e.g. runuser -u ${userName(stats.uid)} -- offcirc …)`,
    );
  return { uid: stats.uid, gid: stats.gid, mode: stats.mode & S_ISGID ? 0o640 : 0o600 };
}

/** Gives a just-created file its mode (whatever the umask) and the folder's owner. */
async function claim(handle: FileHandle, file: string, owner: FolderOwner): Promise<void> {
  await handle.chmod(owner.mode);
  const stats = await handle.stat();
  if (stats.uid === owner.uid && stats.gid === owner.gid) return;
  try {
    await handle.chown(owner.uid, owner.gid);
  } catch (error) {
    throw new UnsafeFileError(
      file,
      `it could not be given to ${userName(owner.uid)}, who owns its folder (${(error as Error).message}): run offcirc as ${userName(owner.uid)}`,
    );
  }
}

/**
 * Creates `file`, which must not exist (O_EXCL: a link or file planted there makes it fail with EEXIST),
 * with its folder's owner and an owner-only mode. `flags` adds O_WRONLY/O_RDWR/O_APPEND (default O_WRONLY).
 */
export async function createNew(file: string, flags = O_WRONLY): Promise<FileHandle> {
  const owner = await folderOwner(path.dirname(file));
  const handle = await open(file, flags | O_CREAT | O_EXCL | O_NOFOLLOW, owner.mode);
  try {
    await claim(handle, file, owner);
  } catch (error) {
    await handle.close().catch(() => undefined);
    await unlink(file).catch(() => undefined);
    throw error;
  }
  return handle;
}

/** A random name beside `file` for a temporary file: unguessable, so nobody can plant a link there first. */
export const tempName = (file: string, purpose: string): string =>
  path.join(path.dirname(file), `.${path.basename(file)}.${purpose}-${randomBytes(8).toString('hex')}`);

/** Refuses an open file that is not a regular file of `uid`; closes it then. */
async function checkRegular(handle: FileHandle, file: string, uid: number | undefined): Promise<void> {
  const stats = await handle.stat();
  let reason: string | undefined;
  if (!stats.isFile())
    reason = 'it is not a regular file (a FIFO, device, socket or folder); offcirc opens only regular files';
  else if (uid !== undefined && stats.uid !== uid)
    reason = `it belongs to ${userName(stats.uid)}, not to ${userName(uid)} who owns its folder; offcirc won't write another user's file`;
  if (reason) {
    await handle.close().catch(() => undefined);
    throw new UnsafeFileError(file, reason);
  }
}

/** ELOOP from O_NOFOLLOW means the last part of the path is a symbolic link. */
function refuseLink(error: unknown, file: string): never {
  if ((error as { code?: unknown }).code === 'ELOOP')
    throw new UnsafeFileError(file, 'it is a symbolic link; offcirc follows no links to the files it writes');
  throw error;
}

/**
 * Opens a file offcirc appends to and reads (the journal), creating it if missing. An existing one must be
 * a regular file of the folder's owner, reached without a link. `created` says whether it was new.
 */
export async function openAppend(file: string): Promise<{ handle: FileHandle; created: boolean }> {
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      return { handle: await createNew(file, O_RDWR | O_APPEND), created: true };
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'EEXIST') throw error;
    }
    const owner = await folderOwner(path.dirname(file));
    let handle: FileHandle;
    try {
      handle = await open(file, O_RDWR | O_APPEND | O_NOFOLLOW | O_NONBLOCK);
    } catch (error) {
      if ((error as { code?: unknown }).code === 'ENOENT') continue; // removed in between: create it
      refuseLink(error, file);
    }
    await checkRegular(handle, file, owner.uid);
    // A journal made by an older offcirc (0644) stops being readable by everyone at the next start.
    const mode = (await handle.stat()).mode & 0o777;
    if (mode & ~owner.mode) await handle.chmod(mode & owner.mode);
    return { handle, created: false };
  }
  throw new UnsafeFileError(file, 'it keeps appearing and disappearing; try again');
}

/**
 * Opens an existing file for reading without following a link or blocking on a special file; refuses
 * anything but a regular file. ENOENT passes through.
 */
export async function openRead(file: string): Promise<FileHandle> {
  let handle: FileHandle;
  try {
    handle = await open(file, O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
  } catch (error) {
    refuseLink(error, file);
  }
  await checkRegular(handle, file, undefined);
  return handle;
}

/**
 * Replaces `file` with `data` all at once: a new temporary file of random name beside it (exclusive,
 * no-follow), fsynced, renamed over it (rename replaces a link planted at `file`, never follows it).
 */
export async function replaceFile(file: string, data: string | Buffer): Promise<void> {
  const temp = tempName(file, 'tmp');
  const handle = await createNew(temp);
  try {
    await handle.writeFile(data);
    await handle.datasync();
  } catch (error) {
    await handle.close().catch(() => undefined);
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  await handle.close();
  try {
    await rename(temp, file);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}

/**
 * Makes `folder` (one level, in an existing parent) with the parent's owner, or checks the one there:
 * a real folder (not a link to one) of that owner.
 */
export async function ensureFolder(folder: string): Promise<void> {
  const owner = await folderOwner(path.dirname(folder));
  try {
    // The setgid bit is kept on purpose: it is what gives the folder's files the installer's group.
    const mode = owner.mode & 0o040 ? 0o2750 : 0o700;
    await mkdir(folder, { mode });
    const made = await open(folder, O_RDONLY | O_NOFOLLOW);
    try {
      await claim(made, folder, { ...owner, mode });
    } finally {
      await made.close();
    }
    return;
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'EEXIST') throw error;
  }
  const stats = await lstat(folder);
  if (stats.isSymbolicLink())
    throw new UnsafeFileError(
      folder,
      'it is a symbolic link; offcirc follows no links to the folders it writes',
    );
  if (!stats.isDirectory()) throw new UnsafeFileError(folder, 'it is not a folder');
  if (stats.uid !== owner.uid)
    throw new UnsafeFileError(
      folder,
      `it belongs to ${userName(stats.uid)}, not to ${userName(owner.uid)} who owns the folder it is in`,
    );
}
