/**
 * IAM's wildcard matching: `*` is any run of characters (none included), `?` exactly one character; everything else
 * is literal. Actions compare case-insensitively, resources case-sensitively.
 */

const cache = new Map<string, RegExp>();

function globRegex(pattern: string, caseInsensitive: boolean): RegExp {
  const key = `${caseInsensitive ? 'i' : 's'}${pattern}`;
  let re = cache.get(key);
  if (!re) {
    const body = [...pattern].map((ch) => (ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[\\^$.|+()[\]{}]/g, '\\$&'))).join('');
    // `s`: a wildcard also spans line breaks, which IAM treats as ordinary characters.
    re = new RegExp(`^${body}$`, caseInsensitive ? 'isu' : 'su');
    cache.set(key, re);
  }
  return re;
}

/** `proton:Get*` against `proton:GetServiceInstance`; `*` alone matches every action. */
export function actionMatches(pattern: string, action: string): boolean {
  return pattern === '*' || globRegex(pattern, true).test(action);
}

/** The six colon-separated parts of an ARN; the last (the resource) keeps any further colons. */
export function arnSegments(arn: string): string[] | undefined {
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') return undefined;
  return [...parts.slice(0, 5), parts.slice(5).join(':')];
}

/**
 * `*` alone matches every resource. An ARN pattern matches part by part, as IAM does: a wildcard in the region part
 * stays in the region part, while one in the resource part spans `/` and `:` (`service/*` covers
 * `service/svc/service-instance/web`). A request resource that is not an ARN (`*` for List calls) only meets `*`.
 */
export function resourceMatches(pattern: string, resource: string): boolean {
  if (pattern === '*') return true;
  const want = arnSegments(pattern);
  const have = arnSegments(resource);
  if (!want || !have) return false;
  return want.every((part, i) => globRegex(part, false).test(have[i]));
}
