import type { PodTemplateSpec } from '../../../../k8s/objects.js';
import { SAFE_ALPHABET } from '../../store/objectStore.js';
import { canonicalJson } from './semanticEqual.js';

/**
 * controller_utils.go ComputeHash
 * (https://github.com/kubernetes/kubernetes/blob/master/pkg/controller/controller_utils.go).
 * Go hashes a deep textual dump of the Go struct, which cannot be reproduced here; we hash the
 * canonical JSON instead (same FNV-1a-32, same collisionCount bytes, same alphabet mapping), so
 * names are stable and have the upstream shape: 1–10 characters from SAFE_ALPHABET.
 */
export function computeHash(template: PodTemplateSpec, collisionCount: number | undefined): string {
  let hash = fnv1a32(new TextEncoder().encode(canonicalJson(template)), 0x811c9dc5);
  if (collisionCount !== undefined && collisionCount !== null) {
    // Go writes binary.LittleEndian.PutUint32 into an 8-byte buffer: 4 value bytes, 4 zero bytes.
    const bytes = new Uint8Array(8);
    new DataView(bytes.buffer).setUint32(0, collisionCount >>> 0, true);
    hash = fnv1a32(bytes, hash);
  }
  return safeEncodeString(String(hash >>> 0));
}

function fnv1a32(bytes: Uint8Array, seed: number): number {
  let hash = seed >>> 0;
  for (const byte of bytes) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/** rand.SafeEncodeString: each byte of the decimal string mapped through the 27-char alphabet. */
export function safeEncodeString(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) out += SAFE_ALPHABET[text.charCodeAt(i) % SAFE_ALPHABET.length];
  return out;
}
