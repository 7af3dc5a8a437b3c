/**
 * Where an image lives, as Docker resolves it: the reference grammar and normalisation are the
 * kubelet's ({@link parseImageReference}: `nginx` is `docker.io/library/nginx:latest`), and this file
 * adds what a pull needs on top: the registry's API endpoint and the scheme.
 */
import { parseImageReference } from '../k8s/validation/imageReference.js';

/** One image as a registry request names it. */
export interface RegistryTarget {
  /** The image as written in the manifest. */
  image: string;
  /** The registry as people name it: `docker.io`, `ghcr.io`, `127.0.0.1:5000`. */
  host: string;
  /** Base URL of the distribution API: `https://registry-1.docker.io`, `http://127.0.0.1:5000`. */
  endpoint: string;
  /** Repository path inside the registry: `library/nginx`, `acme/web`. */
  repository: string;
  /** The manifest reference: the digest when there is one (it wins over a tag, as in a pull), else the tag. */
  reference: string;
}

/**
 * Docker Hub's API host: `docker.io` is only the name (registry/config.go `IndexHostname` vs
 * `DefaultV2Registry`, https://github.com/moby/moby/blob/master/registry/config.go).
 */
const DOCKER_HUB_API = 'registry-1.docker.io';

/** The target of an image, or undefined when the kubelet could not parse it either (InvalidImageName). */
export function registryTarget(image: string): RegistryTarget | undefined {
  const parsed = parseImageReference(image);
  if (!parsed.ok) return undefined;
  const { normalizedName, tag, digest } = parsed.reference;
  const slash = normalizedName.indexOf('/');
  const host = normalizedName.slice(0, slash);
  const repository = normalizedName.slice(slash + 1);
  const apiHost = host === 'docker.io' ? DOCKER_HUB_API : host;
  return {
    image,
    host,
    endpoint: `${isPlainHttp(host) ? 'http' : 'https'}://${apiHost}`,
    repository,
    reference: digest ?? tag ?? 'latest',
  };
}

/**
 * Docker talks plain HTTP to a registry on the loopback interface without being told (the default
 * insecure-registries CIDR 127.0.0.0/8, and `localhost`; moby registry/config.go
 * `isSecureIndex`/`newServiceConfig`); every other registry is HTTPS.
 */
export function isPlainHttp(host: string): boolean {
  const name = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.replace(/:\d+$/, '');
  return name === 'localhost' || name === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(name);
}
