import { rfc3339 } from '../../../k8s/meta.js';

const cache = new Map<number, string>();
const CACHE_LIMIT = 4096;

/**
 * {@link rfc3339} memoised per second: the simulator stamps thousands of objects with a few
 * distinct seconds (now, a pod's start, a deletion deadline), and `Date#toISOString` showed up
 * in its profile. A pure function of its input, so the cache cannot change any output.
 */
export function timestamp(ms: number): string {
  const second = Math.floor(ms / 1000);
  let text = cache.get(second);
  if (text === undefined) {
    if (cache.size >= CACHE_LIMIT) cache.clear();
    text = rfc3339(ms);
    cache.set(second, text);
  }
  return text;
}
