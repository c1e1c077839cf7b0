/**
 * The node flags the kiosk runs with (bin/offcirc.js's first line) are the ones every way of starting it
 * gives node: the launcher run as a program (npm start, an npm install's `offcirc`), and the systemd
 * units' NODE_OPTIONS for the single-file executable. One rule, kept in two files: this checks they agree.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, tempDir, writeConfig } from '../helpers/offcirc.js';

const BIN = path.join(ROOT, 'bin', 'offcirc.js');

/** The flags after `node` on the launcher's first line. */
function launcherFlags(): string[] {
  const first = readFileSync(BIN, 'utf8').split('\n')[0]!;
  const match = /^#!\/usr\/bin\/env -S node((?: --[a-z-]+=\d+)*)$/.exec(first);
  if (!match) throw new Error(`unexpected first line of bin/offcirc.js: ${first}`);
  return match[1]!.trim().split(' ').filter(Boolean);
}

describe('the node flags of a kiosk', () => {
  it('the launcher names them, and both systemd units pass the same through NODE_OPTIONS', () => {
    const flags = launcherFlags();
    expect(flags).toContain('--max-semi-space-size=1');
    for (const unit of ['offcirc.service.in', 'offcirc-headless.service.in']) {
      const text = readFileSync(path.join(ROOT, 'scripts', 'systemd', unit), 'utf8');
      expect(text, unit).toContain(`\nEnvironment=NODE_OPTIONS=${flags.join(' ')}\n`);
    }
  });

  it('npm start runs the launcher as a program, so its first line applies', () => {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    expect(pkg.scripts.start).toMatch(/&& \.\/bin\/offcirc\.js run$/);
  });

  it('run as a program, the launcher is a node process with those flags', async () => {
    const dir = tempDir('offcirc-flags-');
    const config = writeConfig(dir, { devices: [] });
    const child = spawn(
      BIN,
      ['run', '--headless', '--config', config, '--journal', path.join(dir, 'j.dat')],
      {
        env: { ...process.env, PATH: `${path.dirname(process.execPath)}:${process.env.PATH ?? ''}` },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    try {
      let out = '';
      await new Promise<void>((resolve, reject) => {
        child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
          out += chunk;
          if (out.includes('"event":"ready"')) resolve();
        });
        child.once('exit', () => reject(new Error(`offcirc exited before ready:\n${out}`)));
      });
      const argv = readFileSync(`/proc/${child.pid}/cmdline`, 'utf8').split('\0');
      expect(argv.slice(1, 1 + launcherFlags().length)).toEqual(launcherFlags());
      expect(argv).toContain(BIN);
    } finally {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
    }
  });
});
