/**
 * The two text encodings cosign's files and annotations use, read strictly:
 * PEM (RFC 7468, as Go's encoding/pem writes it) and standard padded base64
 * (RFC 4648 section 4, Go's base64.StdEncoding). Node's own base64 decoder
 * skips characters it does not know, which would let two different strings
 * stand for one signature; here a string is accepted only in its canonical
 * form.
 */

const BASE64_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Standard padded base64 to bytes; undefined unless `text` is the canonical encoding of what it decodes to. */
export function decodeBase64(text: string): Buffer | undefined {
  if (!BASE64_RE.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64');
  // Unused low bits of the last character must be zero (RFC 4648 section 3.5): one encoding per value.
  return bytes.toString('base64') === text ? bytes : undefined;
}

export function encodeBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/** A PEM block: its type (the words after BEGIN) and its decoded content. */
export interface PemBlock {
  type: string;
  bytes: Buffer;
}

const PEM_RE = /-----BEGIN ([A-Z0-9 ]{1,64})-----\r?\n([A-Za-z0-9+/=\s]*?)-----END \1-----/;

/**
 * The first PEM block of `text` (text around it is ignored, as Go's
 * pem.Decode does), or undefined when there is none or its content is not
 * base64. Headers (`Proc-Type:`) are not supported: cosign writes none.
 */
export function decodePem(text: string): PemBlock | undefined {
  const m = PEM_RE.exec(text);
  if (!m) return undefined;
  const bytes = decodeBase64(m[2]!.replace(/\s+/g, ''));
  return bytes === undefined ? undefined : { type: m[1]!, bytes };
}

/** A PEM block as Go's pem.EncodeToMemory writes it: base64 in lines of 64, a final newline. */
export function encodePem(type: string, bytes: Uint8Array): string {
  const b64 = encodeBase64(bytes);
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += 64) lines.push(b64.slice(i, i + 64));
  return `-----BEGIN ${type}-----\n${lines.join('\n')}${lines.length ? '\n' : ''}-----END ${type}-----\n`;
}
