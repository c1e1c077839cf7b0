import { describe, it, expect } from 'vitest';
import { DoubleReads } from '../../src/kiosk/double-read.js';

describe('DoubleReads', () => {
  it('calls a repeat inside the window a double, says it once, and slides the window with each repeat', () => {
    const reads = new DoubleReads(100);
    expect(reads.check('g', 'item:1', 0)).toBe('read');
    expect(reads.check('g', 'item:1', 99)).toBe('double');
    expect(reads.check('g', 'item:1', 198)).toBe('repeat');
    expect(reads.check('g', 'item:1', 297)).toBe('repeat');
    expect(reads.check('g', 'item:1', 397)).toBe('read');
  });

  it('keeps groups and keys apart, even ones that would run together as text', () => {
    const reads = new DoubleReads(100);
    expect(reads.check('a', 'b:c', 0)).toBe('read');
    expect(reads.check('a:b', 'c', 1)).toBe('read');
    expect(reads.check('a', 'other', 2)).toBe('read');
    expect(reads.check('b', 'b:c', 3)).toBe('read');
    expect(reads.check('a', 'b:c', 4)).toBe('double');
  });

  it('never calls anything a double with a window of 0', () => {
    const reads = new DoubleReads(0);
    expect(reads.check('g', 'k', 5)).toBe('read');
    expect(reads.check('g', 'k', 5)).toBe('read');
  });

  it('treats a read far in the past of a stepped-back clock as new', () => {
    const reads = new DoubleReads(100);
    reads.check('g', 'k', 10_000);
    expect(reads.check('g', 'k', 5_000)).toBe('read');
    expect(reads.check('g', 'k', 5_050)).toBe('double');
  });
});

describe('DoubleReads: the cost of a read', () => {
  it('forgets reads that left the window as it goes: memory is what a window of scanning holds', () => {
    const reads = new DoubleReads(1500);
    // A scan every 100 ms for 10,000 scans: at most 15 distinct reads are inside any 1.5 s window.
    for (let i = 0; i < 10_000; i++) expect(reads.check('front', `item:${i}`, i * 100)).toBe('read');
    expect(reads.size).toBeLessThanOrEqual(16);
  });

  it('still calls a repeat a double after many other reads passed through the window', () => {
    const reads = new DoubleReads(1000);
    reads.check('g', 'item:x', 0);
    for (let i = 0; i < 50; i++) reads.check('g', `item:${i}`, 10 + i);
    expect(reads.check('g', 'item:x', 500)).toBe('double');
    expect(reads.check('g', 'item:x', 1400)).toBe('repeat');
  });
});
