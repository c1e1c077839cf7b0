/**
 * `--version` and `--help` answered without commander (quick.ts) print exactly what commander prints.
 * With UPDATE_HELP_TEXT=1 this rewrites src/help-text.ts from commander's help first.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../src/cli.js';
import { TOP_HELP, TOP_HELP_WIDTH } from '../src/help-text.js';
import { quickAnswer } from '../src/quick.js';
import { BIN, ROOT } from './helpers/offcirc.js';

/** What commander prints (and the exit code) for these arguments, `width` columns wide. */
async function commander(args: string[], width: number): Promise<{ out: string; code: number }> {
  let out = '';
  const stdout = process.stdout as { isTTY?: boolean; columns?: number };
  const saved = { isTTY: stdout.isTTY, columns: stdout.columns };
  // commander takes the help's width from standard output when it is a terminal.
  Object.assign(stdout, { isTTY: true, columns: width });
  try {
    const code = await main(['node', 'offcirc', ...args], {
      out: (text) => void (out += text.endsWith('\n') ? text : `${text}\n`),
      err: (text) => void (out += text),
    });
    return { out, code };
  } finally {
    Object.assign(stdout, saved);
  }
}

/** src/help-text.ts for this help text: one string per line, readable in a diff. */
function helpTextModule(help: string): string {
  // Quoted as prettier quotes: single quotes unless the text holds one.
  const quote = (line: string) =>
    line.includes("'") ? JSON.stringify(line) : `'${line.replace(/\\/g, '\\\\')}'`;
  const lines = help.split('\n').map((line) => `  ${quote(line)},`);
  return [
    '/**',
    " * commander's help for `offcirc --help` at 80 columns, kept for quick.ts. Made by, and compared with",
    " * commander's on every run of, test/quick.test.ts: after changing a command or its description, run",
    ' * `UPDATE_HELP_TEXT=1 npx vitest run test/quick.test.ts` (it rewrites this file).',
    ' */',
    `export const TOP_HELP_WIDTH = ${TOP_HELP_WIDTH};`,
    '',
    'export const TOP_HELP = [',
    ...lines,
    "].join('\\n');",
    '',
  ].join('\n');
}

describe('quick answers', () => {
  it("--help is commander's help, byte for byte", async () => {
    const { out, code } = await commander(['--help'], TOP_HELP_WIDTH);
    expect(code).toBe(0);
    const module = path.join(ROOT, 'src', 'help-text.ts');
    if (process.env.UPDATE_HELP_TEXT === '1' && readFileSync(module, 'utf8') !== helpTextModule(out))
      writeFileSync(module, helpTextModule(out));
    expect(
      TOP_HELP,
      'src/help-text.ts is not commander\'s help: run "UPDATE_HELP_TEXT=1 npx vitest run test/quick.test.ts"',
    ).toBe(out);
    expect(quickAnswer(['--help'], undefined)).toBe(out);
    expect(quickAnswer(['-h'], TOP_HELP_WIDTH)).toBe((await commander(['-h'], TOP_HELP_WIDTH)).out);
  });

  it("--version and -V are commander's answer", async () => {
    for (const flag of ['--version', '-V']) {
      const { out, code } = await commander([flag], 80);
      expect(code).toBe(0);
      expect(quickAnswer([flag], undefined)).toBe(out);
    }
  });

  it('leaves everything else to commander: other widths, other arguments', async () => {
    expect(quickAnswer(['--help'], 120)).toBeUndefined();
    expect((await commander(['--help'], 120)).out).not.toBe(TOP_HELP);
    for (const args of [
      [],
      ['run'],
      ['--help', 'run'],
      ['run', '--help'],
      ['-V', '-h'],
      ['--helpx'],
      ['help'],
    ])
      expect(quickAnswer(args, undefined)).toBeUndefined();
  });

  it('is what the real launcher prints, exit code 0', () => {
    for (const [flag, expected] of [
      ['--help', TOP_HELP],
      ['-h', TOP_HELP],
      ['--version', quickAnswer(['--version'], undefined)],
      ['-V', quickAnswer(['-V'], undefined)],
    ] as const) {
      const run = spawnSync(process.execPath, [BIN, flag], { encoding: 'utf8' });
      expect(run.status, run.stderr).toBe(0);
      expect(run.stdout).toBe(expected);
      expect(run.stderr).toBe('');
    }
  });
});
