import { expect, test } from '@jest/globals';
import { hpa, hpaEvents, hpaOf, replicasOf, start, web } from './support.js';

test('scratch', () => {
  const parts = start('images: { "web:1": { usage: { cpu: 300m } } }', [web('web:1', 2), hpa({ kind: 'Deployment', name: 'web' }, { max: 10 })]);
  const t0 = parts.simulation.clock.now();
  for (let i = 0; i < 12; i++) {
    parts.simulation.advance(15_000);
    console.log((parts.simulation.clock.now() - t0) / 1000, replicasOf(parts), JSON.stringify(hpaOf(parts).status));
  }
  console.log(hpaEvents(parts));
  expect(1).toBe(1);
});
