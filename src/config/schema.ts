/**
 * The config file's one schema: the TypeScript types, the validation (with messages a technician can act
 * on) and the generated JSON Schema (config/offcirc.schema.json) all come from here.
 */
import { z } from 'zod';
import { nestedRepetition } from './regex-safety.js';

/** Shows a rejected value the way the technician typed it, kept short. */
export function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
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
  text('a regular expression such as "^2\\\\d{13}$"').superRefine((source, ctx) => {
    try {
      new RegExp(source);
    } catch (error) {
      ctx.addIssue({
        code: 'custom',
        message: `invalid regular expression (${(error as Error).message.replace(/^Invalid regular expression: /, '')}), expected a valid JavaScript regular expression`,
      });
      return;
    }
    const nested = nestedRepetition(source);
    if (nested !== undefined)
      ctx.addIssue({
        code: 'custom',
        message: `${nested} repeats a group that itself repeats, which can take hours on a scan that almost matches, expected fixed counts inside, such as "^(\\\\d{4})+$", or one repetition, such as "^\\\\d+$"`,
      });
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

const refuseRule = z.strictObject({
  pattern: pattern(),
  reason: text('the sentence shown to the patron, such as "That is the ISBN. Scan the library barcode."'),
});

const defaultPatronRules = [{ pattern: '^2\\d{13}$', checkDigit: 'mod10' as const }];
const defaultItemRules = [{ pattern: '^3\\d{13}$', checkDigit: 'mod10' as const }];
const defaultRefuseRules = [
  { pattern: '^97[89]\\d{10}$', reason: "That is the book's ISBN. Scan the library barcode." },
];

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
      item: z.array(codeRule, expecting('a list of rules')).default(defaultItemRules),
      refuse: z.array(refuseRule, expecting('a list of rules')).default(defaultRefuseRules),
    })
    .prefault({}),
  commands: z
    .strictObject({
      loan: text('the text of a command barcode').default('MODE-LOAN'),
      return: text('the text of a command barcode').default('MODE-RETURN'),
      endSession: text('the text of a command barcode').default('END-SESSION'),
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
    })
    .superRefine(distinctValues('key'))
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
  logging: z
    .strictObject({
      dir: text('a folder for log files').optional().describe('Default: "logs" beside the journal.'),
      level: oneOf(['error', 'warn', 'info', 'debug']).default('info'),
      keepDays: positiveInt('a positive number of days').default(30),
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
export type RefuseRule = z.output<typeof refuseRule>;
export type BarcodeConfig = Config['barcodes'];
export type Mode = Config['startMode'];

/** The JSON Schema an editor uses to check config/offcirc.json as a technician types. */
export function jsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
}
