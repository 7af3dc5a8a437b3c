import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A PEM certificate and key. */
export interface CertificatePair {
  cert: string;
  key: string;
}

/**
 * A self-signed certificate for 127.0.0.1 / localhost, made with the `openssl` CLI (no npm
 * dependency). Go's TLS stack (kubectl) needs the IP in the subjectAltName, not only in the CN.
 */
export function selfSignedCertificate(): CertificatePair {
  const dir = mkdtempSync(join(tmpdir(), 'rollout-gate-tls-'));
  try {
    const cert = join(dir, 'tls.crt');
    const key = join(dir, 'tls.key');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '365',
        '-subj',
        '/CN=rollout-gate-sim',
        '-addext',
        'subjectAltName=IP:127.0.0.1,DNS:localhost',
        '-keyout',
        key,
        '-out',
        cert,
      ],
      { stdio: 'pipe' },
    );
    return { cert: readFileSync(cert, 'utf8'), key: readFileSync(key, 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
