/**
 * The staff PIN: a salted scrypt hash for the config file, its check, and the `offcirc config hash-pin`
 * prompt that reads a PIN without echoing it. Each hash or check costs one scrypt (N=16384, r=8, p=1:
 * about 50 ms and 16 MiB), which is the point: a leaked config makes guessing slow, not instant.
 */
import { randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import { EXIT } from '../exit.js';

const SALT_BYTES = 16;
const KEY_BYTES = 32;
const HASH_FORMAT = /^scrypt\$([0-9a-f]{32})\$([0-9a-f]{64})$/;

/** The shortest and longest PIN `hashPin` accepts: shorter is guessable by hand, longer is a typo. */
export const PIN_MIN_LENGTH = 4;
export const PIN_MAX_LENGTH = 64;

/** Why a PIN can't be used, or undefined when it can. */
export function pinProblem(pin: string): string | undefined {
  if ([...pin].length < PIN_MIN_LENGTH) return `a PIN needs at least ${PIN_MIN_LENGTH} characters`;
  if ([...pin].length > PIN_MAX_LENGTH) return `a PIN has at most ${PIN_MAX_LENGTH} characters`;
  // The kiosk screen can only type printable characters into its PIN prompt.
  if (/[\p{Cc}\p{Cf}]/u.test(pin)) return 'a PIN can only hold printable characters';
  return undefined;
}

// NFC so that the same PIN typed on two keyboards (composed or decomposed accents) gives the same key.
const derive = (pin: string, salt: Buffer): Buffer => scryptSync(pin.normalize('NFC'), salt, KEY_BYTES);

/** Hashes a PIN as `scrypt$<32 hex salt>$<64 hex key>`, the form config `staff.pin` accepts. */
export function hashPin(pin: string): string {
  const problem = pinProblem(pin);
  if (problem) throw new Error(problem);
  const salt = randomBytes(SALT_BYTES);
  return `scrypt$${salt.toString('hex')}$${derive(pin, salt).toString('hex')}`;
}

/** True when `pin` is the one `hash` was made from; false for a wrong PIN or a malformed hash. */
export function verifyPin(pin: string, hash: string): boolean {
  const parts = HASH_FORMAT.exec(hash);
  if (!parts) return false;
  const [, salt = '', key = ''] = parts;
  // An absurdly long guess is wrong anyway; refusing it keeps a pasted novel from costing more.
  if (pin.length > PIN_MAX_LENGTH * 4) return false;
  return timingSafeEqual(derive(pin, Buffer.from(salt, 'hex')), Buffer.from(key, 'hex'));
}

/** What typing a chunk into a hidden prompt did: the text so far, and whether Enter or Ctrl-C/D ended it. */
export interface SecretEdit {
  value: string;
  done: boolean;
  aborted: boolean;
  /** What to write back so the person sees progress without the secret: a dot per character. */
  echo: string;
}

/**
 * Applies raw terminal input to a hidden prompt: printable characters add, Backspace removes, Enter ends,
 * Ctrl-C or Ctrl-D abort, escape sequences (arrows, F-keys) and other controls are skipped. O(chunk).
 */
export function editSecret(value: string, chunk: string): SecretEdit {
  let chars = [...value];
  let echo = '';
  const codes = [...chunk];
  for (let i = 0; i < codes.length; i++) {
    const c = codes[i] ?? '';
    if (c === '\r' || c === '\n') return { value: chars.join(''), done: true, aborted: false, echo };
    if (c === '\x03' || c === '\x04') return { value: '', done: false, aborted: true, echo };
    if (c === '\x7f' || c === '\b') {
      if (chars.length > 0) {
        chars = chars.slice(0, -1);
        echo += '\b \b';
      }
    } else if (c === '\x1b') {
      // Skip the sequence: ESC, an optional [ or O (and a second [ on the Linux console), then up to a final byte.
      let j = i + 1;
      if (codes[j] === '[' || codes[j] === 'O') {
        j++;
        if (codes[j] === '[') j++;
        while (j < codes.length && !/[@-~]/.test(codes[j] ?? '')) j++;
      }
      i = j;
    } else if (!/[\p{Cc}\p{Cf}]/u.test(c)) {
      chars.push(c);
      echo += '•';
    }
  }
  return { value: chars.join(''), done: false, aborted: false, echo };
}

/** The streams `hashPinCommand` talks through (process.stdin, process.stdout, process.stderr in the CLI). */
export interface HashPinIo {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

/** Reads one PIN from a terminal without echo (a dot per character); resolves undefined on Ctrl-C/D or end. */
function promptHidden(io: HashPinIo, prompt: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    let value = '';
    const finish = (result: string | undefined) => {
      io.stdin.off('data', onData);
      io.stdin.off('end', onEnd);
      io.stdin.setRawMode?.(false);
      io.stdin.pause();
      io.stderr.write('\n');
      resolve(result);
    };
    const onData = (data: Buffer | string) => {
      const edit = editSecret(value, data.toString());
      value = edit.value;
      io.stderr.write(edit.echo);
      if (edit.aborted) finish(undefined);
      else if (edit.done) finish(value);
    };
    const onEnd = () => finish(undefined);
    io.stderr.write(prompt);
    io.stdin.setRawMode?.(true);
    io.stdin.on('data', onData);
    io.stdin.on('end', onEnd);
    io.stdin.resume();
  });
}

/** Reads the first line of a non-terminal input (`echo 4739 | offcirc config hash-pin`). */
export async function readFirstLine(stdin: NodeJS.ReadableStream): Promise<string | undefined> {
  let text = '';
  for await (const chunk of stdin) {
    text += chunk.toString();
    const end = text.search(/\r?\n/);
    if (end >= 0) return text.slice(0, end);
  }
  return text === '' ? undefined : text;
}

/**
 * `offcirc config hash-pin`: asks for the PIN twice on a terminal (once from a pipe), prints the hash for
 * config `staff.pin` on stdout and a hint on stderr. Resolves the exit code: EXIT.ok, EXIT.usage (64, with
 * a one-line reason) for no PIN, an unusable or a mismatched one, 130 when cancelled (as for Ctrl-C).
 */
export async function hashPinCommand(io: HashPinIo): Promise<number> {
  let pin: string | undefined;
  if (io.stdin.isTTY) {
    pin = await promptHidden(io, 'New staff PIN: ');
    if (pin === undefined) return 130;
    const problem = pinProblem(pin);
    if (problem) {
      io.stderr.write(`offcirc: ${problem}\n`);
      return EXIT.usage;
    }
    const again = await promptHidden(io, 'The same PIN again: ');
    if (again === undefined) return 130;
    if (again !== pin) {
      io.stderr.write('offcirc: the two PINs differ; nothing was changed\n');
      return EXIT.usage;
    }
  } else {
    pin = await readFirstLine(io.stdin);
    if (pin === undefined) {
      io.stderr.write(
        'offcirc: no PIN on standard input, which is not a terminal: run it on a terminal, or pipe the PIN in (echo 4739 | offcirc config hash-pin)\n',
      );
      return EXIT.usage;
    }
    const problem = pinProblem(pin);
    if (problem) {
      io.stderr.write(`offcirc: ${problem}\n`);
      return EXIT.usage;
    }
  }
  io.stdout.write(`${hashPin(pin)}\n`);
  io.stderr.write('Put it in the config as "staff": { "pin": "<the line above>" }\n');
  return 0;
}
