import { createHash } from 'crypto';

/**
 * The client token of one Proton call, derived from the CloudFormation request.
 *
 * CloudFormation retries a request with the same RequestId, so a retried call carries the same token and Proton
 * treats it as the same call; a token the SDK generates would differ on every attempt. A different request
 * (another update, a replacement, a rollback) gets a different token, so Proton never sees one token with two sets
 * of parameters. The user's `clientToken` only seeds the derivation.
 *
 * The token has two halves (64 hex characters in all, Proton's limit): the first names the resource — the stack
 * and the logical id — and the second the request. An instance whose last deployment carries this resource's half
 * was last deployed by this resource, whichever of its requests it was: that is how a rollback recognises the
 * instance the stack had before a rename, even without the stack's status.
 */

const RESOURCE_HALF = 24;
const REQUEST_HALF = 40;

interface TokenSource {
  readonly StackId: string;
  readonly LogicalResourceId: string;
  readonly RequestId: string;
}

function hex(parts: string[], length: number): string {
  return createHash('sha256').update(parts.join('\n')).digest('hex').slice(0, length);
}

/** The half of every token of this resource that names it. */
export function resourceTokenPrefix(event: Omit<TokenSource, 'RequestId'>, seed?: string): string {
  return hex([seed ?? '', 'resource', event.StackId, event.LogicalResourceId], RESOURCE_HALF);
}

export function clientTokenFor(operation: string, event: TokenSource, seed?: string): string {
  return resourceTokenPrefix(event, seed) + hex([seed ?? '', operation, event.StackId, event.LogicalResourceId, event.RequestId], REQUEST_HALF);
}

/** Whether a client token Proton recorded on an instance came from a request of this resource. */
export function fromThisResource(token: string | undefined, event: Omit<TokenSource, 'RequestId'>, seed?: string): boolean {
  return token !== undefined && token.startsWith(resourceTokenPrefix(event, seed));
}
