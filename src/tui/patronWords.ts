/**
 * Turns the reason of a rejected or ignored scan into a sentence the person at the kiosk understands. The
 * reasons stay precise for the log ("check digit wrong: scan again"); the screen says what happened and
 * what to do ("This barcode didn't read correctly. Please scan it again."). Keyed on the reason tables'
 * own constants, so a changed wording there still finds its sentence. O(1) for a known reason, O(templates)
 * otherwise.
 */
import { REJECTIONS } from '../barcode/classify.js';
import { KIOSK_REASONS } from '../kiosk/reasons.js';
import { TYPED_TOO_LONG } from './controls.js';

const SCAN_AGAIN = "This barcode didn't read correctly. Please scan it again.";
const ASK_STAFF = "This barcode can't be used here. Please ask staff for help.";
/** For a reason no table knows: says nothing wrong, sends the person to someone who can read the log. */
export const UNKNOWN_WORDS = "That didn't work. Please ask staff for help.";

/** One sentence per classification reason: a new reason there fails to compile here until it has one. */
export const REJECTION_WORDS: Record<keyof typeof REJECTIONS, string> = {
  unreadable: SCAN_AGAIN,
  empty: 'Nothing was read. Please scan the barcode again.',
  checkDigit: SCAN_AGAIN,
  checkDigitLength: ASK_STAFF,
  unknown: "This isn't a library card or a library barcode. Please scan the library barcode.",
  itemTooLong: ASK_STAFF,
  patronSpaces: "This library card can't be used here. Please ask staff for help.",
  itemSpaces: ASK_STAFF,
  tooSlow: ASK_STAFF,
};

type KioskReasons = typeof KIOSK_REASONS;

/** One sentence per kiosk reason; a reason built from arguments gets a sentence built from what matters. */
export const KIOSK_WORDS: {
  [K in keyof KioskReasons]: KioskReasons[K] extends string ? string : (kind: 'loan' | 'return') => string;
} = {
  doubleRead: 'That was read twice: it counts once.',
  cardFirst: 'Please scan your library card first, then your items.',
  alreadyLoaned: "You've already borrowed this item just now.",
  beingSaved: 'This item is being saved. Please wait a moment.',
  returnModePatron: 'No card is needed to give items back: just scan each item.',
  noSession: 'There is nothing to finish: scan your library card to start.',
  patronBlocked: "This card can't be used to borrow right now. Please see staff.",
  patronExpired: 'This card has expired. Please see staff to renew it.',
  patronUnknown: "This card isn't known here. Please see staff.",
  nothingToAdmit: 'There is no refused card to let through.',
  sessionLimit: () => "You've reached the most items you can borrow in one visit. Please see staff for more.",
  dayLimit: () => "You've reached the most items you can borrow in one day. Please see staff for more.",
  outOfService: () => "The kiosk can't save anything right now. Please see staff.",
  notSaved: (kind) =>
    kind === 'loan'
      ? 'This item was NOT borrowed. Please scan it again when the kiosk works again, or see staff.'
      : 'This item was NOT returned. Please scan it again when the kiosk works again, or see staff.',
};

/** Reasons given by the screen itself (a typed line); checked like the tables above. */
export const TYPED_WORDS: Record<'tooLong', string> = { tooLong: SCAN_AGAIN };

const exact = new Map<string, string>([
  ...Object.entries(REJECTION_WORDS).map(
    ([k, words]) => [REJECTIONS[k as keyof typeof REJECTIONS], words] as const,
  ),
  [KIOSK_REASONS.doubleRead, KIOSK_WORDS.doubleRead],
  [KIOSK_REASONS.cardFirst, KIOSK_WORDS.cardFirst],
  [KIOSK_REASONS.alreadyLoaned, KIOSK_WORDS.alreadyLoaned],
  [KIOSK_REASONS.beingSaved, KIOSK_WORDS.beingSaved],
  [KIOSK_REASONS.returnModePatron, KIOSK_WORDS.returnModePatron],
  [KIOSK_REASONS.noSession, KIOSK_WORDS.noSession],
  [KIOSK_REASONS.patronBlocked, KIOSK_WORDS.patronBlocked],
  [KIOSK_REASONS.patronExpired, KIOSK_WORDS.patronExpired],
  [KIOSK_REASONS.patronUnknown, KIOSK_WORDS.patronUnknown],
  [KIOSK_REASONS.nothingToAdmit, KIOSK_WORDS.nothingToAdmit],
  [TYPED_TOO_LONG, TYPED_WORDS.tooLong],
]);

/** A character no reason holds: the argument's place in a reason built from arguments. */
const HOLE = '\u0000';

/** The text around the argument of a built reason, taken from the function that builds it. */
function around(built: string): { before: string; after: string } {
  const at = built.indexOf(HOLE);
  return { before: built.slice(0, at), after: built.slice(at + HOLE.length) };
}

/** The text around the number of a reason built from a number. */
function aroundNumber(build: (n: number) => string): { before: string; after: string } {
  const built = build(7);
  const at = built.indexOf('7');
  return { before: built.slice(0, at), after: built.slice(at + 1) };
}

const templates: { before: string; after: string; words: string }[] = [
  { ...around(KIOSK_REASONS.outOfService(HOLE)), words: KIOSK_WORDS.outOfService('loan') },
  { ...around(KIOSK_REASONS.notSaved('loan', HOLE)), words: KIOSK_WORDS.notSaved('loan') },
  { ...around(KIOSK_REASONS.notSaved('return', HOLE)), words: KIOSK_WORDS.notSaved('return') },
  // The limits' numbers are the only argument: a NUL can't stand in for a number, so the text around it does.
  { ...aroundNumber(KIOSK_REASONS.sessionLimit), words: KIOSK_WORDS.sessionLimit('loan') },
  { ...aroundNumber(KIOSK_REASONS.dayLimit), words: KIOSK_WORDS.dayLimit('loan') },
];

/**
 * The scanner drivers' own unreadable-scan reasons (a bad report, a stuck key) begin as classification's
 * "unreadable scan:" does; they all mean the same to the person scanning.
 */
const UNREADABLE_HEAD = REJECTIONS.unreadable.slice(0, REJECTIONS.unreadable.indexOf(':') + 1);

/**
 * The sentence for `reason`. `ownWords` are reasons already written for patrons (config's refuse rules'
 * sentences): they are shown as they are. Never throws.
 */
export function patronWords(reason: string, ownWords: ReadonlySet<string> = new Set()): string {
  const known = exact.get(reason);
  if (known !== undefined) return known;
  if (ownWords.has(reason)) return reason;
  for (const t of templates) {
    if (
      reason.length >= t.before.length + t.after.length &&
      reason.startsWith(t.before) &&
      reason.endsWith(t.after)
    )
      return t.words;
  }
  if (UNREADABLE_HEAD !== '' && reason.startsWith(UNREADABLE_HEAD)) return SCAN_AGAIN;
  return UNKNOWN_WORDS;
}
