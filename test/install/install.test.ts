/**
 * scripts/install-kiosk.sh into a fake root (--root): what it installs, that a second run changes
 * nothing but the program, that it never overwrites a technician's config, --uninstall, the options a
 * technician can get wrong, and the unit and udev rules it writes, checked by systemd-analyze and
 * udevadm where they can, and by their syntax always.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { ROOT, tempDir as makeTempDir } from '../helpers/offcirc.js';

const SCRIPT = path.join(ROOT, 'scripts', 'install-kiosk.sh');

/** Every fake root and build of this file lives under one folder, removed at the end. */
const scratch = makeTempDir('offcirc-install-test-');
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const tempDir = (prefix: string): string => mkdtempSync(path.join(scratch, prefix));
const RULES_TEMPLATE = path.join(ROOT, 'scripts', 'udev', '70-offcirc-scanners.rules');

/** What `npm run package` leaves in dist/, with a stand-in executable that answers `config check`. */
function fakeBuild(checkExit = 0, executableText = 'build 1'): string {
  const from = tempDir('offcirc-build-');
  mkdirSync(path.join(from, 'offcirc-lib', 'config'), { recursive: true });
  writeFileSync(
    path.join(from, 'offcirc'),
    `#!/bin/sh\n# ${executableText}\necho "$3: checked"\nexit ${checkExit}\n`,
  );
  chmodSync(path.join(from, 'offcirc'), 0o755);
  writeFileSync(path.join(from, 'offcirc-lib', 'serialport.node'), 'addon');
  writeFileSync(path.join(from, 'offcirc-lib', 'package.json'), '{"name":"offcirc","version":"0.1.0"}');
  for (const name of ['offcirc.example.json', 'offcirc.schema.json'])
    copyFileSync(path.join(ROOT, 'config', name), path.join(from, 'offcirc-lib', 'config', name));
  return from;
}

/**
 * Runs the script; `asNobody` runs it without root, as a technician without sudo: as root it drops to
 * uid/gid 65534 first (setpriv); a normal user already is one, and may not change its uid.
 */
function install(args: string[], options: { asNobody?: boolean } = {}) {
  const drop = options.asNobody === true && process.getuid?.() === 0;
  const command = drop ? 'setpriv' : 'bash';
  const prefix = drop ? ['--reuid', '65534', '--regid', '65534', '--clear-groups', 'bash'] : [];
  const result = spawnSync(command, [...prefix, SCRIPT, ...args], { encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Every path under `root` with its type, mode and content hash (or link target), sorted. */
function tree(root: string): string[] {
  const out: string[] = [];
  const visit = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const full = path.join(dir, name);
      const rel = path.relative(root, full);
      const stat = lstatSync(full);
      const mode = (stat.mode & 0o7777).toString(8);
      if (stat.isSymbolicLink()) out.push(`${rel} -> ${readlinkSync(full)}`);
      else if (stat.isDirectory()) {
        out.push(`${rel}/ ${mode}`);
        visit(full);
      } else
        out.push(
          `${rel} ${mode} ${createHash('sha256').update(readFileSync(full)).digest('hex').slice(0, 12)}`,
        );
    }
  };
  visit(root);
  return out.sort();
}

const names = (root: string): string[] => tree(root).map((line) => line.split(' ')[0]!);

describe('install-kiosk.sh --root', () => {
  it('installs the executable, config, state folder, unit and udev rules, and says what to edit', () => {
    const root = tempDir('offcirc-root-');
    const from = fakeBuild();
    const result = install(['--root', root, '--from', from]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe('');
    expect(names(root)).toEqual([
      'etc/',
      'etc/offcirc/',
      'etc/offcirc/offcirc.example.json',
      'etc/offcirc/offcirc.json',
      'etc/offcirc/offcirc.schema.json',
      'etc/systemd/',
      'etc/systemd/system/',
      'etc/systemd/system/offcirc.service',
      'etc/udev/',
      'etc/udev/rules.d/',
      'etc/udev/rules.d/70-offcirc-scanners.rules',
      'opt/',
      'opt/offcirc/',
      'opt/offcirc/offcirc',
      'opt/offcirc/offcirc-lib/',
      'opt/offcirc/offcirc-lib/config/',
      'opt/offcirc/offcirc-lib/config/offcirc.example.json',
      'opt/offcirc/offcirc-lib/config/offcirc.schema.json',
      'opt/offcirc/offcirc-lib/package.json',
      'opt/offcirc/offcirc-lib/serialport.node',
      'usr/',
      'usr/local/',
      'usr/local/bin/',
      'usr/local/bin/offcirc',
      'var/',
      'var/lib/',
      'var/lib/offcirc/',
    ]);
    const listing = tree(root);
    // The config may hold the staff PIN's hash: not for everyone to read. The journal's folder neither.
    expect(listing).toContain('etc/offcirc/ 750');
    expect(listing.find((l) => l.startsWith('etc/offcirc/offcirc.json '))).toMatch(/ 640 /);
    expect(listing).toContain('var/lib/offcirc/ 750');
    expect(listing.find((l) => l.startsWith('opt/offcirc/offcirc '))).toMatch(/ 755 /);
    expect(listing).toContain('usr/local/bin/offcirc -> /opt/offcirc/offcirc');
    expect(readFileSync(path.join(root, 'etc/offcirc/offcirc.json'))).toEqual(
      readFileSync(path.join(ROOT, 'config/offcirc.example.json')),
    );
    expect(readFileSync(path.join(root, 'etc/udev/rules.d/70-offcirc-scanners.rules'), 'utf8')).toBe(
      readFileSync(RULES_TEMPLATE, 'utf8'),
    );
    const unit = readFileSync(path.join(root, 'etc/systemd/system/offcirc.service'), 'utf8');
    expect(unit).not.toMatch(/@[A-Z]+@/);
    expect(unit).toContain('ExecStart=/opt/offcirc/offcirc run --config /etc/offcirc/offcirc.json\n');
    // No path of the fake root leaks into what the real system would read.
    expect(unit).not.toContain(root);

    expect(result.stdout).toContain('/etc/offcirc/offcirc.json (new, from the example: edit it)');
    expect(result.stdout).toMatch(/"devices": your scanners/);
    expect(result.stdout).toContain('/var/lib/offcirc/OffCirc.dat');
    expect(result.stdout).toContain('tty8 (Ctrl+Alt+F8)');
    expect(result.stdout).toContain(`config check: ${path.join(root, 'etc/offcirc/offcirc.json')}: checked`);
    for (const skipped of [
      'system user offcirc',
      'systemctl enable offcirc.service',
      'udevadm control --reload-rules',
    ])
      expect(result.stdout).toContain(`skipped (--root): ${skipped}`);
  });

  it('a second run changes nothing, keeps an edited config, and upgrades the program in place', () => {
    const root = tempDir('offcirc-root-');
    const from = fakeBuild();
    expect(install(['--root', root, '--from', from]).code).toBe(0);
    const first = tree(root);
    const again = install(['--root', root, '--from', from]);
    expect(again.code, again.stderr).toBe(0);
    expect(tree(root)).toEqual(first);
    expect(again.stdout).toContain('/etc/offcirc/offcirc.json (kept as it was)');

    // The technician's config survives, byte for byte, even when the example changes.
    const edited = '{ "station": "front desk \u00e9", "devices": [] }\n';
    writeFileSync(path.join(root, 'etc/offcirc/offcirc.json'), edited);
    const newer = fakeBuild(0, 'build 2');
    writeFileSync(
      path.join(newer, 'offcirc-lib/config/offcirc.example.json'),
      '{ "station": "new example" }\n',
    );
    const upgrade = install(['--root', root, '--from', newer]);
    expect(upgrade.code, upgrade.stderr).toBe(0);
    expect(readFileSync(path.join(root, 'etc/offcirc/offcirc.json'), 'utf8')).toBe(edited);
    expect(readFileSync(path.join(root, 'etc/offcirc/offcirc.example.json'), 'utf8')).toBe(
      '{ "station": "new example" }\n',
    );
    expect(readFileSync(path.join(root, 'opt/offcirc/offcirc'), 'utf8')).toContain('build 2');
    expect(names(root).filter((n) => n.includes('.new'))).toEqual([]);
  });

  it('a config with problems is shown to the technician, and the install still completes', () => {
    const root = tempDir('offcirc-root-');
    const result = install(['--root', root, '--from', fakeBuild(78)]);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('warning: the config has problems');
    expect(result.stderr).toContain(`${path.join(root, 'etc/offcirc/offcirc.json')}: checked`);
    expect(existsSync(path.join(root, 'etc/systemd/system/offcirc.service'))).toBe(true);
  });

  it('--headless, --tty and --prefix shape the unit', () => {
    const root = tempDir('offcirc-root-');
    const from = fakeBuild();
    expect(install(['--root', root, '--from', from, '--tty', '3']).code).toBe(0);
    const screen = readFileSync(path.join(root, 'etc/systemd/system/offcirc.service'), 'utf8');
    expect(screen).toContain('TTYPath=/dev/tty3\n');
    expect(screen).toContain('Conflicts=getty@tty3.service\n');

    const result = install(['--root', root, '--from', from, '--headless', '--prefix', '/srv/kiosk/offcirc']);
    expect(result.code, result.stderr).toBe(0);
    const headless = readFileSync(path.join(root, 'etc/systemd/system/offcirc.service'), 'utf8');
    expect(headless).toContain(
      'ExecStart=/srv/kiosk/offcirc/offcirc run --headless --config /etc/offcirc/offcirc.json\n',
    );
    expect(headless).toContain('StandardOutput=journal\n');
    expect(headless).not.toMatch(/^TTY/m);
    expect(existsSync(path.join(root, 'srv/kiosk/offcirc/offcirc'))).toBe(true);
    expect(readlinkSync(path.join(root, 'usr/local/bin/offcirc'))).toBe('/srv/kiosk/offcirc/offcirc');
    expect(result.stdout).toContain('journalctl -u offcirc -f');
  });

  it('--uninstall removes the program, unit and rules, keeps the config and the journal, and can run twice', () => {
    const root = tempDir('offcirc-root-');
    expect(install(['--root', root, '--from', fakeBuild()]).code).toBe(0);
    const journal = path.join(root, 'var/lib/offcirc/OffCirc.dat');
    const loans = '202611301402L31234000000016' + ' '.repeat(66) + '21234000000018\r\n';
    writeFileSync(journal, loans);
    const config = readFileSync(path.join(root, 'etc/offcirc/offcirc.json'));

    const result = install(['--root', root, '--uninstall']);
    expect(result.code, result.stderr).toBe(0);
    expect(names(root)).toEqual([
      'etc/',
      'etc/offcirc/',
      'etc/offcirc/offcirc.json',
      'etc/systemd/',
      'etc/systemd/system/',
      'etc/udev/',
      'etc/udev/rules.d/',
      'opt/',
      'usr/',
      'usr/local/',
      'usr/local/bin/',
      'var/',
      'var/lib/',
      'var/lib/offcirc/',
      'var/lib/offcirc/OffCirc.dat',
    ]);
    expect(readFileSync(journal, 'latin1')).toBe(loans);
    expect(readFileSync(path.join(root, 'etc/offcirc/offcirc.json'))).toEqual(config);
    expect(result.stdout).toMatch(/Kept[^\n]*\n\s+\/etc\/offcirc\/offcirc\.json\n\s+\/var\/lib\/offcirc/);

    const after = tree(root);
    const twice = install(['--root', root, '--uninstall']);
    expect(twice.code, twice.stderr).toBe(0);
    expect(tree(root)).toEqual(after);
  });

  it("--uninstall leaves a technician's own /usr/local/bin/offcirc alone", () => {
    const root = tempDir('offcirc-root-');
    expect(install(['--root', root, '--from', fakeBuild()]).code).toBe(0);
    const link = path.join(root, 'usr/local/bin/offcirc');
    rmSync(link);
    symlinkSync('/home/tech/offcirc-dev/bin/offcirc.js', link);
    expect(install(['--root', root, '--uninstall']).code).toBe(0);
    expect(readlinkSync(link)).toBe('/home/tech/offcirc-dev/bin/offcirc.js');
  });
});

describe('what a technician can get wrong', () => {
  const refused: [string, string[], RegExp][] = [
    ['tty 0', ['--tty', '0'], /--tty must be a number from 1 to 63/],
    ['tty 64', ['--tty', '64'], /--tty must be a number from 1 to 63/],
    ['tty as a word', ['--tty', 'eight'], /--tty must be a number/],
    ['tty with a command in it', ['--tty', '8; rm -rf /'], /--tty must be a number/],
    ['tty 08', ['--tty', '08'], /--tty must be a number/],
    ['a relative prefix', ['--prefix', 'opt/offcirc'], /--prefix must be an absolute folder/],
    ['a prefix with a space', ['--prefix', '/opt/off circ'], /--prefix must be an absolute folder/],
    ['a prefix with shell in it', ['--prefix', '/opt/$(reboot)'], /--prefix must be an absolute folder/],
    ['a prefix climbing out', ['--prefix', '/opt/../etc'], /--prefix must be an absolute folder/],
    ['the root as prefix', ['--prefix', '/'], /--prefix must be an absolute folder/],
    ['a system folder as prefix', ['--prefix', '/usr'], /system folder/],
    ['/opt itself as prefix', ['--prefix', '/opt/'], /system folder/],
    ['an option without its value', ['--tty'], /--tty needs a number/],
    ['an unknown option', ['--headles'], /unknown option: --headles/],
  ];
  for (const [what, args, message] of refused) {
    it(`${what}: exit 64 with the reason and the usage, nothing written`, () => {
      const root = tempDir('offcirc-root-');
      const result = install(['--root', root, '--from', fakeBuild(), ...args]);
      expect(result.code).toBe(64);
      expect(result.stderr).toMatch(message);
      expect(result.stderr).toContain('Usage: install-kiosk.sh');
      expect(readdirSync(root)).toEqual([]);
    });
  }

  it('no build to install: exit 1 saying to run npm run package, nothing written', () => {
    const root = tempDir('offcirc-root-');
    const empty = tempDir('offcirc-empty-');
    const result = install(['--root', root, '--from', empty]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('run npm run package first');
    expect(readdirSync(root)).toEqual([]);
  });

  it('not root and no --root: refused before anything happens', () => {
    const result = install(['--from', fakeBuild()], { asNobody: true });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('run as root');
  });

  it('--help exits 0 with the usage', () => {
    const result = install(['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage: install-kiosk\.sh/);
  });
});

describe('the script itself', () => {
  it('parses (bash -n) and, where shellcheck is installed, passes it', () => {
    const syntax = spawnSync('bash', ['-n', SCRIPT], { encoding: 'utf8' });
    expect(syntax.status, syntax.stderr).toBe(0);
    const shellcheck = spawnSync('shellcheck', ['--version']);
    if (shellcheck.status === 0) {
      const lint = spawnSync('shellcheck', [SCRIPT], { encoding: 'utf8' });
      expect(lint.status, lint.stdout).toBe(0);
    }
  });
});

/** The keys offcirc's units may use, by section (systemd.unit(5), .service(5), .exec(5), .kill(5)). */
const UNIT_KEYS: Record<string, Set<string>> = {
  Unit: new Set([
    'Description',
    'Documentation',
    'After',
    'Before',
    'Wants',
    'Requires',
    'Conflicts',
    'StartLimitIntervalSec',
    'StartLimitBurst',
  ]),
  Service: new Set([
    'Type',
    'User',
    'Group',
    'SupplementaryGroups',
    'WorkingDirectory',
    'Environment',
    'ExecStartPre',
    'ExecStart',
    'StandardInput',
    'StandardOutput',
    'StandardError',
    'TTYPath',
    'TTYReset',
    'TTYVHangup',
    'TTYVTDisallocate',
    'Restart',
    'RestartSec',
    'TimeoutStopSec',
    'StateDirectory',
    'StateDirectoryMode',
    'ProtectSystem',
    'ProtectHome',
    'PrivateTmp',
    'NoNewPrivileges',
    'ProtectKernelTunables',
    'ProtectKernelModules',
    'ProtectControlGroups',
    'RestrictSUIDSGID',
    'RestrictRealtime',
    'LockPersonality',
    'ReadWritePaths',
  ]),
  Install: new Set(['WantedBy']),
};

const BOOLEAN_KEYS = new Set([
  'TTYReset',
  'TTYVHangup',
  'TTYVTDisallocate',
  'PrivateTmp',
  'NoNewPrivileges',
  'ProtectKernelTunables',
  'ProtectKernelModules',
  'ProtectControlGroups',
  'RestrictSUIDSGID',
  'RestrictRealtime',
  'LockPersonality',
]);

/** Problems in a unit file's syntax: sections, key=value lines, keys known for their section. */
function unitProblems(text: string): string[] {
  const problems: string[] = [];
  let section: string | undefined;
  text.split('\n').forEach((line, i) => {
    const where = `line ${i + 1}`;
    if (line.trim() === '' || /^[#;]/.test(line)) return;
    const header = /^\[(\w+)\]$/.exec(line);
    if (header) {
      section = header[1];
      if (!UNIT_KEYS[section!]) problems.push(`${where}: unknown section [${section}]`);
      return;
    }
    const pair = /^([A-Za-z]+)=(.*)$/.exec(line);
    if (!pair) return void problems.push(`${where}: not key=value: ${line}`);
    if (!section) return void problems.push(`${where}: ${pair[1]} before any section`);
    if (!UNIT_KEYS[section]?.has(pair[1]!))
      problems.push(`${where}: ${pair[1]} is not a key of [${section}]`);
    if (BOOLEAN_KEYS.has(pair[1]!) && !/^(?:yes|no)$/.test(pair[2]!))
      problems.push(`${where}: ${pair[1]} wants yes or no`);
  });
  return problems;
}

/** The installed unit with its key facts, rewritten so its ExecStart= is the file in the fake root. */
function installedUnit(args: string[]) {
  const root = tempDir('offcirc-root-');
  expect(install(['--root', root, '--from', fakeBuild(), ...args]).code).toBe(0);
  const file = path.join(root, 'etc/systemd/system/offcirc.service');
  const text = readFileSync(file, 'utf8');
  const keys = new Map<string, string[]>();
  for (const [, key, value] of text.matchAll(/^(\w+)=(.*)$/gm))
    keys.set(key!, [...(keys.get(key!) ?? []), value!]);
  return { root, text, keys };
}

describe('the systemd unit', () => {
  it('the unit parser finds what is wrong (so the checks below can fail)', () => {
    expect(unitProblems('[Service]\nTTYPth=/dev/tty8\n')).toEqual([
      'line 2: TTYPth is not a key of [Service]',
    ]);
    expect(unitProblems('Restart=always\n')).toEqual(['line 1: Restart before any section']);
    expect(unitProblems('[Servce]\n')).toEqual(['line 1: unknown section [Servce]']);
    expect(unitProblems('[Service]\nRestart always\n')).toEqual(['line 2: not key=value: Restart always']);
    expect(unitProblems('[Service]\nTTYReset=maybe\n')).toEqual(['line 2: TTYReset wants yes or no']);
  });

  for (const [mode, args] of [
    ['screen', []],
    ['headless', ['--headless']],
  ] as const) {
    it(`${mode}: known keys only, restarts always, runs as offcirc, started at boot`, () => {
      const { text, keys } = installedUnit([...args]);
      expect(unitProblems(text)).toEqual([]);
      expect(keys.get('Restart')).toEqual(['always']);
      expect(keys.get('User')).toEqual(['offcirc']);
      expect(keys.get('StartLimitIntervalSec')).toEqual(['0']);
      expect(keys.get('WantedBy')).toEqual(['multi-user.target']);
      expect(keys.get('StateDirectory')).toEqual(['offcirc']);
      if (mode === 'screen') {
        for (const [key, value] of <[string, string][]>[
          ['TTYPath', '/dev/tty8'],
          ['StandardInput', 'tty'],
          ['StandardOutput', 'tty'],
          ['TTYReset', 'yes'],
          ['TTYVHangup', 'yes'],
        ])
          expect(keys.get(key), key).toEqual([value]);
      } else {
        expect(keys.get('StandardOutput')).toEqual(['journal']);
        expect(keys.get('StandardInput')).toEqual(['null']);
      }
    });

    it(`${mode}: systemd-analyze verify finds nothing to say, where it is installed`, () => {
      const analyze = spawnSync('systemd-analyze', ['--version']);
      if (analyze.status !== 0) return; // no systemd here: the key check above is what there is
      const { root, text } = installedUnit([...args]);
      // verify checks that ExecStart= exists; here that file is inside the fake root.
      const dir = tempDir('offcirc-verify-');
      const copy = path.join(dir, 'offcirc.service');
      writeFileSync(copy, text.replace(/^ExecStart=\/opt\//m, `ExecStart=${root}/opt/`));
      const verify = spawnSync('systemd-analyze', ['verify', copy], { encoding: 'utf8' });
      expect(verify.stderr + verify.stdout).toBe('');
      expect(verify.status).toBe(0);
      // And it does complain about a unit with a mistake in it.
      writeFileSync(
        copy,
        text
          .replace(/^ExecStart=\/opt\//m, `ExecStart=${root}/opt/`)
          .replace('Restart=always', 'Restart=sometimes'),
      );
      const broken = spawnSync('systemd-analyze', ['verify', copy], { encoding: 'utf8' });
      expect(broken.stderr).toMatch(/restart/i);
    });
  }
});

/** Keys udev rules may match (==, !=) and assign (=, +=, -=, :=), from udev(7). */
const MATCH_KEYS =
  /^(?:ACTION|DEVPATH|KERNELS?|NAME|SYMLINK|SUBSYSTEMS?|DRIVERS?|ATTRS?\{[\w./-]+\}|SYSCTL\{[\w./-]+\}|ENV\{\w+\}|CONST\{\w+\}|TAGS?|TEST(?:\{\d+\})?|PROGRAM|RESULT)$/;
const ASSIGN_KEYS =
  /^(?:NAME|SYMLINK|OWNER|GROUP|MODE|SECLABEL\{\w+\}|ATTR\{[\w./-]+\}|SYSCTL\{[\w./-]+\}|ENV\{\w+\}|TAG|RUN(?:\{\w+\})?|LABEL|GOTO|IMPORT\{\w+\}|OPTIONS)$/;

/** Problems in one udev rule line: comma-separated KEY op "value" pairs, keys known for their operator. */
function ruleProblems(rule: string): string[] {
  const problems: string[] = [];
  const pairs = rule.split(/,\s*(?=[A-Z])/);
  let matches = 0;
  let assigns = 0;
  for (const pair of pairs) {
    const parsed = /^([A-Z]+(?:\{[^}]+\})?)(==|!=|\+=|-=|:=|=)"([^"]*)"$/.exec(pair.trim());
    if (!parsed) {
      problems.push(`not KEY op "value": ${pair.trim()}`);
      continue;
    }
    const [, key, op, value] = parsed;
    if (op === '==' || op === '!=') {
      matches++;
      if (!MATCH_KEYS.test(key!)) problems.push(`${key} can't be matched`);
    } else {
      assigns++;
      if (!ASSIGN_KEYS.test(key!)) problems.push(`${key} can't be assigned`);
      if (key === 'MODE' && !/^0?[0-7]{3}$/.test(value!)) problems.push(`MODE ${value} is not octal`);
    }
  }
  if (problems.length === 0 && (matches === 0 || assigns === 0))
    problems.push('a rule needs a match and an assignment');
  return problems;
}

/** Every line of a rules file: blank, a comment, or a rule; commented-out rules must be valid too. */
function rulesProblems(text: string): string[] {
  return text.split('\n').flatMap((line, i) => {
    if (line.trim() === '') return [];
    const commented = /^#\s?([A-Z]+(?:\{[^}]+\})?(?:==|!=|=|\+=|:=)".*)$/.exec(line);
    if (line.startsWith('#') && !commented) return [];
    return ruleProblems(commented ? commented[1]! : line).map((p) => `line ${i + 1}: ${p}`);
  });
}

describe('the udev rules', () => {
  const text = readFileSync(RULES_TEMPLATE, 'utf8');

  it('the rules parser finds what is wrong (so the check below can fail)', () => {
    expect(ruleProblems('SUBSYSTEM=="hidraw", MODE="0660"')).toEqual([]);
    expect(ruleProblems('SUBSYTEM=="hidraw", MODE="0660"')).toEqual(["SUBSYTEM can't be matched"]);
    expect(ruleProblems('SUBSYSTEM=="hidraw", MODE=="0660"')).toEqual(["MODE can't be matched"]);
    expect(ruleProblems('SUBSYSTEM=="hidraw", MODE="rw"')).toEqual(['MODE rw is not octal']);
    expect(ruleProblems('SUBSYSTEM==hidraw, MODE="0660"')).toEqual(['not KEY op "value": SUBSYSTEM==hidraw']);
    expect(ruleProblems('SUBSYSTEM=="hidraw",')).toHaveLength(1);
    expect(ruleProblems('MODE="0660"')).toEqual(['a rule needs a match and an assignment']);
    expect(rulesProblems('# a comment\n\n# GROUP=="x", MODE="0660"\n')).toEqual([
      "line 3: GROUP can't be matched",
    ]);
  });

  it('every line is a comment or a valid rule, commented-out examples included', () => {
    expect(rulesProblems(text)).toEqual([]);
  });

  it('opens hidraw and USB serial ttys to the groups the installer puts the offcirc user in', () => {
    const rules = text.split('\n').filter((l) => l.trim() && !l.startsWith('#'));
    const hidraw = rules.find((r) => r.includes('SUBSYSTEM=="hidraw"'));
    const tty = rules.find((r) => r.includes('SUBSYSTEM=="tty"'));
    expect(hidraw).toMatch(/MODE="0660"/);
    expect(tty).toMatch(/ENV\{ID_BUS\}=="usb"/);
    const groups = new Set([...text.matchAll(/GROUP="(\w+)"/g)].map((m) => m[1]));
    const script = readFileSync(SCRIPT, 'utf8');
    const scannerGroups = /SCANNER_GROUPS=\(([^)]*)\)/.exec(script)![1]!.split(/\s+/).filter(Boolean);
    expect([...groups].sort()).toEqual([...scannerGroups].sort());
  });

  it('udevadm verify accepts them, where this udevadm has it', () => {
    const has = spawnSync('udevadm', ['verify', '--help']);
    if (has.status !== 0) return; // udev 252 (Debian 12) has no verify: the parser above is the check
    const verify = spawnSync('udevadm', ['verify', '--resolve-names=never', RULES_TEMPLATE], {
      encoding: 'utf8',
    });
    expect(verify.status, verify.stderr).toBe(0);
  });

  it('a fake-root install puts the same file where udev reads it', () => {
    const root = tempDir('offcirc-root-');
    expect(install(['--root', root, '--from', fakeBuild()]).code).toBe(0);
    const installed = path.join(root, 'etc/udev/rules.d/70-offcirc-scanners.rules');
    expect(lstatSync(installed).mode & 0o777).toBe(0o644);
    expect(readFileSync(installed, 'utf8')).toBe(text);
  });
});
