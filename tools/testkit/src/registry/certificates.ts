/**
 * Throwaway X.509 material for one test registry, made with the `openssl`
 * CLI: a CA, and certificates it issues (the registry's TLS certificate, the
 * token issuer's signing certificate). P-256 keys: quick to make, and both
 * Go's TLS stack and libtrust's ES256 verification take them.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { peerPath } from '../peers.js';

const run = promisify(execFile);

export interface CertificateFiles {
  /** PEM certificate. */
  readonly certFile: string;
  /** PEM private key (PKCS#8, unencrypted). */
  readonly keyFile: string;
  /** The certificate's PEM text. */
  readonly certPem: string;
  /** The key's PEM text. */
  readonly keyPem: string;
}

async function openssl(args: string[]): Promise<void> {
  try {
    await run(peerPath('openssl'), args, { encoding: 'utf8' });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new Error(`openssl ${args[0]} failed: ${stderr.trim().split('\n').slice(-3).join(' | ')}`, { cause: error });
  }
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

async function loaded(certFile: string, keyFile: string): Promise<CertificateFiles> {
  return { certFile, keyFile, certPem: await readFile(certFile, 'utf8'), keyPem: await readFile(keyFile, 'utf8') };
}

/** A self-signed CA in `dir` (`NAME.crt`, `NAME.key`), valid two days. */
export async function makeCertificateAuthority(dir: string, name = 'ca', commonName = 'ocikit test CA'): Promise<CertificateFiles> {
  const certFile = path.join(dir, `${name}.crt`);
  const keyFile = path.join(dir, `${name}.key`);
  await openssl(['req', '-x509', ...EC, '-keyout', keyFile, '-out', certFile, '-days', '2', '-subj', `/CN=${commonName}`,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  return loaded(certFile, keyFile);
}

export interface IssueOptions {
  /** Base name of the files written to `dir`. */
  readonly name: string;
  readonly commonName: string;
  /** subjectAltName entries (`IP:127.0.0.1`, `DNS:localhost`); none for a signing certificate. */
  readonly subjectAltNames?: readonly string[];
  /** extendedKeyUsage; `serverAuth` for a TLS server. */
  readonly extendedKeyUsage?: string;
}

/** A leaf certificate in `dir` issued by `ca`, valid two days. */
export async function issueCertificate(ca: CertificateFiles, dir: string, options: IssueOptions): Promise<CertificateFiles> {
  const certFile = path.join(dir, `${options.name}.crt`);
  const keyFile = path.join(dir, `${options.name}.key`);
  const csrFile = path.join(dir, `${options.name}.csr`);
  const extFile = path.join(dir, `${options.name}.ext`);
  const ext = ['basicConstraints=critical,CA:FALSE', 'keyUsage=critical,digitalSignature'];
  if (options.subjectAltNames?.length) ext.push(`subjectAltName=${options.subjectAltNames.join(',')}`);
  if (options.extendedKeyUsage) ext.push(`extendedKeyUsage=${options.extendedKeyUsage}`);
  await writeFile(extFile, `${ext.join('\n')}\n`);
  await openssl(['req', '-new', ...EC, '-keyout', keyFile, '-out', csrFile, '-subj', `/CN=${options.commonName}`]);
  await openssl(['x509', '-req', '-in', csrFile, '-CA', ca.certFile, '-CAkey', ca.keyFile, '-set_serial', `0x${randomBytes(16).toString('hex')}`,
    '-days', '2', '-extfile', extFile, '-out', certFile]);
  return loaded(certFile, keyFile);
}
