#!/usr/bin/env node
// Thin launcher: the compiled CLI lives in dist/ (npm run build).
import { main } from '../dist/cli.js';

main(process.argv).then(
  // Exit explicitly: standard input or a closed scanner may still hold the event loop open, and
  // everything worth keeping (journal, log) was flushed before main() resolved.
  (code) => process.exit(code),
  (error) => {
    console.error(error instanceof Error ? error.stack : String(error));
    process.exit(70);
  },
);
