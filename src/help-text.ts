/**
 * commander's help for `offcirc --help` at 80 columns, kept for quick.ts. Made by, and compared with
 * commander's on every run of, test/quick.test.ts: after changing a command or its description, run
 * `UPDATE_HELP_TEXT=1 npx vitest run test/quick.test.ts` (it rewrites this file).
 */
export const TOP_HELP_WIDTH = 80;

export const TOP_HELP = [
  'Usage: offcirc [options] [command]',
  '',
  'Offline circulation for Ex Libris Alma: barcode scanners in, OffCirc.dat out.',
  '',
  'Options:',
  '  -V, --version                print the version',
  '  -h, --help                   show help for a command',
  '',
  'Commands:',
  '  run [options]                Run the kiosk: the screen on a terminal, or',
  '                               headless with JSON-lines logs on standard output.',
  '  config                       Check a config file or make parts of one.',
  '  devices [options]            List the HID devices and serial ports this',
  '                               machine sees, each with a config entry to paste.',
  '  rotate [options]             Move the journal to the outbox beside it, ready',
  '                               to upload to Alma, and start a fresh one.',
  '  patrons                      The offline patron list the kiosk checks cards',
  '                               against.',
  '  receipt                      Receipts: `receipt preview` prints a sample',
  '                               receipt as text, as the printer would print it.',
  '  verify [options] <files...>  Check OffCirc.dat files before upload; list each',
  '                               problem with its line. Exit 0 clean, 1 problems,',
  '                               2 unreadable.',
  "  merge [options] <files...>   Merge several stations' files into one in time",
  "                               order (each station's own order kept).",
  '  export [options] <file>      Write the transactions of an OffCirc.dat in',
  '                               another format (koha: a Koha offline circulation',
  '                               .koc file).',
  '  collect                      The collector: one OffCirc.dat per desk from what',
  '                               stations forwarded to PostgreSQL, and a',
  '                               dashboard.',
  '  help [command]               display help for command',
  '',
].join('\n');
