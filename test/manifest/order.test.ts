import { expect, test } from '@jest/globals';
import { sortForApply } from '../../src/manifest/order.js';
import type { ManifestDocument } from '../../src/manifest/types.js';

const doc = (kind: string, name: string): ManifestDocument => ({
  file: 'f.yaml',
  line: 1,
  object: { kind, metadata: { name } },
  imageLines: {},
});

test('apply order by kind, stable within a kind', () => {
  const input = [
    doc('Deployment', 'a'),
    doc('Service', 's'),
    doc('ConfigMap', 'c1'),
    doc('Deployment', 'b'),
    doc('Secret', 'x'),
    doc('Namespace', 'ns'),
    doc('PersistentVolumeClaim', 'p'),
    doc('ServiceAccount', 'sa'),
    doc('ConfigMap', 'c2'),
  ];
  expect(sortForApply(input).map((d) => d.object.metadata.name)).toEqual([
    'ns',
    'c1',
    'x',
    'p',
    'sa',
    'c2',
    's',
    'a',
    'b',
  ]);
  expect(input[0]!.object.metadata.name).toBe('a'); // input untouched
});
