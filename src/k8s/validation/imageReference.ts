/**
 * Container image references, parsed the way the kubelet parses them before pulling
 * (`reference.ParseNormalizedNamed` of github.com/distribution/reference, grammar in
 * https://github.com/distribution/reference/blob/main/reference.go). A reference that fails here
 * makes the kubelet report `InvalidImageName` for the container, so rollout-gate can predict that
 * failure before applying anything. The apiserver itself does not check image syntax.
 */

const alphanumeric = '[a-z0-9]+';
const separator = '(?:[._]|__|[-]+)';
const pathComponent = `${alphanumeric}(?:${separator}${alphanumeric})*`;
const domainComponent = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const domainName = `${domainComponent}(?:\\.${domainComponent})*`;
const ipv6 = '\\[(?:[a-fA-F0-9:]+)\\]';
const domainAndPort = `(?:${domainName}|${ipv6})(?::[0-9]+)?`;
const namePattern = `(?:${domainAndPort}/)?${pathComponent}(?:/${pathComponent})*`;
const tagPattern = '[\\w][\\w.-]{0,127}';
const digestPattern = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][0-9a-fA-F]{32,}';
const referenceRe = new RegExp(`^(${namePattern})(?::(${tagPattern}))?(?:@(${digestPattern}))?$`);
const identifierRe = /^[a-f0-9]{64}$/;

/** Hex lengths of the digest algorithms go-digest knows (lower-case hex only). */
const digestHexLength: Record<string, number> = { sha256: 64, sha384: 96, sha512: 128 };
const nameTotalLengthMax = 255;

/** A parsed, well-formed image reference. */
export interface ImageReference {
  /** The name exactly as written, without tag and digest (e.g. `ghcr.io/acme/web`, `nginx`). */
  name: string;
  /** The fully qualified name (`docker.io/library/nginx`), the form registries and kubelet use. */
  normalizedName: string;
  tag?: string;
  digest?: string;
}

/** The outcome of {@link parseImageReference}: the reference, or the reason the kubelet would reject it. */
export type ImageReferenceResult = { ok: true; reference: ImageReference } | { ok: false; error: string };

/** Parses an image reference; errors carry distribution/reference's wording. */
export function parseImageReference(image: string): ImageReferenceResult {
  if (image === '') return { ok: false, error: 'repository name must have at least one component' };
  if (identifierRe.test(image)) {
    return { ok: false, error: `invalid repository name (${image}), cannot specify 64-byte hexadecimal strings` };
  }
  const [domain, remainder] = splitDockerDomain(image);
  // As upstream: the name is cut at the first ':' only, so a digest stays in the quoted name.
  const colon = remainder.indexOf(':');
  const remoteName = colon < 0 ? remainder : remainder.slice(0, colon);
  if (remoteName.toLowerCase() !== remoteName) {
    return { ok: false, error: `invalid reference format: repository name (${remoteName}) must be lowercase` };
  }
  const match = referenceRe.exec(image);
  if (!match) {
    if (referenceRe.test(image.toLowerCase())) return { ok: false, error: 'repository name must be lowercase' };
    return { ok: false, error: 'invalid reference format' };
  }
  const [, name, tag, digest] = match;
  if (name!.length > nameTotalLengthMax) {
    return { ok: false, error: `repository name must not be more than ${nameTotalLengthMax} characters` };
  }
  if (digest !== undefined) {
    const colon = digest.indexOf(':');
    const algorithm = digest.slice(0, colon);
    const hex = digest.slice(colon + 1);
    const expected = digestHexLength[algorithm];
    if (expected === undefined) return { ok: false, error: 'unsupported digest algorithm' };
    if (hex.length !== expected) return { ok: false, error: 'invalid checksum digest length' };
    if (!/^[a-f0-9]+$/.test(hex)) return { ok: false, error: 'invalid checksum digest format' };
  }
  const path = remainder.slice(0, remainder.length - (image.length - name!.length));
  const normalizedName = `${domain}/${path}`;
  return {
    ok: true,
    reference: {
      name: name!,
      normalizedName,
      ...(tag !== undefined ? { tag } : {}),
      ...(digest !== undefined ? { digest } : {}),
    },
  };
}

/** True when the kubelet would accept the reference (no `InvalidImageName`). */
export function isValidImageReference(image: string): boolean {
  return parseImageReference(image).ok;
}

/**
 * `splitDockerDomain`: the first component is a registry host only if it contains `.` or `:`, is
 * `localhost`, or has upper-case letters; otherwise the image lives on Docker Hub, where one-part
 * names get the `library/` prefix.
 */
function splitDockerDomain(name: string): [string, string] {
  const slash = name.indexOf('/');
  const first = slash < 0 ? '' : name.slice(0, slash);
  if (slash < 0 || (!/[.:]/.test(first) && first !== 'localhost' && first.toLowerCase() === first)) {
    return ['docker.io', slash < 0 || !name.includes('/') ? `library/${name}` : name];
  }
  const domain = first === 'index.docker.io' ? 'docker.io' : first;
  let remainder = name.slice(slash + 1);
  if (domain === 'docker.io' && !remainder.includes('/')) remainder = `library/${remainder}`;
  return [domain, remainder];
}
