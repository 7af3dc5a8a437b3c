/**
 * Registry credentials: from the `registry-credentials` input (lines `HOST=USERNAME:PASSWORD`, or a
 * docker config JSON) and from the docker config file (`$DOCKER_CONFIG/config.json`, else
 * `~/.docker/config.json`), whose `auths` map `docker login` writes
 * (https://github.com/docker/cli/blob/master/cli/config/configfile/file.go). Credential helpers
 * (`credsStore`, `credHelpers`) are programs this tool does not run: such registries are asked
 * anonymously. Pure: the caller reads the files.
 */

/** A username and password (or token used as a password, as GHCR's personal access tokens are). */
export interface Credential {
  username: string;
  password: string;
}

/** Credentials by registry host (`ghcr.io`, `docker.io`, `127.0.0.1:5000`). */
export type CredentialStore = Map<string, Credential>;

/** Problems found while reading credentials; never contains a secret. */
export interface CredentialsResult {
  store: CredentialStore;
  errors: string[];
}

/**
 * Docker Hub's key in `auths` is a URL (`https://index.docker.io/v1/`); the others are hosts,
 * sometimes with a scheme or a path. All name `docker.io` or the host.
 */
export function credentialKey(key: string): string {
  const host = key
    .trim()
    .replace(/^[a-z]+:\/\//i, '')
    .replace(/\/.*$/, '')
    .toLowerCase();
  return host === 'index.docker.io' || host === 'registry-1.docker.io' ? 'docker.io' : host;
}

/** Parses the input: a docker config JSON (`{"auths": {...}}`) or lines `HOST=USERNAME:PASSWORD`. */
export function parseCredentialsInput(text: string): CredentialsResult {
  const trimmed = text.trim();
  if (trimmed === '') return { store: new Map(), errors: [] };
  if (trimmed.startsWith('{')) return parseDockerConfig(trimmed, 'registry-credentials');
  const store: CredentialStore = new Map();
  const errors: string[] = [];
  for (const [i, raw] of trimmed.split('\n').entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    const colon = eq < 0 ? -1 : line.indexOf(':', eq + 1);
    if (eq <= 0 || colon < 0 || colon === eq + 1) {
      // The line is not echoed: it may hold a password.
      errors.push(`registry-credentials line ${i + 1}: expected HOST=USERNAME:PASSWORD`);
      continue;
    }
    store.set(credentialKey(line.slice(0, eq)), {
      username: line.slice(eq + 1, colon),
      password: line.slice(colon + 1),
    });
  }
  return { store, errors };
}

/** The `auths` of a docker config file: `auth` (base64 `user:password`) or `username`/`password`. */
export function parseDockerConfig(text: string, source: string): CredentialsResult {
  const store: CredentialStore = new Map();
  let config: unknown;
  try {
    config = JSON.parse(text);
  } catch {
    return { store, errors: [`${source}: not valid JSON`] };
  }
  const auths = (config as { auths?: unknown } | null)?.auths;
  if (auths === undefined) return { store, errors: [] };
  if (typeof auths !== 'object' || auths === null) return { store, errors: [`${source}: auths is not an object`] };
  const errors: string[] = [];
  for (const [key, entry] of Object.entries(auths as Record<string, unknown>)) {
    const e = (entry ?? {}) as { auth?: unknown; username?: unknown; password?: unknown };
    if (typeof e.auth === 'string' && e.auth !== '') {
      const decoded = Buffer.from(e.auth, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon <= 0) {
        errors.push(`${source}: auths["${key}"].auth is not base64 of USERNAME:PASSWORD`);
        continue;
      }
      store.set(credentialKey(key), { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) });
    } else if (typeof e.username === 'string' && typeof e.password === 'string') {
      store.set(credentialKey(key), { username: e.username, password: e.password });
    }
    // An empty entry is what `docker login` leaves with a credential helper: nothing to use here.
  }
  return { store, errors };
}

/** The input's credentials win over the docker config's for the same registry. */
export function mergeCredentials(...stores: CredentialStore[]): CredentialStore {
  const out: CredentialStore = new Map();
  for (const store of [...stores].reverse()) for (const [k, v] of store) out.set(k, v);
  return out;
}

/** Every string that must never appear in a log: passwords and the Basic header values made from them. */
export function secretsOf(store: CredentialStore): string[] {
  const out: string[] = [];
  for (const c of store.values()) out.push(c.password, basicAuth(c));
  return out.filter((s) => s.length > 0);
}

/** The `Authorization: Basic` value. */
export function basicAuth(c: Credential): string {
  return Buffer.from(`${c.username}:${c.password}`, 'utf8').toString('base64');
}
