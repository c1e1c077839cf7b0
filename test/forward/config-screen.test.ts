/** The config keys desk, library and forward; and the forwarding state on the kiosk screen's status line. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, validateConfig } from '../../src/config/load.js';
import { forwardWords } from '../../src/tui/screenModel.js';
import { renderScreen, settle } from '../tui/screen.js';
import { MemoryStation } from '../tui/station.js';

const problems = (raw: unknown) => {
  const result = validateConfig(raw);
  return 'problems' in result ? result.problems : [];
};

describe('config: desk, library, forward', () => {
  it('takes a URL without a password, the password file beside the config, and defaults', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'offcirc-fwdcfg-'));
    const file = path.join(dir, 'offcirc.json');
    writeFileSync(
      file,
      JSON.stringify({
        desk: 'MAIN_DESK',
        library: 'MAIN',
        forward: { url: 'postgres://desk-1@db.lan/offcirc?sslmode=require', passwordFile: 'db-password' },
      }),
    );
    const { config } = loadConfig({ config: file }, {});
    expect(config.desk).toBe('MAIN_DESK');
    expect(config.forward).toEqual({
      url: 'postgres://desk-1@db.lan/offcirc?sslmode=require',
      passwordFile: path.join(dir, 'db-password'),
      batchLines: 500,
      retryMaxSeconds: 30,
      statusSeconds: 5,
    });
    expect(problems({ desk: 'D', forward: { url: 'postgres://u@/db?host=/run/postgresql' } })).toEqual([]);
    const plain = validateConfig({});
    expect('config' in plain && [plain.config.forward, plain.config.desk]).toEqual([undefined, undefined]);
  });

  it('refuses a password in the URL, an unknown sslmode, no desk, a URL of another kind, in words', () => {
    expect(problems({ forward: { url: 'postgres://desk-1:secret@db/offcirc?sslmode=maybe' } })).toEqual([
      'forward.url: holds a password, expected the password in "forward.passwordFile" or the PGPASSWORD environment variable (config files get copied and shown)',
      'forward.url: sslmode "maybe" is unknown, expected one of "disable", "prefer", "require", "verify-ca", "verify-full"',
      'desk: missing, expected the Alma circulation desk code this station lends at (needed with "forward")',
    ]);
    expect(problems({ desk: 'D', forward: { url: 'mysql://db/x' } })).toEqual([
      'forward.url: expected a URL starting "postgres://", got "mysql://db/x"',
    ]);
    expect(problems({ desk: 'two words' })[0]).toMatch(/^desk: expected letters, digits/);
    expect(problems({ desk: 'D', forward: { url: 'postgres://h/d', batchlines: 5 } })[0]).toMatch(
      /^forward.batchlines: unknown key \(did you mean "batchLines"\?\)/,
    );
    expect(() => loadConfig({ config: '/nonexistent/offcirc.json' }, {})).toThrow(ConfigError);
  });
});

describe('the screen: forwarding state', () => {
  it('in words: caught up, behind, not connected', () => {
    expect(forwardWords({ state: 'caught-up', behind: 0 })).toEqual({ text: 'Forward: caught up', ok: true });
    expect(forwardWords({ state: 'behind', behind: 12 })).toEqual({ text: 'Forward: 12 behind', ok: true });
    expect(forwardWords({ state: 'error', behind: 3, reason: 'x' })).toEqual({
      text: 'Forward: not connected, 3 behind',
      ok: false,
    });
    expect(forwardWords({ state: 'connecting', behind: 0 }).text).toBe('Forward: connecting');
  });

  it('on the status line, and nothing when forwarding is off', async () => {
    const on = renderScreen({
      station: new MemoryStation({ forward: { state: 'error', behind: 4, reason: 'refused' } }),
    });
    await settle();
    expect(on.frame()).toContain('Forward: not connected, 4 behind');
    on.unmount();
    const off = renderScreen({ station: new MemoryStation({}) });
    await settle();
    expect(off.frame()).not.toContain('Forward');
    off.unmount();
  });
});
