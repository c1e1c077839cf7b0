/**
 * `offcirc receipt preview`: a sample receipt as text, laid out by the printer's own layout with the
 * configured width, header and footer; exit 0. A bad receipt config is refused with the path and what
 * is expected (exit 78), and so is an unknown option (exit 64).
 */
import { describe, expect, it } from 'vitest';
import { main, type Io } from '../../src/cli.js';
import { EXIT } from '../../src/exit.js';
import { tempDir, writeConfig } from '../helpers/offcirc.js';

async function run(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { out: (t) => out.push(t), err: (t) => err.push(t) };
  const code = await main(['node', 'offcirc', ...args], io);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('offcirc receipt preview', () => {
  it('prints a sample receipt in the configured width, header and footer, with its cut', async () => {
    const dir = tempDir();
    const config = writeConfig(dir, {
      station: 'desk-7',
      receipt: { width: 32, header: ['City Library', 'Open Mon–Sat'], footer: ['Thank you'] },
    });
    const { code, out, err } = await run(['receipt', 'preview', '--config', config]);
    expect(err).toBe('');
    expect(code).toBe(EXIT.ok);
    const lines = out.split('\n');
    const paper = lines.filter((l) => l.startsWith('|'));
    for (const line of paper) expect(line).toMatch(/^\|.{32}\|$/);
    const text = paper.map((l) => l.slice(1, -1).trimEnd());
    expect(text[0]).toBe('          City Library');
    expect(text[1]).toBe('          Open Mon-Sat');
    expect(text).toContain('Station: desk-7');
    expect(text).toContainEqual(expect.stringMatching(/^Card: \*{4}\d{4}$/));
    expect(text).toContainEqual(expect.stringMatching(/^ {2}due about \w{3} \d{1,2} \w{3} \d{4}/));
    expect(text).toContain('2 items borrowed');
    expect(text.at(-1)).toBe('           Thank you');
    expect(lines).toContainEqual(expect.stringMatching(/\(cut\)$/));
    expect(out).toMatch(/32 characters a line, code page 437; no printer configured/);
  });

  it('refuses a bad receipt config with the path and what is expected', async () => {
    const dir = tempDir();
    const config = writeConfig(dir, {
      receipt: { width: 40, when: 'sometimes', printer: { type: 'tcp', host: 'p', port: 0 } },
    });
    const { code, err } = await run(['receipt', 'preview', '--config', config]);
    expect(code).toBe(EXIT.config);
    expect(err).toMatch(/receipt\.width: expected characters per line, one of 32, 35, 42, 44, 48, got 40/);
    expect(err).toMatch(/receipt\.when: expected one of "always", "ask", "never", got "sometimes"/);
    expect(err).toMatch(/receipt\.printer\.port: expected a TCP port from 1 to 65535, got 0/);
  });

  it('an unknown option is a usage error', async () => {
    expect((await run(['receipt', 'preview', '--colour'])).code).toBe(EXIT.usage);
  });
});
