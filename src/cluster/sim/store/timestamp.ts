import { rfc3339 } from '../../../k8s/meta.js';

let lastSecond = Number.NaN;
let lastText = '';

/**
 * {@link rfc3339} memoised on the last second asked for: the simulator stamps thousands of
 * objects within one virtual second, and `Date#toISOString` showed up in its profile.
 */
export function timestamp(ms: number): string {
  const second = Math.floor(ms / 1000);
  if (second !== lastSecond) {
    lastText = rfc3339(ms);
    lastSecond = second;
  }
  return lastText;
}
