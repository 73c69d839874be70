/**
 * Proton errors → what the handler does with them and the message CloudFormation shows.
 *
 * The Provider framework puts a thrown error's message first in the reason CloudFormation shows, so each
 * message starts with what failed and ends with what to do about it.
 */

/** Errors that pass: the call may succeed if made again later (the SDK has already retried it a few times). */
const TRANSIENT_NAMES = new Set(['ThrottlingException', 'InternalServerException', 'TimeoutError', 'RequestTimeout', 'ServiceUnavailable']);
const TRANSIENT_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH']);

const SDK_WRAPPER = 'AWS SDK error wrapper for ';

/** The date AWS Proton support ended; an account that cannot call it any more most likely hit that. */
export const END_OF_SUPPORT = '2026-10-07';

interface SdkError extends Error {
  code?: string;
  $metadata?: { httpStatusCode?: number };
  $retryable?: unknown;
}

export function errorName(e: unknown): string {
  return (e as Error)?.name ?? 'Error';
}

/** Throttling, 5xx and network trouble: worth waiting out while a deployment is being watched. */
export function isTransient(e: unknown): boolean {
  const err = e as SdkError;
  if (!err) return false;
  if (TRANSIENT_NAMES.has(err.name)) return true;
  // The SDK's retry middleware wraps a thrown value that is not an Error instance (an HTTP-layer failure from
  // another realm, or a plain object) as "AWS SDK error wrapper for …". Service errors are always proper
  // exception classes, so a wrapped value is connection trouble.
  if (err.message?.startsWith(SDK_WRAPPER)) return true;
  if (err.code && TRANSIENT_CODES.has(err.code)) return true;
  const status = err.$metadata?.httpStatusCode;
  return status !== undefined && status >= 500;
}

export function isConflict(e: unknown): boolean {
  return errorName(e) === 'ConflictException';
}

/**
 * The longest message the handler throws. The Provider framework sends the message, a link to the logs and a
 * stack trace as the reason, and CloudFormation drops a response over 4,096 bytes (the stack then waits for
 * its timeout instead of failing), so Proton's free text is cut to leave room for the rest.
 */
export const MAX_MESSAGE_LENGTH = 1800;

/** An error the user must act on; its message is what CloudFormation shows. */
export class ProtonDeploymentError extends Error {
  constructor(message: string) {
    super(message.length > MAX_MESSAGE_LENGTH ? `${message.slice(0, MAX_MESSAGE_LENGTH)} …[truncated]` : message);
    this.name = 'ProtonDeploymentError';
  }
}

export interface CallContext {
  /** The Proton operation, as the IAM action names it (e.g. CreateServiceInstance). */
  readonly operation: string;
  /** What the call was about, for the message: e.g. "service instance 'prod' of service 'frontend'". */
  readonly subject: string;
  /** The ARN the IAM action applies to, if known. */
  readonly resource?: string;
}

/** Turns a failed Proton call into an error that says what failed and what to do. */
export function describeCallError(e: unknown, ctx: CallContext): ProtonDeploymentError {
  if (e instanceof ProtonDeploymentError) return e;
  const err = e as SdkError;
  const name = errorName(e);
  const detail = err?.message ? `: ${err.message}` : '';
  const what = `Proton ${ctx.operation} failed for ${ctx.subject} (${name}${detail})`;
  switch (name) {
    case 'AccessDeniedException':
      return new ProtonDeploymentError(
        `${what}. The handler role needs proton:${ctx.operation}${ctx.resource ? ` on ${ctx.resource}` : ''}. ` +
          `If it has it, this account can no longer use AWS Proton, whose support ended on ${END_OF_SUPPORT}; ` +
          'there is nothing to retry.',
      );
    case 'ResourceNotFoundException':
      return new ProtonDeploymentError(`${what}. Check that the Proton service exists in this account and region.`);
    case 'ValidationException':
      return new ProtonDeploymentError(`${what}. Proton rejected the request; fix the value it names and deploy again.`);
    case 'ServiceQuotaExceededException':
      return new ProtonDeploymentError(`${what}. Request a higher Proton quota, or remove instances you no longer need.`);
    case 'ConflictException':
      return new ProtonDeploymentError(`${what}. Another operation is running on it; deploy again once it has finished.`);
    default:
      if (err?.code === 'ENOTFOUND') {
        return new ProtonDeploymentError(
          `${what}. The Proton endpoint does not resolve in this region; AWS Proton support ended on ${END_OF_SUPPORT}.`,
        );
      }
      if (isTransient(e)) {
        return new ProtonDeploymentError(`${what}. Proton kept failing after retries; deploy again later.`);
      }
      return new ProtonDeploymentError(what);
  }
}
