/**
 * Where requests for a registry go, and how a URL is named in messages.
 * A reference's registry (`HOST[:PORT]`) is not always the host to dial:
 * `docker.io` is served by `registry-1.docker.io` (distribution/reference,
 * normalize.go), and messages must never carry userinfo.
 */

/** The host a registry name is reached at: docker.io's aliases map to its API host. */
export function registryEndpointHost(registry: string): string {
  return registry === 'docker.io' || registry === 'index.docker.io' ? 'registry-1.docker.io' : registry;
}

/** A URL as text for messages: no userinfo, ever. */
export function redactUrl(url: URL | string): string {
  const u = new URL(String(url));
  u.username = '';
  u.password = '';
  return u.toString();
}

/** Two URLs reach the same server (scheme, host and port): only then may an Authorization header follow. */
export function sameOrigin(a: URL, b: URL): boolean {
  return a.origin === b.origin;
}

/** One path segment, encoded; ':' is a legal path character (RFC 3986 pchar) and stays, as in `sha256:...`. */
export function encodeSegment(segment: string): string {
  return encodeURIComponent(segment).replace(/%3A/gi, ':');
}

/** A registry path segment list joined under /v2/ (names keep their slashes; each segment is encoded). */
export function v2Path(...segments: string[]): string {
  return `/v2/${segments.map((s) => s.split('/').map(encodeSegment).join('/')).join('/')}`;
}
