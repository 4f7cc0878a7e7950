import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A freshly generated self-signed certificate for 127.0.0.1, like a Proxmox/OMV default cert. */
export interface SelfSigned {
  readonly key: string;
  readonly cert: string;
  /** SHA-256 fingerprint as `AA:BB:…` (what Proxmox shows). */
  readonly fingerprint256: string;
}

/** Generates a self-signed EC certificate with the `openssl` CLI in a temp dir (removed after). */
export function selfSigned(commonName = 'proxmox1.test'): SelfSigned {
  const dir = mkdtempSync(join(tmpdir(), 'homelab-tls-'));
  try {
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
        '2',
        '-subj',
        `/CN=${commonName}`,
        '-addext',
        'subjectAltName=IP:127.0.0.1,DNS:localhost',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'pipe' }, // a failure's error then carries openssl's stderr
    );
    const key = readFileSync(join(dir, 'key.pem'), 'utf8');
    const cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
    return { key, cert, fingerprint256: new X509Certificate(cert).fingerprint256 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
