import { describe, expect, it } from 'vitest';
import { hashPin, verifyPin } from '../../src/config/pin.js';
import { configSchema, type ConfigInput } from '../../src/config/schema.js';
import {
  boundAction,
  initialInput,
  inputRules,
  type InputEffect,
  type InputState,
  LINE_SILENCE_MS,
  MAX_LINE,
  PIN_LOCK_MS,
  PIN_PROMPT_IDLE_MS,
  reduceKey,
  settle,
} from '../../src/tui/controls.js';
import type { KeyAction } from '../../src/tui/keys.js';

const PIN = '4739';
const HASH = hashPin(PIN);

const rulesFor = (config: ConfigInput = {}) => inputRules(configSchema.parse(config), verifyPin);

const F = (key: string): KeyAction => ({ type: 'function', key: key as 'F1' });
const text = (s: string): KeyAction[] => [...s].map((char) => ({ type: 'char', char }));
const ENTER: KeyAction = { type: 'enter' };
const ESC: KeyAction = { type: 'escape' };
const BS: KeyAction = { type: 'backspace' };

/** Feeds actions 10 ms apart (a fast typist or a scanner) from `start`; collects every effect. */
function feed(
  actions: KeyAction[],
  rules = rulesFor(),
  state: InputState = initialInput(),
  start = 1_000_000,
) {
  let now = start;
  const effects: InputEffect[] = [];
  for (const action of actions) {
    const result = reduceKey(state, action, now, rules);
    state = result.state;
    effects.push(...result.effects);
    now += 10;
  }
  return { state, effects, now };
}

describe('function keys', () => {
  it('map F1/F2/F3/F10 to loan, return, end session and quit by default', () => {
    expect(feed([F('F1'), F('F2'), F('F3'), F('F10')]).effects).toEqual([
      { type: 'command', command: 'loan' },
      { type: 'command', command: 'return' },
      { type: 'command', command: 'endSession' },
      { type: 'quit' },
    ]);
  });

  it('follow config.keys, and unbound keys do nothing', () => {
    const rules = rulesFor({ keys: { loan: 'F5', return: 'F6', endSession: 'F7', quit: 'F12' } });
    expect(boundAction('F5', rules.keys)).toBe('loan');
    expect(feed([F('F1'), F('F2'), F('F3'), F('F10'), F('F4')], rules).effects).toEqual([]);
    expect(feed([F('F5'), F('F12')], rules).effects).toEqual([
      { type: 'command', command: 'loan' },
      { type: 'quit' },
    ]);
  });
});

describe('typed lines', () => {
  it('turn a line ended by Enter into a scan, exactly as typed', () => {
    expect(feed([...text(' 3123 4000 '), ENTER]).effects).toEqual([{ type: 'scan', text: ' 3123 4000 ' }]);
  });

  it('send nothing for an empty Enter, and Backspace corrects', () => {
    expect(feed([ENTER, ENTER, ...text('12x'), BS, ...text('3'), ENTER]).effects).toEqual([
      { type: 'scan', text: '123' },
    ]);
  });

  it('drop a half-typed line after the silence, so a stray key never prefixes the next scan', () => {
    const first = feed(text('99'));
    const later = first.now + LINE_SILENCE_MS + 1;
    const next = feed([...text('31234000000016'), ENTER], rulesFor(), first.state, later);
    expect(next.effects).toEqual([{ type: 'scan', text: '31234000000016' }]);
    // An Enter alone after the silence sends nothing either.
    const lone = feed([ENTER], rulesFor(), first.state, later);
    expect(lone.effects).toEqual([]);
  });

  it('keep a line whose keys come just within the silence', () => {
    const first = feed(text('31'));
    const next = feed([...text('2'), ENTER], rulesFor(), first.state, first.now - 10 + LINE_SILENCE_MS);
    expect(next.effects).toEqual([{ type: 'scan', text: '312' }]);
  });

  it('clear the half-typed line on Escape', () => {
    expect(feed([...text('99'), ESC, ...text('1'), ENTER]).effects).toEqual([{ type: 'scan', text: '1' }]);
  });

  it('reject an absurdly long line whole, with the reason, instead of truncating it; then work normally', () => {
    const long = feed([...text('3'.repeat(MAX_LINE + 1)), ENTER, ...text('31234000000016'), ENTER]);
    expect(long.effects).toEqual([
      {
        type: 'scan',
        text: '3'.repeat(MAX_LINE),
        error: `unreadable scan: more than ${MAX_LINE} characters before Enter`,
      },
      { type: 'scan', text: '31234000000016' },
    ]);
    const justFits = feed([...text('3'.repeat(MAX_LINE)), ENTER]);
    expect(justFits.effects).toEqual([{ type: 'scan', text: '3'.repeat(MAX_LINE) }]);
  });

  it('ignore control characters and stray sequences in the middle of a line', () => {
    const noise: KeyAction[] = [
      { type: 'ignored', sequence: '\x03' },
      { type: 'ignored', sequence: '\x1b[A' },
    ];
    expect(feed([...text('312'), ...noise, ...text('34'), ENTER]).effects).toEqual([
      { type: 'scan', text: '31234' },
    ]);
  });
});

describe('staff PIN', () => {
  const guarded = rulesFor({ staff: { pin: HASH } });
  const modeGuarded = rulesFor({ staff: { pin: HASH, pinFor: ['quit', 'mode'] } });

  it('without a configured PIN, quit is immediate even if pinFor names it', () => {
    expect(feed([F('F10')], rulesFor({ staff: { pinFor: ['quit', 'mode'] } })).effects).toEqual([
      { type: 'quit' },
    ]);
  });

  it('asks for the PIN on quit; the right PIN quits, and what is typed goes to the PIN, not to a scan', () => {
    const opened = feed([...text('77'), F('F10')], guarded);
    expect(opened.effects).toEqual([]);
    expect(opened.state.prompt).toMatchObject({ for: 'quit', entered: '' });
    expect(opened.state.line).toBe('');
    const typed = feed(text(PIN), guarded, opened.state, opened.now);
    expect(typed.state.prompt?.entered).toBe(PIN);
    expect(typed.effects).toEqual([]);
    const done = feed([ENTER], guarded, typed.state, typed.now);
    expect(done.effects).toEqual([{ type: 'quit' }]);
    expect(done.state.prompt).toBeUndefined();
  });

  it('Backspace edits the PIN, Escape cancels it, F-keys do nothing in the prompt', () => {
    const edited = feed([F('F10'), ...text('47x'), BS, ...text('39'), F('F1'), F('F10'), ENTER], guarded);
    expect(edited.effects).toEqual([{ type: 'quit' }]);
    const cancelled = feed([F('F10'), ...text('47'), ESC, ...text('39'), ENTER], guarded);
    expect(cancelled.effects).toEqual([{ type: 'scan', text: '39' }]);
  });

  it('counts wrong PINs, says how many tries are left, and locks for a minute after three', () => {
    let run = feed([F('F10'), ...text('1111'), ENTER], guarded);
    expect(run.state.prompt?.error).toBe('wrong PIN, 2 tries left');
    expect(run.state.prompt?.entered).toBe('');
    run = feed([...text('2222'), ENTER], guarded, run.state, run.now);
    expect(run.state.prompt?.error).toBe('wrong PIN, 1 try left');
    run = feed([...text('3333'), ENTER], guarded, run.state, run.now);
    expect(run.state.prompt).toBeUndefined();
    expect(run.state.lockedUntil).toBe(run.now - 10 + PIN_LOCK_MS);
    expect(run.effects).toEqual([]);

    // Locked: the quit key opens nothing, even with the right PIN typed after it.
    const locked = feed([F('F10'), ...text(PIN), ENTER], guarded, run.state, run.now);
    expect(locked.effects).toEqual([{ type: 'scan', text: PIN }]);
    expect(locked.state.prompt).toBeUndefined();

    // After the minute the lock lifts by itself and the right PIN works.
    const later = feed([F('F10'), ...text(PIN), ENTER], guarded, run.state, run.state.lockedUntil);
    expect(later.effects).toEqual([{ type: 'quit' }]);
  });

  it('does not forget wrong tries when the prompt is cancelled and reopened', () => {
    const run = feed(
      [F('F10'), ...text('1'), ENTER, ESC, F('F10'), ...text('2'), ENTER, ESC, F('F10'), ...text('3'), ENTER],
      guarded,
    );
    expect(run.state.lockedUntil).toBeDefined();
  });

  it('resets the count after a right PIN', () => {
    const run = feed([F('F10'), ...text('1'), ENTER, ...text('2'), ENTER, ...text(PIN), ENTER], guarded);
    expect(run.effects).toEqual([{ type: 'quit' }]);
    expect(run.state.wrongPins).toBe(0);
  });

  it('an empty Enter in the prompt is no try', () => {
    const run = feed([F('F10'), ENTER, ENTER, ENTER, ENTER], guarded);
    expect(run.state.wrongPins).toBe(0);
    expect(run.state.prompt).toBeDefined();
  });

  it('closes a prompt nobody types into, so later scans reach the station again', () => {
    const opened = feed([F('F10'), ...text('4')], guarded);
    const lastKey = opened.now - 10;
    expect(settle(opened.state, lastKey + PIN_PROMPT_IDLE_MS).prompt).toBeDefined();
    const later = lastKey + PIN_PROMPT_IDLE_MS + 1;
    expect(settle(opened.state, later).prompt).toBeUndefined();
    const scan = feed([...text('31234000000016'), ENTER], guarded, opened.state, later);
    expect(scan.effects).toEqual([{ type: 'scan', text: '31234000000016' }]);
  });

  it('guards the mode keys when pinFor has "mode", but never the end-session key', () => {
    expect(feed([F('F1'), F('F2')], guarded).effects).toEqual([
      { type: 'command', command: 'loan' },
      { type: 'command', command: 'return' },
    ]);
    const loan = feed([F('F1'), ...text(PIN), ENTER], modeGuarded);
    expect(loan.effects).toEqual([{ type: 'command', command: 'loan' }]);
    const ret = feed([F('F2'), ...text(PIN), ENTER], modeGuarded);
    expect(ret.effects).toEqual([{ type: 'command', command: 'return' }]);
    expect(feed([F('F3')], modeGuarded).effects).toEqual([{ type: 'command', command: 'endSession' }]);
    expect(feed([F('F10')], rulesFor({ staff: { pin: HASH, pinFor: ['mode'] } })).effects).toEqual([
      { type: 'quit' },
    ]);
  });

  it('keeps a pasted flood from growing the PIN without bound', () => {
    const run = feed([F('F10'), ...text('9'.repeat(5000))], guarded);
    expect(run.state.prompt?.entered.length).toBeLessThanOrEqual(64);
  });
});
