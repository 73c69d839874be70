/** Attempts per call, unless AWS_MAX_ATTEMPTS says otherwise: throttled calls are retried with backoff. */
const DEFAULT_MAX_ATTEMPTS = 8;

/**
 * The configuration of every SDK client of the handler. The rest comes from the SDK's default chain (region,
 * credentials, and `AWS_ENDPOINT_URL_<SERVICE>`, which points a client at a local server); retries follow the
 * SDK's standard strategy.
 */
export function sdkClientConfig(): { maxAttempts?: number } {
  return process.env.AWS_MAX_ATTEMPTS ? {} : { maxAttempts: DEFAULT_MAX_ATTEMPTS };
}
