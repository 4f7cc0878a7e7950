import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A throwaway self-signed certificate for 127.0.0.1 and its SHA-256 fingerprint. */
export interface TestCert {
  readonly key: string;
  readonly cert: string;
  /** `AA:BB:…` as node prints it. */
  readonly fingerprint256: string;
}

/** Generates a self-signed EC certificate with the system openssl (fast, no fixtures in git). */
export function makeSelfSignedCert(commonName = 'router1.test'): TestCert {
  const dir = mkdtempSync(join(tmpdir(), 'tls-cert-'));
  try {
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '2',
      '-subj', `/CN=${commonName}`, '-addext', 'subjectAltName=IP:127.0.0.1',
    ], { stdio: 'pipe' });
    const key = readFileSync(join(dir, 'key.pem'), 'utf8');
    const cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
    return { key, cert, fingerprint256: new X509Certificate(cert).fingerprint256 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
