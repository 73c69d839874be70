/**
 * The access key id a request was signed with, from its SigV4 `Authorization` header:
 *   AWS4-HMAC-SHA256 Credential=<AKID>/<date>/<region>/<service>/aws4_request, SignedHeaders=..., Signature=...
 * The local services use it only to tell callers apart (the signature is not checked: nothing here holds secrets).
 * Undefined when the header is absent or not SigV4.
 */
export function accessKeyIdOf(authorization: string | readonly string[] | undefined): string | undefined {
  const header = Array.isArray(authorization) ? authorization[0] : authorization;
  if (typeof header !== 'string') return undefined;
  // SigV4 (HMAC) and SigV4a (ECDSA) carry the same Credential scope; SigV4a's has no region part.
  const match = /^AWS4-(?:HMAC-SHA256|ECDSA-P256-SHA256)\s+(.*)$/s.exec(header.trim());
  if (!match) return undefined;
  for (const part of match[1].split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== 'Credential') continue;
    // <AKID>/<scope...>: without a scope it is not a SigV4 credential.
    const [accessKeyId, ...scope] = part.slice(eq + 1).trim().split('/');
    return accessKeyId !== '' && scope.length > 0 ? accessKeyId : undefined;
  }
  return undefined;
}
