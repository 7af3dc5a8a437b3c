import { parseImageReference } from '../k8s/validation/imageReference.js';
import type { ManifestDocument, ManifestError } from './types.js';
import { isPlainObject } from './load.js';

/**
 * `--image NAME=REF` overrides, in the spirit of `kubectl set image` (match by container name, `*`
 * for every container) plus kustomize's `images:` (match by image name, i.e. the repository
 * without tag or digest; `nginx` also matches `docker.io/library/nginx`).
 */

/** One parsed override. */
export interface ImageOverride {
  /** Container name, image name, or `*`. */
  name: string;
  /** The replacement image reference. */
  image: string;
  /** The override as the user wrote it, for messages. */
  text: string;
}

/** Parses `name=ref` entries (entries may hold several newline-separated overrides). */
export function parseImageOverrides(specs: readonly string[]): { overrides: ImageOverride[]; errors: ManifestError[] } {
  const overrides: ImageOverride[] = [];
  const errors: ManifestError[] = [];
  const fail = (text: string, why: string): void => {
    errors.push({ file: '', line: 0, message: `invalid image override "${text}": ${why}` });
  };
  for (const raw of specs.flatMap((s) => s.split(/\r?\n/))) {
    const text = raw.trim();
    if (text === '') continue;
    const eq = text.indexOf('=');
    if (eq < 0) {
      fail(text, 'expected NAME=IMAGE (a container name, an image name or *, then the new image)');
      continue;
    }
    const name = text.slice(0, eq).trim();
    const image = text.slice(eq + 1).trim();
    if (name === '') fail(text, 'the name before "=" is empty');
    else if (image === '') fail(text, 'the image after "=" is empty');
    else if (/\s/.test(name)) fail(text, 'the name must not contain spaces');
    else {
      const parsed = parseImageReference(image);
      if (!parsed.ok) fail(text, `"${image}" is not a valid image reference: ${parsed.error}`);
      else if (overrides.some((o) => o.name === name)) fail(text, `"${name}" is overridden more than once`);
      else overrides.push({ name, image, text });
    }
  }
  return { overrides, errors };
}

/**
 * Rewrites container images in place. For each container the most specific override wins:
 * container name, then image name, then `*`. An override that matches no container anywhere is an
 * error, so a typo cannot silently deploy the old image.
 */
export function applyImageOverrides(
  documents: readonly ManifestDocument[],
  overrides: readonly ImageOverride[],
): ManifestError[] {
  if (overrides.length === 0) return [];
  const used = new Set<ImageOverride>();
  const normalized = new Map(overrides.map((o) => [o, normalizedName(o.name)]));
  for (const doc of documents) {
    const template = (doc.object.spec as { template?: { spec?: Record<string, unknown> } } | undefined)?.template;
    for (const list of ['containers', 'initContainers'] as const) {
      const containers = template?.spec?.[list];
      if (!Array.isArray(containers)) continue;
      for (const c of containers) {
        if (!isPlainObject(c)) continue;
        const image = typeof c.image === 'string' ? c.image : '';
        const imageName = normalizedName(image);
        const match =
          overrides.find((o) => o.name === c.name) ??
          overrides.find((o) => o.name !== '*' && imageName !== undefined && normalized.get(o) === imageName) ??
          overrides.find((o) => o.name === '*');
        if (!match) continue;
        used.add(match);
        c.image = match.image;
      }
    }
  }
  return overrides
    .filter((o) => !used.has(o))
    .map((o) => ({
      file: '',
      line: 0,
      message:
        o.name === '*'
          ? `image override "${o.text}" matches no container: the manifests define no containers`
          : `image override "${o.text}" matches no container: no container is named "${o.name}" and no container uses the image "${o.name}"`,
    }));
}

/** The registry-qualified repository of an image (or image name), without tag and digest. */
function normalizedName(image: string): string | undefined {
  const parsed = parseImageReference(image);
  return parsed.ok ? parsed.reference.normalizedName : undefined;
}
