#!/usr/bin/env -S node --max-semi-space-size=1
// --max-semi-space-size=1: V8's young generation stays at 1 MiB instead of growing to 16 for the garbage
// every scan leaves; a kiosk then holds about 30 MiB less, and gives a burst's memory back once quiet.
// The systemd units give the single-file executable the same flags through NODE_OPTIONS (a test checks
// they agree).
// Thin launcher: the compiled CLI lives in dist/ (npm run build), bundled into dist/bundle/ (a few dozen
// files to load instead of ~170 modules: scripts/bundle.mjs). `--version` and `--help` are answered first
// without it (dist/quick.js): the command line parser and every command cost them more than node.
import { quickAnswer } from '../dist/quick.js';

const answer = quickAnswer(process.argv.slice(2), process.stdout.isTTY ? process.stdout.columns : undefined);
if (answer !== undefined) process.stdout.write(answer);
else
  import('../dist/bundle/cli.js').then(
    ({ main }) =>
      main(process.argv).then(
        // Exit explicitly: standard input or a closed scanner may still hold the event loop open, and
        // everything worth keeping (journal, log) was flushed before main() resolved.
        (code) => process.exit(code),
        (error) => {
          console.error(error instanceof Error ? error.stack : String(error));
          process.exit(70);
        },
      ),
    // The program itself failed to load: one line, as the single-file executable's entry says it.
    (error) => {
      process.stderr.write(`offcirc: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(70);
    },
  );
