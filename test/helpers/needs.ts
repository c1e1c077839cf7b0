/**
 * Tests that need something this machine may lack (a tool, root, user namespaces): where it is there
 * they run as usual; where it is not, they are skipped under a name that says what is missing and how
 * to get it, and one line on standard error says the same. Never a failure for the machine, and never
 * silent. With OFFCIRC_TESTS_ALL=1 (`.ci/run`) a missing need is a failing test instead, so CI runs
 * everything.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, it } from 'vitest';

/** Why `tool` can't be run (one line with the apt-get fix), or undefined when it is on the PATH. */
export function toolProblem(tool: string, debianPackage = tool): string | undefined {
  const found = spawnSync('sh', ['-c', 'command -v "$1"', 'sh', tool], { encoding: 'utf8' });
  return found.status === 0 ? undefined : `needs ${tool}: apt-get install ${debianPackage}`;
}

/** Why this test can't run as this user (undefined as root). */
export function rootProblem(what: string): string | undefined {
  return process.getuid?.() === 0 ? undefined : `needs root: ${what}`;
}

/** `describe(name, body)` where nothing is missing; otherwise skipped, with the reason in its name. */
export function describeNeeding(problem: string | undefined, name: string, body: () => void): void {
  if (problem !== undefined && process.env.OFFCIRC_TESTS_ALL === '1') {
    // CI runs everything: what can't run there is a failure, named after what is missing.
    describe(name, () => {
      it('has what it needs on this machine', () => {
        throw new Error(`every test must run here (OFFCIRC_TESTS_ALL=1), but this one ${problem}`);
      });
    });
    return;
  }
  if (problem !== undefined) console.warn(`skipped "${name}": ${problem}`);
  describe.skipIf(problem !== undefined)(
    problem === undefined ? name : `${name} [skipped: ${problem}]`,
    body,
  );
}

let libusb: { problem: string | undefined } | undefined;

/**
 * Why the real node-hid can't list devices in this process's environment (its prebuilt addons link
 * libusb-1.0.so.0), or undefined when it can. Tries once per process, in a child node (about 100 ms).
 */
export function libusbProblem(): string | undefined {
  if (!libusb) {
    const tried = spawnSync(process.execPath, ['-e', "require('node-hid').devices()"], {
      cwd: path.resolve(import.meta.dirname, '../..'),
      encoding: 'utf8',
      timeout: 20_000,
    });
    libusb = {
      problem:
        tried.status === 0
          ? undefined
          : `needs libusb-1.0-0 for the real node-hid: apt-get install libusb-1.0-0 (${firstLine(tried.stderr)})`,
    };
  }
  return libusb.problem;
}

const firstLine = (text: string) =>
  text
    .split('\n')
    .map((l) => l.trim())
    .find((l) => /error/i.test(l)) ?? text.trim().split('\n')[0];
