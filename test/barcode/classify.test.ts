import { formatLine } from '../../src/journal/line.js';
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import {
  classify,
  createClassifier,
  MAX_ITEM_LENGTH,
  REJECTIONS,
  type Classified,
  type ClassifyRules,
} from '../../src/barcode/classify.js';
import { configSchema, type ConfigInput } from '../../src/config/schema.js';

/** The rules as a technician's config file gives them, through the real schema and its defaults. */
function rulesFrom(input: ConfigInput = {}): ClassifyRules {
  const config = configSchema.parse(input);
  return { barcodes: config.barcodes, commands: config.commands };
}

const DEFAULTS = rulesFrom();
const ISBN_REASON = "That is the book's ISBN. Scan the library barcode.";
const classifyDefault = createClassifier(DEFAULTS);
const rejected = (reason: string): Classified => ({ kind: 'rejected', reason });

describe('classify with the default rules', () => {
  it.each(['21234000000018', '21234000000026'])('takes %s as a patron', (code) => {
    expect(classifyDefault(code)).toEqual({ kind: 'patron', patron: code });
  });

  it.each(['31234000000016', '31234000000024', '30234000517861', '33191000105864'])(
    'takes %s as an item',
    (code) => {
      expect(classifyDefault(code)).toEqual({ kind: 'item', item: code });
    },
  );

  it.each([
    ['an AIM identifier', ']F031234000000016'],
    ['Codabar start/stop', 'A31234000000016B'],
    ['CLSI spaces', '3 1234 00000 0016'],
    ['surrounding spaces', '  31234000000016  '],
    ['all of them', ' ]F0a3 1234 00000 0016d '],
  ])('sees through %s', (_what, text) => {
    expect(classifyDefault(text)).toEqual({ kind: 'item', item: '31234000000016' });
  });

  it.each(['21234000000019', '21234000000010', '31234000000017', '30234000517862'])(
    'rejects %s: the check digit is wrong',
    (code) => {
      expect(classifyDefault(code)).toEqual(rejected('check digit wrong: scan again'));
    },
  );

  it.each(['9780306406157', '9791234567896'])('refuses the ISBN %s with the configured reason', (isbn) => {
    expect(classifyDefault(isbn)).toEqual(rejected(ISBN_REASON));
  });

  it.each([
    ['MODE-LOAN', 'loan'],
    ['MODE-RETURN', 'return'],
    ['END-SESSION', 'endSession'],
    [']C0MODE-RETURN', 'return'],
    ['  END-SESSION ', 'endSession'],
  ] as const)('takes %j as the %s command', (text, command) => {
    expect(classifyDefault(text)).toEqual({ kind: 'command', command });
  });

  it.each(['mode-loan', 'MODE-LOAN-X', 'MODE LOAN', 'XMODE-LOAN'])(
    'matches commands exactly: %j is no command',
    (text) => {
      expect(classifyDefault(text)).toEqual(rejected('not a library card or item barcode'));
    },
  );

  it.each([
    ['13 digits', '2123400000001'],
    ['15 digits', '212340000000180'],
    ['a word', 'hello'],
    ['a user name', 'JohnSmith'],
    ['a 1 prefix', '11234000000018'],
    ['an EAN-8', '96385074'],
  ])('rejects %s as not a library card or item', (_what, text) => {
    expect(classifyDefault(text)).toEqual(rejected('not a library card or item barcode'));
  });

  it.each(['', ' ', '     ', ']F0', ']F0  ', 'AB'])(
    'rejects %j as an empty scan (or unknown when not empty)',
    (text) => {
      const result = classifyDefault(text);
      // "AB" is not empty: Codabar characters around no digits are left as they are.
      expect(result).toEqual(text === 'AB' ? rejected(REJECTIONS.unknown) : rejected('empty scan'));
    },
  );

  it.each([
    ['a trailing CR', '31234000000016\r'],
    ['a trailing LF', '31234000000016\n'],
    ['a tab', '3123400\t0000016'],
    ['a NUL', '\u000031234000000016'],
    ['an ANSI escape that would clear the screen', '\u001b[2J\u001b[H31234000000016'],
    ['a terminal title escape', '\u001b]0;owned\u000731234000000016'],
    ['DEL', '31234000000016\u007f'],
    ['a Latin-1 letter', '3123400000001é'],
    ['a C1 control', '\u009b31234000000016'],
    ['full-width digits', '３１２３４０００００００１６'],
    ['an emoji', '😀'],
    ['a lone surrogate', '\ud800'],
    ['a byte-order mark', '\ufeff31234000000016'],
    ['a non-breaking space', '31234000000016\u00a0'],
  ])('rejects %s as unreadable, without echoing it', (_what, text) => {
    const result = classifyDefault(text);
    expect(result).toEqual(rejected('unreadable scan: contains a control or non-ASCII character'));
  });
});

describe("classify with a technician's rules", () => {
  it('checks refuse rules before patron rules', () => {
    const classify = createClassifier(
      rulesFrom({
        barcodes: { refuse: [{ pattern: '^2123', reason: 'Old card: ask staff for a new one.' }] },
      }),
    );
    expect(classify('21234000000018')).toEqual(rejected('Old card: ask staff for a new one.'));
    expect(classify('21244000000017')).toEqual({ kind: 'patron', patron: '21244000000017' });
  });

  it('takes the first matching refuse rule', () => {
    const classify = createClassifier(
      rulesFrom({
        barcodes: {
          refuse: [
            { pattern: '^9', reason: 'first' },
            { pattern: '^97', reason: 'second' },
          ],
        },
      }),
    );
    expect(classify('9780306406157')).toEqual(rejected('first'));
  });

  it('checks commands before every rule', () => {
    const classify = createClassifier(
      rulesFrom({
        commands: { loan: '21234000000018' },
        barcodes: { refuse: [{ pattern: '.', reason: 'everything refused' }] },
      }),
    );
    expect(classify('21234000000018')).toEqual({ kind: 'command', command: 'loan' });
  });

  it('checks patron rules before item rules', () => {
    const classify = createClassifier(
      rulesFrom({ barcodes: { patron: [{ pattern: '^\\d+$' }], item: [{ pattern: '^3' }] } }),
    );
    expect(classify('31234000000016')).toEqual({ kind: 'patron', patron: '31234000000016' });
  });

  it("uses only the first matching rule's check: a failed check does not fall through", () => {
    const classify = createClassifier(
      rulesFrom({
        barcodes: {
          patron: [{ pattern: '^2\\d{13}$', checkDigit: 'mod10' }, { pattern: '^2' }],
          item: [{ pattern: '.' }],
        },
      }),
    );
    expect(classify('21234000000019')).toEqual(rejected(REJECTIONS.checkDigit));
  });

  it('checks item rules likewise', () => {
    const classify = createClassifier(
      rulesFrom({ barcodes: { item: [{ pattern: '^3\\d{13}$', checkDigit: 'mod10' }, { pattern: '^3' }] } }),
    );
    expect(classify('31234000000017')).toEqual(rejected(REJECTIONS.checkDigit));
    expect(classify('3123')).toEqual({ kind: 'item', item: '3123' });
  });

  it('takes any matching code without a check when checkDigit is "none"', () => {
    const classify = createClassifier(
      rulesFrom({ barcodes: { patron: [{ pattern: '^P\\d+$' }], item: [{ pattern: '^\\d{8}$' }] } }),
    );
    expect(classify('P1234')).toEqual({ kind: 'patron', patron: 'P1234' });
    expect(classify('33031245')).toEqual({ kind: 'item', item: '33031245' });
  });

  it('says the rule is at fault when a mod 10 rule matches something that is not 14 digits', () => {
    const classify = createClassifier(
      rulesFrom({ barcodes: { patron: [{ pattern: '^2', checkDigit: 'mod10' }] } }),
    );
    expect(classify('2123456789')).toEqual(rejected(REJECTIONS.checkDigitLength));
    expect(classify('21234000000018')).toEqual({ kind: 'patron', patron: '21234000000018' });
  });

  it(`accepts an item of exactly ${MAX_ITEM_LENGTH} characters and refuses one longer`, () => {
    const classify = createClassifier(rulesFrom({ barcodes: { item: [{ pattern: '^I' }] } }));
    const longest = 'I' + 'x'.repeat(MAX_ITEM_LENGTH - 1);
    expect(classify(longest)).toEqual({ kind: 'item', item: longest });
    expect(classify(longest + 'x')).toEqual(
      rejected('barcode too long for the offline file (over 80 characters)'),
    );
    expect(classify('I' + '9'.repeat(10_000))).toEqual(rejected(REJECTIONS.itemTooLong));
  });

  it('refuses a patron ID with spaces in it, which the journal line could not carry', () => {
    const classify = createClassifier(
      rulesFrom({ barcodes: { patron: [{ pattern: '^John' }], normalize: { trim: false } } }),
    );
    expect(classify('John Smith')).toEqual(rejected(REJECTIONS.patronSpaces));
    expect(classify('JohnSmith ')).toEqual(rejected(REJECTIONS.patronSpaces));
    expect(classify('JohnSmith')).toEqual({ kind: 'patron', patron: 'JohnSmith' });
  });

  it('refuses an item with spaces in it: the padded item field could not tell them from the padding', () => {
    const classify = createClassifier(
      rulesFrom({ barcodes: { item: [{ pattern: '^BK' }], normalize: { trim: false } } }),
    );
    expect(classify('BK 1234')).toEqual(rejected(REJECTIONS.itemSpaces));
    expect(classify('BK1234 ')).toEqual(rejected(REJECTIONS.itemSpaces));
    expect(classify('BK1234')).toEqual({ kind: 'item', item: 'BK1234' });
  });

  it('keeps each normalize option apart: with Codabar stripping off, start/stop characters stay', () => {
    const classify = createClassifier(rulesFrom({ barcodes: { normalize: { codabarStartStop: false } } }));
    expect(classify('A31234000000016B')).toEqual(rejected(REJECTIONS.unknown));
    expect(classify(']F031234000000016')).toEqual({ kind: 'item', item: '31234000000016' });
  });

  it('with trimming off, surrounding spaces make a scan unknown rather than empty', () => {
    const classify = createClassifier(rulesFrom({ barcodes: { normalize: { trim: false } } }));
    expect(classify('   ')).toEqual(rejected(REJECTIONS.unknown));
    expect(classify(' 31234000000016')).toEqual(rejected(REJECTIONS.unknown));
  });

  it('matches a command barcode that itself has Codabar characters, however they come back', () => {
    const classify = createClassifier(rulesFrom({ commands: { loan: 'A1111B' } }));
    expect(classify('A1111B')).toEqual({ kind: 'command', command: 'loan' });
    expect(classify('D1111C')).toEqual({ kind: 'command', command: 'loan' });
    expect(classify('1111')).toEqual({ kind: 'command', command: 'loan' });
  });

  it('fails at construction, not at the first scan, for a pattern that does not compile', () => {
    const rules = rulesFrom();
    const broken = {
      ...rules,
      barcodes: { ...rules.barcodes, item: [{ pattern: '(', checkDigit: 'none' as const }] },
    };
    expect(() => createClassifier(broken)).toThrow(SyntaxError);
  });

  it('classify() gives what createClassifier() gives, for the same rules object reused', () => {
    const rules = rulesFrom({ barcodes: { patron: [{ pattern: '^P' }] } });
    const classifier = createClassifier(rules);
    for (const text of ['P1', '31234000000016', 'MODE-LOAN', '', 'x', '21234000000018']) {
      expect(classify(text, rules)).toEqual(classifier(text));
      expect(classify(text, rules)).toEqual(classifier(text));
    }
    expect(classify('P1', rules)).toEqual({ kind: 'patron', patron: 'P1' });
    expect(classify('P1', DEFAULTS)).toEqual(rejected(REJECTIONS.unknown));
  });
});

describe('classify: the worst anyone can send', () => {
  /** Pieces scanners really send, and the noise around them, so generated scans reach every kind. */
  const piece = fc.oneof(
    fc.constantFrom(
      '21234000000018',
      '31234000000016',
      '2123400000001',
      '3 1234 00000 0016',
      ']F0',
      ']C0',
      'A',
      'B',
      'd',
      '*',
      ' ',
      '  ',
      'MODE-LOAN',
      'END-SESSION',
      '978',
      '\r',
      '\n',
      '\t',
      '\u001b[2J',
      '\u0000',
      'é',
      '😀',
      '\ud800',
    ),
    fc.stringMatching(/^\d{1,14}$/),
    fc.string({ unit: 'binary-ascii', maxLength: 4 }),
    fc.string({ maxLength: 90 }),
  );
  const scannerish = fc.array(piece, { maxLength: 6 }).map((parts) => parts.join(''));
  const anyText = fc.oneof(
    scannerish,
    fc.string({ unit: 'binary' }),
    fc.string({ unit: 'grapheme' }),
    fc.string({ unit: 'binary-ascii', maxLength: 200 }),
    fc.string({ maxLength: 300 }),
  );
  /** Rule sets from strict to careless: patterns that match anything, spaces, or very long codes. */
  const ruleSets = [
    DEFAULTS,
    rulesFrom({ barcodes: { patron: [{ pattern: '.' }], item: [{ pattern: '.' }] } }),
    rulesFrom({ barcodes: { item: [{ pattern: '^' }], patron: [{ pattern: '\\s' }] } }),
    rulesFrom({
      barcodes: {
        patron: [{ pattern: '^2' }],
        item: [{ pattern: '^' }],
        refuse: [],
        normalize: { trim: false, aimIdentifier: false, codabarStartStop: false, clsiSpaces: false },
      },
    }),
    rulesFrom({ barcodes: { item: [{ pattern: '[\\s\\S]*' }], normalize: { trim: false } } }),
  ].map((rules) => createClassifier(rules));

  const KNOWN_REASONS = new Set<string>([...Object.values(REJECTIONS), ISBN_REASON]);

  it('never throws; patrons and items are printable ASCII, items fit the file, patrons have no spaces', () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(anyText, fc.integer({ min: 0, max: ruleSets.length - 1 }), (text, which) => {
        const result = ruleSets[which]!(text);
        seen.add(result.kind);
        if (result.kind === 'patron') {
          expect(result.patron).toMatch(/^[\x21-\x7e]+$/);
          const loan = formatLine(
            { kind: 'loan', item: '31234000000016', patron: result.patron, at: 0, device: 'x' },
            'crlf',
          );
          expect(loan).toBe(`${loan.slice(0, 12)}L${'31234000000016'.padEnd(80)}${result.patron}\r\n`);
        } else if (result.kind === 'item') {
          expect(result.item).toMatch(/^[\x21-\x7e]+$/);
          expect(result.item.length).toBeLessThanOrEqual(MAX_ITEM_LENGTH);
          // What the rules let through, the journal writes as exactly one well-formed record.
          const loan = formatLine(
            { kind: 'loan', item: result.item, patron: '21234000000018', at: 0, device: 'x' },
            'crlf',
          );
          expect(loan).toMatch(/^\d{12}L[\x21-\x7e][\x20-\x7e]{79}21234000000018\r\n$/);
          const back = formatLine({ kind: 'return', item: result.item, at: 0, device: 'x' }, 'lf');
          expect(back).toMatch(/^\d{12}R[\x21-\x7e][\x20-\x7e]{79}\n$/);
          expect(back.slice(13, 93).trimEnd()).toBe(result.item);
        } else if (result.kind === 'rejected') {
          // Reasons come from offcirc or the config, never from what was scanned.
          expect(KNOWN_REASONS.has(result.reason)).toBe(true);
        }
      }),
      // Seeded with one of each kind, so the check below never depends on what the generator happens to hit.
      {
        numRuns: 3000,
        examples: [
          ['MODE-LOAN', 0],
          ['21234000000018', 0],
          ['31234000000016', 0],
          ['x', 0],
        ],
      },
    );
    // The property would hold vacuously if the generator never produced a patron or an item.
    expect([...seen].sort()).toEqual(['command', 'item', 'patron', 'rejected']);
  });

  it('is the same through classify() and createClassifier() for any text', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        expect(classify(text, DEFAULTS)).toEqual(classifyDefault(text));
      }),
    );
  });
});
