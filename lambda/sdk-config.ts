/** Attempts per call, unless AWS_MAX_ATTEMPTS says otherwise: throttled calls are retried with backoff. */
const DEFAULT_MAX_ATTEMPTS = 8;

/**
 * The configuration of every SDK client of the handler. The rest comes from the SDK's default chain (region,
 * credentials, and `AWS_ENDPOINT_URL_<SERVICE>`, which points a client at a local server); retries follow the
 * SDK's standard strategy.
 */
export function sdkClientConfig(): { maxAttempts?: number; requestHandler: { connectionTimeout: number } } {
  const requestHandler = { connectionTimeout: CONNECTION_TIMEOUT_MS };
  return process.env.AWS_MAX_ATTEMPTS ? { requestHandler } : { maxAttempts: DEFAULT_MAX_ATTEMPTS, requestHandler };
}

/**
 * How long one attempt may take to open its connection. An AWS API endpoint answers within milliseconds; without
 * a limit, an attempt from a VPC with no route to the API hangs until the function times out.
 */
const CONNECTION_TIMEOUT_MS = 5_000;
