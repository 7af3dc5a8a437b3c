import { describe, expect, it } from '@jest/globals';
import { SeededRandom } from '../../src/clock/seededRandom.js';

describe('SeededRandom', () => {
  it('repeats the same sequence for the same seed and differs for another', () => {
    const a = new SeededRandom(42);
    const b = new SeededRandom(42);
    const c = new SeededRandom(43);
    const take = (r: SeededRandom) => Array.from({ length: 5 }, () => r.next());
    const first = take(a);
    expect(take(b)).toEqual(first);
    expect(take(c)).not.toEqual(first);
    for (const x of first) expect(x >= 0 && x < 1).toBe(true);
  });

  it('draws strings from the alphabet', () => {
    expect(new SeededRandom(1).string('ab', 20)).toMatch(/^[ab]{20}$/);
  });
});
