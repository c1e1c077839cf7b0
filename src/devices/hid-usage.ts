/**
 * The US keyboard layout as USB HID usage IDs (keyboard page 0x07): which character a key gives, with and
 * without Shift, and the way back. Tables only; lookups are O(1).
 */

/** Keys that end a scan, by the name endKey uses. */
export const ENTER = 0x28;
export const KEYPAD_ENTER = 0x58;
export const TAB = 0x2b;
export const CAPS_LOCK = 0x39;
/** Num Lock changes nothing in what a scanner means by its keypad keys (they are digits either way). */
export const NUM_LOCK = 0x53;
/** Usage 0x01 in every key slot: the keyboard has more keys down than it can report (ErrorRollOver). */
export const ROLLOVER = 0x01;

/** Modifier bits of byte 0 of a boot keyboard report. */
export const MOD = {
  leftCtrl: 0x01,
  leftShift: 0x02,
  leftAlt: 0x04,
  leftGui: 0x08,
  rightCtrl: 0x10,
  rightShift: 0x20,
  rightAlt: 0x40,
  rightGui: 0x80,
} as const;
export const SHIFT = MOD.leftShift | MOD.rightShift;

/** A key's character unshifted and shifted; letters also follow Caps Lock. */
interface KeyChars {
  plain: string;
  shifted: string;
  letter: boolean;
}

function buildLayout(): Map<number, KeyChars> {
  const layout = new Map<number, KeyChars>();
  for (let i = 0; i < 26; i++) {
    const plain = String.fromCharCode(0x61 + i);
    layout.set(0x04 + i, { plain, shifted: plain.toUpperCase(), letter: true });
  }
  const digitsShifted = '!@#$%^&*(';
  for (let i = 0; i < 9; i++) {
    layout.set(0x1e + i, { plain: String(i + 1), shifted: digitsShifted[i] ?? '', letter: false });
  }
  const others: [number, string, string][] = [
    [0x27, '0', ')'],
    [0x2c, ' ', ' '],
    [0x2d, '-', '_'],
    [0x2e, '=', '+'],
    [0x2f, '[', '{'],
    [0x30, ']', '}'],
    [0x31, '\\', '|'],
    [0x33, ';', ':'],
    [0x34, "'", '"'],
    [0x35, '`', '~'],
    [0x36, ',', '<'],
    [0x37, '.', '>'],
    [0x38, '/', '?'],
    // Keypad keys give the same character with or without Shift: a scanner in "keypad digits" mode never
    // means the navigation keys that Shift+keypad gives on a PC.
    [0x54, '/', '/'],
    [0x55, '*', '*'],
    [0x56, '-', '-'],
    [0x57, '+', '+'],
    [0x62, '0', '0'],
    [0x63, '.', '.'],
  ];
  for (const [usage, plain, shifted] of others) layout.set(usage, { plain, shifted, letter: false });
  for (let i = 0; i < 9; i++) {
    const digit = String(i + 1);
    layout.set(0x59 + i, { plain: digit, shifted: digit, letter: false });
  }
  return layout;
}

const LAYOUT = buildLayout();

/** The character a key gives, or undefined for a key that gives none offcirc knows. */
export function charForUsage(usage: number, shift: boolean, capsLock: boolean): string | undefined {
  const key = LAYOUT.get(usage);
  if (key === undefined) return undefined;
  const upper = key.letter ? shift !== capsLock : shift;
  return upper ? key.shifted : key.plain;
}

/** Where a character is typed on the US layout: the main block, never the keypad. */
export interface KeyStroke {
  usage: number;
  shift: boolean;
}

function buildStrokes(): Map<string, KeyStroke> {
  const strokes = new Map<string, KeyStroke>();
  for (const [usage, key] of LAYOUT) {
    if (usage >= 0x54) continue; // keypad: the main-block key is what a scanner sends by default
    if (!strokes.has(key.plain)) strokes.set(key.plain, { usage, shift: false });
    if (!strokes.has(key.shifted)) strokes.set(key.shifted, { usage, shift: true });
  }
  return strokes;
}

const STROKES = buildStrokes();

/** The key (and Shift) that types a character on the US layout, or undefined if none does. */
export function strokeForChar(char: string): KeyStroke | undefined {
  return STROKES.get(char);
}

/** "0x0a"-style name of a usage ID or byte, as used in messages. */
export function hexByte(value: number): string {
  return `0x${value.toString(16).padStart(2, '0')}`;
}
