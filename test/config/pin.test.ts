import { spawnSync } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { editSecret, hashPin, hashPinCommand, pinProblem, verifyPin } from '../../src/config/pin.js';
import { configSchema } from '../../src/config/schema.js';
import { EXIT } from '../../src/exit.js';
import { BIN } from '../helpers/offcirc.js';

describe('hashPin / verifyPin', () => {
  const hash = hashPin('4739');

  it('makes the scrypt$salt$key form the config schema accepts', () => {
    expect(hash).toMatch(/^scrypt\$[0-9a-f]{32}\$[0-9a-f]{64}$/);
    const parsed = configSchema.safeParse({ staff: { pin: hash } });
    expect(parsed.success).toBe(true);
  });

  it('salts: the same PIN hashes differently each time, and both verify', () => {
    const other = hashPin('4739');
    expect(other).not.toBe(hash);
    expect(verifyPin('4739', hash)).toBe(true);
    expect(verifyPin('4739', other)).toBe(true);
  });

  it('refuses wrong, near and empty PINs', () => {
    for (const guess of ['4738', '47390', '473', '', ' 4739', '4739 ', '４７３９']) {
      expect(verifyPin(guess, hash), guess).toBe(false);
    }
  });

  it('treats composed and decomposed accents as the same PIN', () => {
    const composed = hashPin('café1');
    expect(verifyPin('cafe\u0301' + '1', composed)).toBe(true);
  });

  it('answers false, never throws, for malformed hashes and absurd guesses', () => {
    const key = hash.split('$')[2] ?? '';
    for (const bad of [
      '',
      'scrypt$$',
      'bcrypt$' + hash.slice(7),
      hash.toUpperCase(),
      `${hash}0`,
      `scrypt$abc$${key}`,
    ]) {
      expect(verifyPin('4739', bad), bad).toBe(false);
    }
    expect(verifyPin('4'.repeat(100_000), hash)).toBe(false);
  });

  it('refuses to hash PINs that are too short, too long or hold control characters', () => {
    expect(() => hashPin('123')).toThrow(/at least 4/);
    expect(() => hashPin('1'.repeat(65))).toThrow(/at most 64/);
    expect(() => hashPin('12\x0334')).toThrow(/printable/);
    expect(() => hashPin('12\u200b34')).toThrow(/printable/);
    expect(pinProblem('ab c')).toBeUndefined();
  });
});

describe('editSecret', () => {
  it('adds printable characters and echoes a dot for each, never the character', () => {
    const edit = editSecret('', '47é9');
    expect(edit).toEqual({ value: '47é9', done: false, aborted: false, echo: '••••' });
  });

  it('ends on Enter (CR or LF) and ignores what follows', () => {
    expect(editSecret('47', '39\rjunk')).toMatchObject({ value: '4739', done: true });
    expect(editSecret('', '12\n')).toMatchObject({ value: '12', done: true });
  });

  it('removes with Backspace and DEL, and does nothing on an empty value', () => {
    expect(editSecret('47', '\x7f')).toMatchObject({ value: '4', echo: '\b \b' });
    expect(editSecret('47', '\b\b\b')).toMatchObject({ value: '', echo: '\b \b\b \b' });
  });

  it('aborts on Ctrl-C and Ctrl-D, forgetting what was typed', () => {
    expect(editSecret('4739', '\x03')).toMatchObject({ value: '', aborted: true });
    expect(editSecret('4739', '\x04')).toMatchObject({ value: '', aborted: true });
  });

  it('skips escape sequences and other controls without adding them', () => {
    expect(editSecret('', '1\x1b[A2\x1bOP3\x1b[15~4\x1b[[A5\t\x1a6').value).toBe('123456');
  });
});

/** A terminal-like input: a real stream that says it is a TTY and records raw-mode switches. */
function ttyInput() {
  const stream = new PassThrough() as PassThrough & { isTTY: boolean; setRawMode: (raw: boolean) => void };
  const raw: boolean[] = [];
  stream.isTTY = true;
  stream.setRawMode = (on: boolean) => void raw.push(on);
  return { stream, raw };
}

function capture() {
  let text = '';
  return { write: (s: string) => void (text += s), text: () => text };
}

describe('hashPinCommand', () => {
  it('reads the first line of a pipe and prints a hash that verifies', async () => {
    const stdin = new PassThrough();
    const stdout = capture();
    const stderr = capture();
    stdin.end('4739\r\nsecond line\n');
    expect(await hashPinCommand({ stdin, stdout, stderr })).toBe(0);
    const hash = stdout.text().trim();
    expect(verifyPin('4739', hash)).toBe(true);
    expect(stdout.text()).not.toContain('second');
    expect(stderr.text()).toContain('"staff"');
  });

  it('fails plainly on an empty pipe or a short PIN, printing no hash', async () => {
    for (const input of ['', '12\n']) {
      const stdin = new PassThrough();
      const stdout = capture();
      const stderr = capture();
      stdin.end(input);
      expect(await hashPinCommand({ stdin, stdout, stderr })).toBe(EXIT.usage);
      expect(stdout.text()).toBe('');
      expect(stderr.text()).toMatch(/no PIN|at least 4/);
    }
  });

  it('on a terminal asks twice without echo, in raw mode, and restores the mode', async () => {
    const { stream, raw } = ttyInput();
    const stdout = capture();
    const stderr = capture();
    const done = hashPinCommand({ stdin: stream, stdout, stderr });
    stream.write('47');
    stream.write('39\r');
    await new Promise((r) => setImmediate(r));
    stream.write('4739\r');
    expect(await done).toBe(0);
    expect(verifyPin('4739', stdout.text().trim())).toBe(true);
    expect(stderr.text()).not.toContain('4739');
    expect(stderr.text()).toContain('••••');
    expect(raw).toEqual([true, false, true, false]);
  });

  it('on a terminal refuses two different PINs and stops on Ctrl-C', async () => {
    {
      const { stream } = ttyInput();
      const stdout = capture();
      const stderr = capture();
      const done = hashPinCommand({ stdin: stream, stdout, stderr });
      stream.write('4739\r');
      await new Promise((r) => setImmediate(r));
      stream.write('4738\r');
      expect(await done).toBe(EXIT.usage);
      expect(stderr.text()).toContain('differ');
      expect(stdout.text()).toBe('');
    }
    {
      const { stream, raw } = ttyInput();
      const stdout = capture();
      const done = hashPinCommand({ stdin: stream, stdout, stderr: capture() });
      stream.write('47\x03');
      expect(await done).toBe(130);
      expect(stdout.text()).toBe('');
      expect(raw.at(-1)).toBe(false);
    }
  });
});

describe('offcirc config hash-pin, the built command', () => {
  it('without a terminal and without a PIN exits 64 (wrong usage) with a one-line reason', () => {
    const run = spawnSync(process.execPath, [BIN, 'config', 'hash-pin'], { input: '', encoding: 'utf8' });
    expect(run.status).toBe(EXIT.usage);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^offcirc: no PIN on standard input, which is not a terminal: .+\n$/);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('without a terminal, a PIN too short exits 64 with the reason and prints no hash', () => {
    const run = spawnSync(process.execPath, [BIN, 'config', 'hash-pin'], { input: '12\n', encoding: 'utf8' });
    expect(run.status).toBe(EXIT.usage);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe('offcirc: a PIN needs at least 4 characters\n');
  });
});
