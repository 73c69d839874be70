/** The AWS limits and fixed timings the local services enforce, each defined once. */

/** CloudFormation rejects a custom resource response body larger than this (bytes). */
export const MAX_RESPONSE_BYTES = 4096;

/** CloudFormation's wait for a custom resource response when the resource sets no ServiceTimeout (seconds). */
export const DEFAULT_SERVICE_TIMEOUT_SECONDS = 3600;

/** Lambda's synchronous Invoke: request and response payloads at most 6 MB (bytes). */
export const LAMBDA_MAX_PAYLOAD_BYTES = 6_291_456;

/** Lambda's default function timeout when the template sets none (seconds). */
export const LAMBDA_DEFAULT_TIMEOUT_SECONDS = 3;

/**
 * Lambda retries a failed asynchronous invocation twice, about one and then two minutes later (seconds after the
 * previous attempt). CloudFormation invokes a custom resource's ServiceToken function asynchronously.
 */
export const LAMBDA_ASYNC_RETRY_DELAYS_SECONDS: readonly number[] = [60, 120];

/** Step Functions: execution input, and every state's input and output, at most 256 KiB (bytes of UTF-8). */
export const STATES_MAX_PAYLOAD_BYTES = 262_144;
