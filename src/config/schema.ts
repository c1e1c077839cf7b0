/**
 * The config file's one schema: the TypeScript types, the validation (with messages a technician can act
 * on) and the generated JSON Schema (config/offcirc.schema.json) all come from here.
 *
 * Why one file over 300 lines: it is the one schema, and the types, the validation and the JSON Schema all
 * come from it; split, its parts would be read apart from the whole they validate.
 */
import { z } from 'zod';

export { BARCODE_COMMANDS, type BarcodeCommand, type KioskCommand } from './commands.js';
import { MAX_PATTERN_LENGTH, slowPatternProblem } from './regex-safety.js';

/**
 * Shows a rejected value the way the technician typed it, kept short. The value is untrusted: String() of
 * {"toString": 1} throws, and JSON.stringify of a list nested 100,000 deep overflows the stack.
 */
export function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  let text: string;
  try {
    text = JSON.stringify(value) ?? typeof value;
  } catch {
    text = Array.isArray(value) ? 'a list nested too deep to show' : 'an object nested too deep to show';
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** A message of the form "expected <what>, got <value>" for every way a field can be wrong. */
const expecting = (what: string) => ({
  error: (issue: { input?: unknown }) => `expected ${what}, got ${show(issue.input)}`,
});

const positiveInt = (what = 'a positive integer') =>
  z.number(expecting(what)).int(expecting(what)).positive(expecting(what));
const nonNegativeInt = (what = 'a whole number of 0 or more') =>
  z.number(expecting(what)).int(expecting(what)).min(0, expecting(what));
const text = (what: string) => z.string(expecting(what)).min(1, expecting(what));
const flag = () => z.boolean(expecting('true or false'));
const oneOf = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, expecting(`one of ${values.map((v) => JSON.stringify(v)).join(', ')}`));

/** Refuses an object whose values repeat: each command barcode and each key must do one thing. */
const distinctValues =
  (what: string) =>
  (object: Record<string, string>, ctx: z.RefinementCtx): void => {
    const entries = Object.entries(object);
    entries.forEach(([name, value], i) => {
      if (entries.findIndex(([, other]) => other === value) < i)
        ctx.addIssue({
          code: 'custom',
          path: [name],
          message: `${JSON.stringify(value)} is used twice, expected a different ${what} for each`,
        });
    });
  };

/** A regular expression source that compiles, and can't freeze the kiosk on a near-miss scan. */
const pattern = () =>
  text('a regular expression such as "^2\\\\d{13}$"')
    .max(MAX_PATTERN_LENGTH, expecting(`a regular expression of at most ${MAX_PATTERN_LENGTH} characters`))
    .superRefine((source, ctx) => {
      // Too long is said once, by .max(); the analysis would only take longer to say it again.
      if (source.length > MAX_PATTERN_LENGTH) return;
      try {
        new RegExp(source);
      } catch (error) {
        ctx.addIssue({
          code: 'custom',
          message: `invalid regular expression (${(error as Error).message.replace(/^Invalid regular expression: /, '')}), expected a valid JavaScript regular expression`,
        });
        return;
      }
      const slow = slowPatternProblem(source);
      if (slow !== undefined) ctx.addIssue({ code: 'custom', message: slow });
    });

/** USB vendor and product IDs: a number or a hex string such as "0x0c2e". */
const usbIdExpected = expecting('a USB ID such as "0x0c2e" or 3118');
const usbId = z.union(
  [
    z.number(usbIdExpected).int(usbIdExpected).min(0, usbIdExpected).max(0xffff, usbIdExpected),
    z.string(usbIdExpected).regex(/^0x[0-9a-fA-F]{1,4}$/, usbIdExpected),
  ],
  usbIdExpected,
);

const hexBytes = z
  .string(expecting('hex bytes such as "1b07"'))
  .regex(/^(?:[0-9a-fA-F]{2}\s?)*$/, expecting('hex bytes such as "1b07"'));

const feedback = z
  .strictObject({ good: hexBytes.optional(), bad: hexBytes.optional() })
  .describe('Bytes written to the scanner after each decision (many scanners beep or light on a command).');

const usbMatch = z
  .strictObject({ vendorId: usbId, productId: usbId, serialNumber: text('a serial number').optional() })
  .describe('Find the device by its USB IDs (and serial number) instead of a path that changes on replug.');

const deviceId = text('a short name for this scanner such as "front"').regex(
  /^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/,
  expecting('letters, digits, ".", "_" or "-" (at most 32)'),
);

const serialDevice = z.strictObject({
  id: deviceId,
  type: z.literal('serial'),
  path: text('a device path such as "/dev/ttyACM0"').optional(),
  match: usbMatch.optional(),
  baudRate: positiveInt().default(9600),
  silenceMs: positiveInt('a positive number of milliseconds')
    .default(2000)
    .describe('An unterminated fragment is dropped after this much silence.'),
  reconnectMs: positiveInt('a positive number of milliseconds').default(2000),
  feedback: feedback.optional(),
});

const hidDevice = z.strictObject({
  id: deviceId,
  type: z.literal('hid'),
  vendorId: usbId,
  productId: usbId,
  serialNumber: text('a serial number').optional(),
  path: text('a hidraw path such as "/dev/hidraw0"').optional(),
  protocol: oneOf(['auto', 'keyboard', 'pos']).default('auto'),
  exclusive: flag().default(false),
  endKey: oneOf(['enter', 'tab', 'either']).default('either'),
  reconnectMs: positiveInt('a positive number of milliseconds').default(2000),
  feedback: feedback.optional(),
});

const terminalDevice = z.strictObject({
  id: deviceId.default('terminal'),
  type: z.literal('terminal'),
});

const replayDevice = z.strictObject({
  id: deviceId,
  type: z.literal('replay'),
  file: text('the path of a recording made by "offcirc devices record"'),
  as: oneOf(['hid-keyboard', 'hid-pos', 'serial']),
  silenceMs: positiveInt('a positive number of milliseconds').default(2000),
});

const device = z
  .discriminatedUnion('type', [serialDevice, hidDevice, terminalDevice, replayDevice], {
    error: (issue) =>
      `expected a device with "type" one of "serial", "hid", "terminal", "replay", got ${show(
        (issue.input as { type?: unknown } | undefined)?.type ?? issue.input,
      )}`,
  })
  .superRefine((d, ctx) => {
    if (d.type === 'serial' && (d.path === undefined) === (d.match === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['path'],
        message:
          d.path === undefined
            ? 'missing, expected a device path such as "/dev/ttyACM0" or "match" with the USB IDs'
            : 'both "path" and "match" given, expected one of them',
      });
    }
  });

const codeRule = z.strictObject({
  pattern: pattern(),
  checkDigit: oneOf(['mod10', 'none']).default('none'),
});

const itemRule = codeRule.extend({
  loanDays: positiveInt('a positive number of days')
    .optional()
    .describe('Loans of items this rule matches are due after this many days (over loans.days).'),
});

const policy = () => oneOf(['refuse', 'warn', 'lend']);

const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'] as const;

/** A closed day: a date "YYYY-MM-DD" that exists, or a weekday's name. */
const closedDay = z.string(expecting('a date "YYYY-MM-DD" or a weekday such as "sunday"')).refine(
  (day) => {
    if ((WEEKDAYS as readonly string[]).includes(day.toLowerCase())) return true;
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
    if (!m) return false;
    const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
    return d.toISOString().slice(0, 10) === day;
  },
  {
    error: (issue) => `expected a date "YYYY-MM-DD" or a weekday such as "sunday", got ${show(issue.input)}`,
  },
);

const refuseRule = z.strictObject({
  pattern: pattern(),
  reason: text('the sentence shown to the patron, such as "That is the ISBN. Scan the library barcode."'),
});

const defaultPatronRules = [{ pattern: '^2\\d{13}$', checkDigit: 'mod10' as const }];
const defaultItemRules = [{ pattern: '^3\\d{13}$', checkDigit: 'mod10' as const }];
const defaultRefuseRules = [
  { pattern: '^97[89]\\d{10}$', reason: "That is the book's ISBN. Scan the library barcode." },
];

const serialPrinter = z.strictObject({
  type: z.literal('serial'),
  path: text('a device path such as "/dev/ttyUSB0"'),
  baudRate: positiveInt().default(9600),
  askStatus: flag()
    .default(true)
    .describe(
      'Ask the paper status (DLE EOT 4) before each receipt; a printer that never answers gets none.',
    ),
});

const filePrinter = z.strictObject({
  type: z.literal('file'),
  path: text('a USB printer\'s character device such as "/dev/usb/lp0"'),
});

const tcpPrinter = z.strictObject({
  type: z.literal('tcp'),
  host: text('a host name or address such as "10.0.0.40"'),
  port: z
    .number(expecting('a TCP port from 1 to 65535'))
    .int(expecting('a TCP port from 1 to 65535'))
    .min(1, expecting('a TCP port from 1 to 65535'))
    .max(65535, expecting('a TCP port from 1 to 65535'))
    .default(9100),
  askStatus: flag()
    .default(true)
    .describe(
      'Ask the paper status (DLE EOT 4) before each receipt; a printer that never answers gets none.',
    ),
});

const printer = z.discriminatedUnion('type', [serialPrinter, filePrinter, tcpPrinter], {
  error: (issue) =>
    `expected a printer with "type" one of "serial", "file", "tcp", got ${show(
      (issue.input as { type?: unknown } | undefined)?.type ?? issue.input,
    )}`,
});

/** The line widths the ESC/POS encoder lays receipts out for (its paper widths, in characters). */
export const RECEIPT_WIDTHS = [32, 35, 42, 44, 48] as const;
const RECEIPT_WIDTHS_WORDS = `characters per line, one of ${RECEIPT_WIDTHS.join(', ')}`;

const receiptLines = z
  .array(
    z.string(expecting('a line of text')).max(200, expecting('a line of at most 200 characters')),
    expecting('a list of lines'),
  )
  .max(20, expecting('at most 20 lines'))
  .default([]);

/** A PostgreSQL URL; the password is refused here: it belongs in a file or PGPASSWORD, not the config. */
const databaseUrl = text(
  'a PostgreSQL URL such as "postgres://front-desk-1@db.library.lan/offcirc?sslmode=require"',
)
  .regex(/^postgres(ql)?:\/\//, expecting('a URL starting "postgres://"'))
  .superRefine((url, ctx) => {
    // Not WHATWG URL: a socket URL ("postgres://user@/db?host=/run/postgresql") has no host for it.
    if (/^postgres(ql)?:\/\/[^@/?]*:[^@/?]*@/.test(url))
      ctx.addIssue({
        code: 'custom',
        message:
          'holds a password, expected the password in "forward.passwordFile" or the PGPASSWORD environment variable (config files get copied and shown)',
      });
    const query = url.includes('?') ? url.slice(url.indexOf('?') + 1) : '';
    const sslmode = new URLSearchParams(query).get('sslmode');
    const modes = ['disable', 'prefer', 'require', 'verify-ca', 'verify-full'];
    if (sslmode !== null && !modes.includes(sslmode))
      ctx.addIssue({
        code: 'custom',
        message: `sslmode ${show(sslmode)} is unknown, expected one of ${modes.map((m) => JSON.stringify(m)).join(', ')}`,
      });
  });

const deskCode = text('an Alma circulation desk code such as "MAIN_DESK"').regex(
  /^[A-Za-z0-9._-]{1,40}$/,
  expecting('letters, digits, ".", "_" or "-" (at most 40)'),
);

const functionKey = oneOf(['F1', 'F2', 'F3', 'F4', 'F5', 'F6', 'F7', 'F8', 'F9', 'F10', 'F11', 'F12']);

const configObject = z.strictObject({
  $schema: z.string().optional().describe('The JSON Schema this file follows (for editors).'),
  station: text('a station name such as "front-desk-1"')
    .regex(/^[A-Za-z0-9._-]{1,40}$/, expecting('letters, digits, ".", "_" or "-" (at most 40)'))
    .default('offcirc')
    .describe('Names this kiosk in logs, the screen and rotated file names.'),
  startMode: oneOf(['loan', 'return']).default('loan'),
  desk: deskCode
    .optional()
    .describe('The Alma circulation desk this station lends at: the collector writes one file per desk.'),
  library: text('an Alma library code such as "MAIN"')
    .optional()
    .describe('The Alma library, for the dashboard.'),
  forward: z
    .strictObject({
      url: databaseUrl.describe('Where every durable line is also sent; TLS as its sslmode asks.'),
      passwordFile: text('the path of a file holding the database password')
        .optional()
        .describe('Else PGPASSWORD, else none (a trusted or certificate login).'),
      batchLines: positiveInt('a positive number of lines').default(500),
      retryMaxSeconds: positiveInt('a positive number of seconds')
        .default(30)
        .describe('The longest wait between two attempts to reach the database.'),
      statusSeconds: positiveInt('a positive number of seconds')
        .default(5)
        .describe("How often the station's status is sent to the dashboard while connected."),
    })
    .optional()
    .describe('Forward every durable journal line to PostgreSQL (the journal stays the record).'),
  journal: z
    .strictObject({
      path: text('the path of OffCirc.dat')
        .optional()
        .describe("Default: Alma's own place, ~/Alma Offline Circulation/OffCirc/files/OffCirc.dat"),
      lineEnding: oneOf(['crlf', 'lf']).default('crlf'),
      retrySeconds: positiveInt('a positive number of seconds')
        .default(5)
        .describe('While out of service, how often writing is tried again.'),
    })
    .prefault({}),
  session: z
    .strictObject({
      idleTimeoutSeconds: positiveInt('a positive number of seconds').default(60),
      doubleReadMs: nonNegativeInt('a number of milliseconds, 0 or more').default(1500),
    })
    .prefault({}),
  barcodes: z
    .strictObject({
      normalize: z
        .strictObject({
          trim: flag().default(true),
          aimIdentifier: flag().default(true),
          codabarStartStop: flag().default(true),
          clsiSpaces: flag().default(true),
        })
        .prefault({}),
      patron: z.array(codeRule, expecting('a list of rules')).default(defaultPatronRules),
      item: z.array(itemRule, expecting('a list of rules')).default(defaultItemRules),
      refuse: z.array(refuseRule, expecting('a list of rules')).default(defaultRefuseRules),
    })
    .prefault({}),
  commands: z
    .strictObject({
      loan: text('the text of a command barcode').default('MODE-LOAN'),
      return: text('the text of a command barcode').default('MODE-RETURN'),
      endSession: text('the text of a command barcode').default('END-SESSION'),
      receipt: text('the text of a command barcode').default('RECEIPT'),
    })
    .superRefine(distinctValues('barcode'))
    .prefault({}),
  devices: z
    .array(device, expecting('a list of devices'))
    .default([{ type: 'terminal', id: 'terminal' }])
    .superRefine((devices, ctx) => {
      const seen = new Set<string>();
      devices.forEach((d, i) => {
        if (seen.has(d.id))
          ctx.addIssue({
            code: 'custom',
            path: [i, 'id'],
            message: `"${d.id}" is used twice, expected a different id for each device`,
          });
        seen.add(d.id);
      });
      if (devices.filter((d) => d.type === 'terminal').length > 1)
        ctx.addIssue({ code: 'custom', message: 'more than one terminal device, expected at most one' });
    }),
  keys: z
    .strictObject({
      loan: functionKey.default('F1'),
      return: functionKey.default('F2'),
      endSession: functionKey.default('F3'),
      quit: functionKey.default('F10'),
      admit: functionKey
        .default('F4')
        .describe('With the staff PIN, lets the card the kiosk last refused borrow for one session.'),
      receipt: functionKey
        .optional()
        .describe('The patron asks for a receipt. Default F5, unless another key has it.'),
    })
    .superRefine(distinctValues('key'))
    // A config written before receipts, with F5 bound to something else, keeps working: no receipt key.
    .transform((keys) => ({
      ...keys,
      receipt: keys.receipt ?? (Object.values(keys).includes('F5') ? undefined : ('F5' as const)),
    }))
    .prefault({}),
  staff: z
    .strictObject({
      pin: z
        .string(expecting('a hash made by "offcirc config hash-pin"'))
        .regex(/^scrypt\$[0-9a-f]{32}\$[0-9a-f]{64}$/, expecting('a hash made by "offcirc config hash-pin"'))
        .optional(),
      pinFor: z.array(oneOf(['quit', 'mode']), expecting('a list of "quit" and "mode"')).default(['quit']),
    })
    .prefault({}),
  screen: z
    .strictObject({
      bell: flag().default(true).describe('Ring the terminal bell on a rejection.'),
      decisionSeconds: positiveInt('a positive number of seconds')
        .default(6)
        .describe('How long the last decision stays prominent.'),
      glyphs: oneOf(['auto', 'unicode', 'ascii'])
        .default('auto')
        .describe(
          'Symbols the screen draws: "ascii" keeps to what the Linux console font has (no ✓), "auto" does so when TERM is linux, vt*, dumb or unset.',
        ),
    })
    .prefault({}),
  patrons: z
    .strictObject({
      list: text('the path of the patron list')
        .optional()
        .describe(
          'The list "offcirc patrons import" writes and the kiosk reads. Default: patrons.list beside the journal.',
        ),
      format: oneOf(['csv', 'alma-json'])
        .optional()
        .describe('What "offcirc patrons import" reads. Default: alma-json for a .json file, else csv.'),
      columns: z
        .strictObject({
          barcode: text('a column name').default('barcode'),
          status: text('a column name').default('status'),
          expiry: text('a column name').default('expiry'),
          blocked: text('a column name').default('blocked'),
        })
        .prefault({})
        .describe("The CSV header's names for each column (an Analytics report's own)."),
      blocked: policy().default('refuse'),
      expired: policy().default('refuse'),
      unknown: policy().default('lend'),
      maxAgeDays: positiveInt('a positive number of days')
        .default(2)
        .describe('A list older than this is shown to staff on the status line.'),
    })
    .prefault({})
    .describe('The offline patron list: which cards the kiosk refuses, warns about or lends to.'),
  limits: z
    .strictObject({
      itemsPerSession: positiveInt().optional(),
      itemsPerPatronPerDay: positiveInt()
        .optional()
        .describe('Counted from what this station wrote today, across restarts and rotations.'),
    })
    .prefault({}),
  loans: z
    .strictObject({
      days: positiveInt('a positive number of days')
        .optional()
        .describe(
          'Loans are due after this many days (provisional: Alma sets the real date). None: no due date shown.',
        ),
      closed: z
        .array(closedDay, expecting('a list of dates "YYYY-MM-DD" and weekdays'))
        .default([])
        .superRefine((days, ctx) => {
          const weekdays = new Set(
            days.map((d) => d.toLowerCase()).filter((d) => (WEEKDAYS as readonly string[]).includes(d)),
          );
          if (weekdays.size === 7)
            ctx.addIssue({
              code: 'custom',
              message: 'every weekday is closed, expected at least one open weekday',
            });
        })
        .describe('Days the library is closed: no due date falls on one.'),
    })
    .prefault({}),
  receipt: z
    .strictObject({
      printer: printer
        .optional()
        .describe('The receipt printer; without one, no receipt is printed (the preview still works).'),
      when: oneOf(['always', 'ask', 'never'])
        .default('ask')
        .describe(
          'Print at the end of each session, when the patron asks (key or command barcode), or never.',
        ),
      width: z
        .literal(RECEIPT_WIDTHS, expecting(RECEIPT_WIDTHS_WORDS))
        .default(42)
        .describe('Characters per line: 42 or 48 on 80 mm paper, 32 on 58 mm.'),
      header: receiptLines.describe("Lines printed at the top, centred (the library's name, opening hours)."),
      footer: receiptLines.describe('Lines printed at the bottom, centred.'),
      askSeconds: positiveInt('a positive number of seconds')
        .default(10)
        .describe('How long after a session ends the patron can still ask for its receipt.'),
      timeoutMs: positiveInt('a positive number of milliseconds')
        .default(3000)
        .describe(
          'A printer that takes longer to answer or to take a receipt is skipped: the receipt is dropped.',
        ),
      reconnectMs: positiveInt('a positive number of milliseconds').default(2000),
    })
    .prefault({}),
  logging: z
    .strictObject({
      dir: text('a folder for log files').optional().describe('Default: "logs" beside the journal.'),
      level: oneOf(['error', 'warn', 'info', 'debug']).default('info'),
      keepDays: positiveInt('a positive number of days').default(30),
      maxSizeMB: positiveInt('a positive number of megabytes')
        .default(200)
        .describe('The log files together stay under this many MiB; the oldest go first.'),
    })
    .prefault({}),
});

/** The whole config: its keys, and the rules across keys (forwarding needs the desk it lends at). */
export const configSchema = configObject.superRefine((config, ctx) => {
  if (config.forward && config.desk === undefined)
    ctx.addIssue({
      code: 'custom',
      path: ['desk'],
      message:
        'missing, expected the Alma circulation desk code this station lends at (needed with "forward")',
    });
});

export type Config = z.output<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;
export type DeviceConfig = Config['devices'][number];
export type SerialDeviceConfig = Extract<DeviceConfig, { type: 'serial' }>;
export type HidDeviceConfig = Extract<DeviceConfig, { type: 'hid' }>;
export type TerminalDeviceConfig = Extract<DeviceConfig, { type: 'terminal' }>;
export type ReplayDeviceConfig = Extract<DeviceConfig, { type: 'replay' }>;
export type CodeRule = z.output<typeof codeRule>;
export type ItemRule = z.output<typeof itemRule>;
export type PatronsConfig = Config['patrons'];
export type LoansConfig = Config['loans'];
export type RefuseRule = z.output<typeof refuseRule>;
export type BarcodeConfig = Config['barcodes'];
export type Mode = Config['startMode'];
export type ReceiptConfig = Config['receipt'];
export type PrinterConfig = NonNullable<ReceiptConfig['printer']>;

/** The JSON Schema an editor uses to check config/offcirc.json as a technician types. */
export function jsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
}
