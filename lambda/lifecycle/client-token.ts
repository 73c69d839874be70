import { createHash } from 'crypto';

/**
 * The client token of one Proton call, derived from the CloudFormation request. CloudFormation retries a request
 * with the same RequestId, so a retried call carries the same token and Proton treats it as the same call; a
 * token the SDK generates would differ on every attempt. A different request (another update, a replacement,
 * a rollback) gets a different token, so Proton never sees one token with two sets of parameters. The user's
 * `clientToken` only seeds the derivation. SHA-256 in hex is exactly Proton's 64-character limit.
 */
export function clientTokenFor(
  operation: string,
  event: { StackId: string; LogicalResourceId: string; RequestId: string },
  seed?: string,
): string {
  const parts = [operation, event.StackId, event.LogicalResourceId, event.RequestId];
  return createHash('sha256').update((seed === undefined ? parts : [seed, ...parts]).join('\n')).digest('hex');
}
