/**
 * The `offcirc` command line: parses arguments and hands each command to its module, loaded only when
 * that command runs (so `verify` doesn't pay for serialport, node-hid and Ink). Exit codes follow
 * sysexits where one fits (78 bad config, 73 journal in use, 74 journal can't be opened).
 *
 * Why one file over 300 lines: it is the command line's one table (every command, its options and the
 * module it loads); each entry is a few lines and does no work of its own.
 */
import { Command, CommanderError, Option } from 'commander';
import type { ConfigError, LoadedConfig } from './config/file.js';
import { packageVersion } from './version.js';

import { EXIT, type Io } from './exit.js';

export { EXIT, type Io };

/** The identity of this build, set by scripts/bundle.mjs (esbuild `define`); absent in tsc's dist/. */
declare const OFFCIRC_BUILD: string | undefined;
const BUILD = typeof OFFCIRC_BUILD === 'string' ? OFFCIRC_BUILD : undefined;

const processIo: Io = {
  out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
  err: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
};

/** Prints every config problem, the way `config check` and `run` both do. */
function reportConfigError(error: ConfigError, io: Io): number {
  io.err(`offcirc: the config ${error.file ?? '(built-in)'} has ${error.problems.length} problem(s):`);
  for (const problem of error.problems) io.err(`  ${problem}`);
  return EXIT.config;
}

export function buildProgram(io: Io, setExit: (code: number) => void): Command {
  const program = new Command('offcirc')
    .description('Offline circulation for Ex Libris Alma: barcode scanners in, OffCirc.dat out.')
    .version(packageVersion(), '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help for a command')
    .showHelpAfterError()
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) });

  /**
   * Loads the config for commands that need it, reporting a bad one; undefined when bad. Imported here,
   * not at the top: zod and the schema cost more than `--version` and `--help` should. `kept`: a config
   * this build already checked is taken as checked (config/checked.ts), for `run`'s start.
   */
  const configFor = async (
    options: { config?: string; journal?: string },
    kept = false,
  ): Promise<LoadedConfig | undefined> => {
    const [{ ConfigError }, { loadCheckedConfig }] = await Promise.all([
      import('./config/file.js'),
      import('./config/checked.js'),
    ]);
    try {
      return kept
        ? await loadCheckedConfig(options, BUILD)
        : (await import('./config/load.js')).loadConfig(options);
    } catch (error) {
      if (error instanceof ConfigError) {
        setExit(reportConfigError(error, io));
        return undefined;
      }
      throw error;
    }
  };

  program
    .command('run')
    .description(
      'Run the kiosk: the screen on a terminal, or headless with JSON-lines logs on standard output.',
    )
    .option(
      '-c, --config <file>',
      'config file (default: $OFFCIRC_CONFIG, else config/offcirc.json, else built-in)',
    )
    .option('-j, --journal <file>', 'write OffCirc.dat here instead of the configured path')
    .option('--headless', 'no screen: log each event as a JSON line on standard output')
    .addOption(
      new Option('--mode <mode>', 'start in this mode, whatever mode the last run was left in').choices([
        'loan',
        'return',
      ]),
    )
    .action(
      async (options: {
        config?: string;
        journal?: string;
        headless?: boolean;
        mode?: 'loan' | 'return';
      }) => {
        // The station's code loads while the config is read and checked: its file reads overlap.
        const station = import('./run.js');
        station.catch(() => undefined); // a failure surfaces at the await below, if it comes to it
        const loaded = await configFor(options, true);
        if (!loaded) return;
        const { runStation } = await station;
        setExit(
          await runStation(loaded, {
            headless: options.headless === true,
            io,
            ...(options.mode && { mode: options.mode }),
          }),
        );
      },
    );

  const config = program.command('config').description('Check a config file or make parts of one.');
  config
    .command('check')
    .argument('[file]', 'the config file (default: as `run` finds it)')
    .description('Validate a config file; list every problem as "path: what is wrong, what is expected".')
    .action(async (file: string | undefined) => {
      const loaded = await configFor({ config: file });
      if (!loaded) return;
      io.out(
        loaded.file
          ? `${loaded.file}: OK (${loaded.config.devices.length} device(s), journal ${loaded.journalPath})`
          : `no config file found: the built-in defaults are used (journal ${loaded.journalPath})`,
      );
      setExit(EXIT.ok);
    });
  config
    .command('schema')
    .description('Print the JSON Schema of the config file (config/offcirc.schema.json is this).')
    .action(async () => {
      const { jsonSchema } = await import('./config/schema.js');
      io.out(JSON.stringify(jsonSchema(), null, 2));
      setExit(EXIT.ok);
    });

  config
    .command('hash-pin')
    .description('Ask for a staff PIN (twice, not shown) and print the salted hash to put in "staff.pin".')
    .action(async () => {
      const { hashPinCommand } = await import('./config/pin.js');
      setExit(await hashPinCommand({ stdin: process.stdin, stdout: process.stdout, stderr: process.stderr }));
    });

  const devices = program
    .command('devices')
    .description(
      'List the HID devices and serial ports this machine sees, each with a config entry to paste.',
    )
    .option('--json', 'print JSON instead of text')
    .action(async (options: { json?: boolean }) => {
      const { devicesCommand } = await import('./devices/discover.js');
      setExit(await devicesCommand({ json: options.json === true }, (text) => io.out(text)));
    });
  devices
    .command('record')
    .description(
      "Record a configured scanner's raw reports (or serial bytes) with their timing, to replay or send in.",
    )
    .requiredOption('--device <id>', 'the id of the device in the config')
    .requiredOption('--out <file>', 'the recording to write (JSON lines)')
    .option('-c, --config <file>', 'config file (as for run)')
    .option('--seconds <n>', 'stop after this many seconds (default: Ctrl+C)', (v) => Number(v))
    .option('--force', 'replace an existing recording')
    .action(
      async (options: {
        device: string;
        out: string;
        config?: string;
        seconds?: number;
        force?: boolean;
      }) => {
        const loaded = await configFor(options);
        if (!loaded) return;
        const { recordCommand } = await import('./devices/record.js');
        setExit(
          await recordCommand(
            {
              config: loaded.config,
              device: options.device,
              out: options.out,
              seconds: options.seconds,
              force: options.force,
            },
            (text) => io.out(text),
          ),
        );
      },
    );

  program
    .command('rotate')
    .description('Move the journal to the outbox beside it, ready to upload to Alma, and start a fresh one.')
    .option('-c, --config <file>', 'config file (as for run)')
    .option('-j, --journal <file>', 'the journal, if not the configured one')
    .action(async (options: { config?: string; journal?: string }) => {
      const loaded = await configFor(options);
      if (!loaded) return;
      const { rotateCommand } = await import('./commands/rotate.js');
      setExit(await rotateCommand(loaded, io));
    });

  program
    .command('patrons')
    .description('The offline patron list the kiosk checks cards against.')
    .command('import')
    .description(
      'Replace the patron list from a CSV export or Alma users JSON (run nightly). Exit 0 written, 1 refused, 2 unreadable.',
    )
    .argument('<file>', 'the export to read')
    .option('--format <csv|alma-json>', 'what the file is (default: config patrons.format, else by its name)')
    .option('-c, --config <file>', 'config file (as for run)')
    .option('-j, --journal <file>', 'the journal, if not the configured one (the list goes beside it)')
    .action(async (file: string, options: { format?: string; config?: string; journal?: string }) => {
      const loaded = await configFor(options);
      if (!loaded) return;
      const { patronsImportCommand } = await import('./commands/patrons.js');
      setExit(await patronsImportCommand(file, options, loaded, io));
    });

  program
    .command('receipt')
    .description(
      'Receipts: `receipt preview` prints a sample receipt as text, as the printer would print it.',
    )
    .command('preview')
    .description('Print a sample receipt as text, with the configured width, header and footer.')
    .option('-c, --config <file>', 'config file (as for run)')
    .action(async (options: { config?: string }) => {
      const loaded = await configFor(options);
      if (!loaded) return;
      const { receiptPreviewCommand } = await import('./commands/receipt.js');
      setExit(receiptPreviewCommand(loaded, io));
    });

  program
    .command('verify')
    .description(
      'Check OffCirc.dat files before upload; list each problem with its line. Exit 0 clean, 1 problems, 2 unreadable.',
    )
    .argument('<files...>', 'the files to check')
    .option('--json', 'print one JSON report')
    .action(async (files: string[], options: { json?: boolean }) => {
      const { verifyCommand } = await import('./commands/verify.js');
      setExit(await verifyCommand(files, { json: options.json === true }, io));
    });

  program
    .command('merge')
    .description("Merge several stations' files into one in time order (each station's own order kept).")
    .argument('<files...>', 'the files to merge')
    .requiredOption('--out <file>', 'the merged file (never one of the inputs)')
    .option('--force', 'replace an existing --out')
    .option('--line-ending <crlf|lf>', "line ending of the merged file (default: the inputs')")
    .action(
      async (files: string[], options: { out: string; force?: boolean; lineEnding?: 'crlf' | 'lf' }) => {
        const { mergeCommand } = await import('./commands/merge.js');
        setExit(await mergeCommand(files, options, io));
      },
    );

  program
    .command('export')
    .description(
      'Write the transactions of an OffCirc.dat in another format (koha: a Koha offline circulation .koc file).',
    )
    .argument('<file>', 'the OffCirc.dat to export')
    .requiredOption('--format <format>', 'the format: koha')
    .requiredOption('--out <file>', 'the file to write')
    .option('--force', 'replace an existing --out')
    .action(async (file: string, options: { format: string; out: string; force?: boolean }) => {
      const { exportCommand } = await import('./commands/export.js');
      setExit(await exportCommand(file, options, io));
    });

  const collect = program
    .command('collect')
    .description(
      'The collector: one OffCirc.dat per desk from what stations forwarded to PostgreSQL, and a dashboard.',
    );
  const db = (command: Command) =>
    command
      .option('--db <url>', 'the database (default: $OFFCIRC_DB)')
      .option('--password-file <file>', 'a file holding the database password (else PGPASSWORD)');
  db(
    collect
      .command('export')
      .description(
        "Write one desk's transactions not yet exported, from every station at it, as one verified file.",
      )
      .requiredOption('--desk <desk>', 'the Alma circulation desk code')
      .requiredOption('--out <file>', 'the OffCirc.dat to write')
      .option('--again', 'also write again the transactions exported in batches not marked uploaded')
      .option('--force', 'replace an existing --out')
      .option('--line-ending <crlf|lf>', 'line ending (default crlf)'),
  ).action(async (options: import('./commands/collect.js').ExportCommandOptions) => {
    const { collectExportCommand } = await import('./commands/collect.js');
    setExit(await collectExportCommand(options, io));
  });
  db(
    collect
      .command('mark-uploaded')
      .description('Record that staff uploaded a batch to Alma, so nobody uploads it twice.')
      .argument('<batch>', 'the batch number')
      .option('--by <name>', 'who uploaded it (default: this user)'),
  ).action(async (batch: string, options: { db?: string; passwordFile?: string; by?: string }) => {
    const { markUploadedCommand } = await import('./commands/collect.js');
    setExit(await markUploadedCommand(batch, options, io));
  });
  db(
    collect
      .command('serve')
      .description('The dashboard: stations, desks waiting for export, batches waiting for upload.')
      .option('--port <n>', 'port (default 8080)', (v) => Number(v), 8080)
      .option('--host <host>', 'address to listen on (default 127.0.0.1: this PC only)', '127.0.0.1'),
  ).action(async (options: { db?: string; passwordFile?: string; port: number; host: string }) => {
    const { serveCommand } = await import('./commands/collect.js');
    setExit(await serveCommand(options, io));
  });
  db(collect.command('migrate').description("Create or upgrade offcirc's tables (as their owner).")).action(
    async (options: { db?: string; passwordFile?: string }) => {
      const { migrateCommand } = await import('./commands/collect.js');
      setExit(await migrateCommand(options, io));
    },
  );
  db(
    collect
      .command('add-station')
      .description("Create a station's database role (its password: one line on standard input).")
      .argument('<station>', 'the station name, as in its config'),
  ).action(async (station: string, options: { db?: string; passwordFile?: string }) => {
    const { addStationCommand } = await import('./commands/collect.js');
    setExit(await addStationCommand(station, options, io, process.stdin));
  });
  db(
    collect
      .command('set-password')
      .description("Set the dashboard's staff password (one line on standard input; stored as a hash)."),
  ).action(async (options: { db?: string; passwordFile?: string }) => {
    const { setPasswordCommand } = await import('./commands/collect.js');
    setExit(await setPasswordCommand(options, io, process.stdin));
  });

  return program;
}

/** Runs the command line; resolves with the exit code. */
export async function main(argv: string[], io: Io = processIo): Promise<number> {
  let code: number = EXIT.ok;
  const program = buildProgram(io, (c) => {
    code = c;
  });
  const override = (command: Command): void => {
    command.exitOverride();
    command.commands.forEach(override);
  };
  override(program);
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return EXIT.ok;
      if (error.code === 'commander.help') return EXIT.ok;
      return EXIT.usage;
    }
    throw error;
  }
  return code;
}
