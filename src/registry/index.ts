/**
 * The registry adapter as the plan uses it: credentials from the input and the docker config
 * file, then one check per distinct image, a few at a time.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { RealClock } from '../clock/realClock.js';
import { RegistryClient } from './client.js';
import { mergeCredentials, parseCredentialsInput, parseDockerConfig, type CredentialStore } from './credentials.js';
import type { ImageCheck } from './types.js';

export { RegistryClient, DEFAULT_CHECK_TIMEOUT_MS } from './client.js';
export { registryTarget } from './reference.js';
export { parseCredentialsInput, secretsOf } from './credentials.js';
export type { ImageAnswer, ImageCheck } from './types.js';

/** Checks per run at once: enough to overlap round trips, few enough not to be throttled. */
const CONCURRENCY = 4;

/** Something that answers for one image (the RegistryClient; tests may pass a fake). */
export interface ImageChecker {
  check(image: string): Promise<ImageCheck>;
}

/**
 * The credentials of a run: the input's (`registry-credentials`) over the docker config's
 * (`$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`, as the docker CLI looks).
 * `errors` are the input's problems (the caller's input error); a docker config that cannot be read
 * is simply not used, and `notes` say so.
 */
export function loadCredentials(
  input: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): { store: CredentialStore; errors: string[]; notes: string[] } {
  const given = parseCredentialsInput(input ?? '');
  const path = join(env.DOCKER_CONFIG || join(homedir(), '.docker'), 'config.json');
  let text: string | undefined;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    text = undefined; // no docker login on this machine: anonymous, as docker pull would be
  }
  const docker = text === undefined ? { store: new Map(), errors: [] } : parseDockerConfig(text, path);
  return {
    store: mergeCredentials(given.store, docker.store),
    errors: given.errors,
    notes: docker.errors.map((e) => `${e}; its credentials are not used`),
  };
}

/** A client with the wall clock and the run's credentials. */
export function registryClient(clock: RealClock, credentials: CredentialStore, timeoutMs?: number): ImageChecker {
  return new RegistryClient({ clock, credentials, ...(timeoutMs !== undefined ? { timeoutMs } : {}) });
}

/** Checks each image once, {@link CONCURRENCY} at a time; answers in the order of `images`. */
export async function checkImages(images: readonly string[], checker: ImageChecker): Promise<ImageCheck[]> {
  const distinct = [...new Set(images)];
  const out: ImageCheck[] = new Array<ImageCheck>(distinct.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < distinct.length) {
      const i = next++;
      out[i] = await checker.check(distinct[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, distinct.length) }, worker));
  return out;
}
