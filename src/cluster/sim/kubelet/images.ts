/**
 * Image references: validation and normalisation as docker/distribution's reference package does
 * (https://github.com/distribution/reference/blob/main/regexp.go, normalize.go), and the exact texts
 * the kubelet and containerd produce for pull failures.
 */

const ALNUM = '[a-z0-9]+';
const SEPARATOR = '(?:[._]|__|[-]+)';
const PATH_COMPONENT = `${ALNUM}(?:${SEPARATOR}${ALNUM})*`;
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?`;
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';
const REFERENCE = new RegExp(
  `^((?:${DOMAIN}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*)(?::(${TAG}))?(?:@(${DIGEST}))?$`,
);
const NAME_TOTAL_LENGTH_MAX = 255;

export interface ImageReference {
  /** Fully qualified name without tag/digest, e.g. `docker.io/library/nginx`. */
  name: string;
  tag?: string;
  digest?: string;
  /** `docker.io/library/nginx:1.25` (tag `latest` applied when neither tag nor digest is given). */
  normalized: string;
}

/** Parses and normalises an image reference; undefined when it is malformed (the kubelet's InvalidImageName). */
export function parseImageReference(image: string): ImageReference | undefined {
  const m = REFERENCE.exec(image);
  if (!m || m[1]!.length > NAME_TOTAL_LENGTH_MAX) return undefined;
  let name = m[1]!;
  const tag = m[2];
  const digest = m[3];
  const slash = name.indexOf('/');
  const first = slash < 0 ? '' : name.slice(0, slash);
  const hasDomain =
    slash >= 0 &&
    (first.includes('.') || first.includes(':') || first === 'localhost' || first.toLowerCase() !== first);
  if (!hasDomain) name = `docker.io/${name}`;
  if (name.startsWith('docker.io/') && !name.slice('docker.io/'.length).includes('/')) {
    name = `docker.io/library/${name.slice('docker.io/'.length)}`;
  }
  const normalized = digest ? `${name}${tag ? `:${tag}` : ''}@${digest}` : `${name}:${tag ?? 'latest'}`;
  return { name, ...(tag ? { tag } : {}), ...(digest ? { digest } : {}), normalized };
}

/** `Failed to apply default image tag ...`: the waiting message and InspectFailed event of a malformed image. */
export function invalidImageMessage(image: string): string {
  return `Failed to apply default image tag "${image}": couldn't parse image name "${image}": invalid reference format`;
}

/** containerd's error text for an image the registry does not have. */
export function notFoundMessage(ref: ImageReference): string {
  const n = ref.normalized;
  return `rpc error: code = NotFound desc = failed to pull and unpack image "${n}": failed to resolve reference "${n}": ${n}: not found`;
}

/** containerd's error text when the registry refuses the pull (private or misspelt repository). */
export function unauthorizedMessage(ref: ImageReference): string {
  const n = ref.normalized;
  return (
    `rpc error: code = Unknown desc = failed to pull and unpack image "${n}": failed to resolve reference "${n}": ` +
    'pull access denied, repository does not exist or may require authorization: server message: insufficient_scope: ' +
    'authorization failed'
  );
}

/**
 * containerd's error text when the registry fails for a moment (a 503 while fetching a layer):
 * nothing about the image itself, so only a repeated failure is evidence.
 */
export function transientPullMessage(ref: ImageReference): string {
  const n = ref.normalized;
  const repo = n.replace(/^[^/]+\//, '').replace(/[:@].*$/, '');
  return (
    `rpc error: code = Unknown desc = failed to pull and unpack image "${n}": failed to copy: httpReadSeeker: ` +
    `failed open: unexpected status code https://registry-1.docker.io/v2/${repo}/blobs/sha256:${'0'.repeat(64)}: ` +
    '503 Service Unavailable'
  );
}

/** A stable FNV-1a hash, to derive image digests and sizes deterministically. */
export function fnv1a(text: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** `docker.io/library/nginx@sha256:<64 hex>` (the container status `imageID`). */
const ids = new Map<string, string>();

export function imageId(ref: ImageReference): string {
  const known = ids.get(ref.normalized);
  if (known) return known;
  let hex = '';
  for (let i = 0; hex.length < 64; i++)
    hex += fnv1a(ref.normalized, 0x811c9dc5 + i)
      .toString(16)
      .padStart(8, '0');
  const id = `${ref.name}@sha256:${hex.slice(0, 64)}`;
  if (ids.size < 10_000) ids.set(ref.normalized, id);
  return id;
}

/** A plausible, stable image size in bytes (for the `Pulled` event text). */
export function imageSize(ref: ImageReference): number {
  return 20_000_000 + (fnv1a(ref.normalized) % 80_000_000);
}

/** Go's `time.Duration.String()` for whole milliseconds: `2s`, `1.5s`, `2m30s`, `350ms`. */
export function goDuration(ms: number): string {
  if (ms === 0) return '0s';
  if (ms < 1000) return `${ms}ms`;
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = (ms % 60_000) / 1000;
  const sec = `${Number.isInteger(s) ? s : s.toFixed(3).replace(/0+$/, '')}s`;
  if (h > 0) return `${h}h${m}m${sec}`;
  if (m > 0) return `${m}m${sec}`;
  return sec;
}
