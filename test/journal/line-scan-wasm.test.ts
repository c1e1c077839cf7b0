import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

describe('line-scan-wasm.ts', () => {
  it('is what line-scan.wat compiles to (scripts/build-wasm.mjs was run after the last edit)', async () => {
    // A script in plain JavaScript, without types: imported by a path TypeScript doesn't follow.
    const script = '../../scripts/build-wasm.mjs';
    const { compiledSource } = (await import(script)) as { compiledSource(): Promise<string> };
    const committed = readFileSync(new URL('../../src/journal/line-scan-wasm.ts', import.meta.url), 'utf8');
    expect(await compiledSource()).toBe(committed);
  });
});
