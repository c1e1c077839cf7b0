/**
 * A real small, full-able disk for tests, without root: a tmpfs mounted inside a user and mount
 * namespace of its own (`unshare --user --map-root-user --mount`, allowed to a normal user on Debian),
 * reached from this process through `/proc/<pid>/root` of the shell that holds the namespace. Writes
 * through that path land on the tmpfs, so ENOSPC and EROFS are the kernel's own. Costs one `sh`
 * process per disk; close() ends it, which unmounts everything, and removes the mount point.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface SmallDisk {
  /** The tmpfs's top folder, as this process (and its children) reach it. */
  readonly dir: string;
  /** Remounts the top tmpfs with these options (e.g. "ro" or "rw"); the size is kept. */
  remount(options: 'ro' | 'rw'): Promise<void>;
  /** Mounts another tmpfs over the folder (e.g. "ro,size=16k"), as a disk swapped under a running kiosk. */
  stack(options: string): Promise<void>;
  /** Unmounts the top tmpfs (the one below shows again). */
  unmount(): Promise<void>;
  /** Ends the namespace (every mount in it goes) and removes the mount point. Safe to call twice. */
  close(): Promise<void>;
}

/**
 * The shell holding the namespace mounts the first tmpfs, says "ready", then runs one command a line
 * from its standard input, answering "ok" or "fail <why>". It ends when its standard input closes.
 */
const HOLDER = [
  'mount -t tmpfs -o "$2" tmpfs "$1" || exit 1',
  'echo ready',
  'while IFS= read -r line; do',
  '  if out=$(eval "$line" 2>&1); then echo ok; else echo "fail $(echo "$out" | tr "\\n" " ")"; fi',
  'done',
].join('\n');

const UNSHARE = ['--user', '--map-root-user', '--mount'];

let checked: { problem: string | undefined } | undefined;

/**
 * Why this machine can't make a small disk without root (no `unshare`, or user namespaces switched
 * off), in one line with the fix; undefined when it can. Tries once per process (about 10 ms).
 */
export function smallDiskProblem(): string | undefined {
  if (checked) return checked.problem;
  const dir = mkdtempSync(path.join(tmpdir(), 'offcirc-nsprobe-'));
  try {
    const probe = spawnSync(
      'unshare',
      [...UNSHARE, 'sh', '-c', 'mount -t tmpfs -o size=4k tmpfs "$1"', 'sh', dir],
      {
        encoding: 'utf8',
        timeout: 10_000,
      },
    );
    const why = probe.error?.message ?? (probe.status === 0 ? undefined : probe.stderr.trim().split('\n')[0]);
    checked = {
      problem:
        why === undefined
          ? undefined
          : `needs a small tmpfs in a user namespace (unshare --user --map-root-user --mount: ${why}): apt-get install util-linux, and allow user namespaces (sysctl kernel.unprivileged_userns_clone=1; on Ubuntu also kernel.apparmor_restrict_unprivileged_userns=0)`,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return checked.problem;
}

const quote = (text: string) => `'${text.replaceAll("'", `'\\''`)}'`;

/** Makes a tmpfs of `sizeKiB` KiB (whole 4 KiB pages) and resolves once it is mounted. */
export async function smallDisk(sizeKiB: number): Promise<SmallDisk> {
  const mountPoint = mkdtempSync(path.join(tmpdir(), 'offcirc-disk-'));
  const holder: ChildProcessWithoutNullStreams = spawn(
    'unshare',
    [...UNSHARE, 'sh', '-c', HOLDER, 'sh', mountPoint, `size=${sizeKiB}k`],
    { stdio: 'pipe' },
  );
  const exited = new Promise<void>((resolve) => holder.once('close', () => resolve()));
  let stderr = '';
  holder.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const replies: string[] = [];
  const waiting: ((line: string) => void)[] = [];
  let partial = '';
  holder.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    partial += chunk;
    const lines = partial.split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      const next = waiting.shift();
      if (next) next(line);
      else replies.push(line);
    }
  });
  const reply = () =>
    new Promise<string>((resolve, reject) => {
      const early = replies.shift();
      if (early !== undefined) return resolve(early);
      waiting.push(resolve);
      void exited.then(() => reject(new Error(`the small disk's namespace ended: ${stderr.trim()}`)));
    });

  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    holder.stdin.end();
    const timer = setTimeout(() => holder.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
    rmSync(mountPoint, { recursive: true, force: true });
  };

  try {
    const first = await reply();
    if (first !== 'ready') throw new Error(`unexpected answer ${JSON.stringify(first)}`);
  } catch (error) {
    await close();
    throw new Error(`could not make a ${sizeKiB} KiB tmpfs: ${(error as Error).message} ${stderr.trim()}`);
  }

  const command = async (line: string) => {
    holder.stdin.write(`${line}\n`);
    const answer = await reply();
    if (answer !== 'ok') throw new Error(`${line}: ${answer.replace(/^fail /, '')}`);
  };
  const at = quote(mountPoint);
  return {
    dir: `/proc/${holder.pid}/root${mountPoint}`,
    // util-linux's plain "remount,ro" fails in a user namespace; naming the type and size works.
    remount: (options) => command(`mount -t tmpfs -o remount,${options},size=${sizeKiB}k tmpfs ${at}`),
    stack: (options) => command(`mount -t tmpfs -o ${quote(options)} tmpfs ${at}`),
    unmount: () => command(`umount ${at}`),
    close,
  };
}
