/**
 * CloudFormation's cap on a custom resource's response, and measuring text the way it counts: the response is
 * JSON, so a string costs its UTF-8 bytes after JSON escaping (a quote 2 bytes, a control character 6, an emoji 4).
 */

/** CloudFormation rejects a custom resource response body over this many bytes. */
export const RESPONSE_LIMIT = 4096;

/** What a cut string ends with, so that a reader knows it was cut. */
export const TRUNCATED = ' …[truncated]';

/** The UTF-8 bytes of a value serialized as JSON. */
export function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value) ?? '', 'utf8');
}

/** The bytes a string adds inside a JSON document: its escaped form, without the quotes. */
export function stringBytes(text: string): number {
  return jsonBytes(text) - 2;
}

/** Cuts text so that, inside JSON, it takes at most `maxBytes` (the marker included), never splitting a character. */
export function cutToBytes(text: string, maxBytes: number): string {
  if (stringBytes(text) <= maxBytes) return text;
  let budget = maxBytes - stringBytes(TRUNCATED);
  if (budget <= 0) return '';
  let out = '';
  for (const ch of text) {
    const cost = stringBytes(ch);
    if (cost > budget) break;
    budget -= cost;
    out += ch;
  }
  return out + TRUNCATED;
}
