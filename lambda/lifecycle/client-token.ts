import { createHash } from 'crypto';

/**
 * A client token derived from the CloudFormation request. CloudFormation retries a request with the same
 * RequestId, so a retried call carries the same token and Proton treats it as the same call; a token the SDK
 * generates would differ on every attempt. SHA-256 in hex is exactly Proton's 64-character limit.
 */
export function clientTokenFor(operation: string, event: { StackId: string; LogicalResourceId: string; RequestId: string }): string {
  return createHash('sha256').update([operation, event.StackId, event.LogicalResourceId, event.RequestId].join('\n')).digest('hex');
}
