import { describe, expect, it } from '@jest/globals';
import { copyJson, copyJsonSharing, jsonEqual } from '../../../src/cluster/sim/store/jsonValue.js';

const samples: unknown[] = [
  { a: 1, b: undefined, c: [1, undefined, () => 1, Number.NaN], d: { e: null, f: Infinity }, g: 'x' },
  [{ x: [] }, {}, 'a', true, null],
  { when: new Date(0), nested: { deep: [{ k: -0 }] } },
  'text',
  42,
  null,
];

describe('copyJson', () => {
  it('gives exactly what a JSON round trip gives', () => {
    for (const value of samples) expect(copyJson(value)).toEqual(JSON.parse(JSON.stringify(value)));
    for (const value of samples) expect(JSON.stringify(copyJson(value))).toBe(JSON.stringify(value));
  });

  it('shares subtrees that are the same object as the stored version, copies the rest', () => {
    const stored = { spec: { a: [1, 2] }, status: { n: 1 } };
    const input = { ...stored, status: { n: 2 } };
    const out = copyJsonSharing(input, stored);
    expect(out.spec).toBe(stored.spec);
    expect(out.status).not.toBe(input.status);
    expect(out).toEqual({ spec: { a: [1, 2] }, status: { n: 2 } });
  });
});

describe('jsonEqual', () => {
  it('agrees with comparing JSON.stringify output, key order included', () => {
    const pairs: Array<[unknown, unknown]> = [
      [
        { a: 1, b: 2 },
        { a: 1, b: 2 },
      ],
      [
        { a: 1, b: 2 },
        { b: 2, a: 1 },
      ],
      [{ a: 1, b: undefined }, { a: 1 }],
      [
        [1, undefined],
        [1, null],
      ],
      [{ a: Number.NaN }, { a: null }],
      [{ a: [1, 2] }, { a: [1, 2, 3] }],
      [{ a: { b: 'x' } }, { a: { b: 'y' } }],
      [{ t: new Date(0) }, { t: '1970-01-01T00:00:00.000Z' }],
      [{}, []],
      [null, {}],
      [{ a: 1 }, undefined],
      [undefined, []],
      [undefined, undefined],
      ['1', 1],
    ];
    for (const [a, b] of pairs) expect(jsonEqual(a, b)).toBe(JSON.stringify(a) === JSON.stringify(b));
  });
});
