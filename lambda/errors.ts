/**
 * Proton errors → what the handler does with them and the message CloudFormation shows.
 *
 * The Provider framework puts a thrown error's message first in the reason CloudFormation shows, so each
 * message starts with what failed and ends with what to do about it.
 */
import { cutToBytes, stringBytes } from './response-size';
import type { InstanceRef } from '../src/private/contract';

/** Errors that pass: the call may succeed if made again later (the SDK has already retried it a few times). */
const TRANSIENT_NAMES = new Set(['ThrottlingException', 'Throttling', 'InternalServerException', 'TimeoutError', 'RequestTimeout', 'ServiceUnavailable']);
const TRANSIENT_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH']);
/**
 * Failures to open a connection at all, as Node and the SDK word them: the name does not resolve, nothing answers
 * at the address, or the SDK's connection timeout (see sdk-config.ts) ran out. Matched on the message, which
 * survives the SDK's "error wrapper" (where the error's code does not).
 */
const CONNECT_FAILURE = /\bconnect (ECONNREFUSED|ETIMEDOUT|ENETUNREACH|EHOSTUNREACH)\b|\bgetaddrinfo (ENOTFOUND|EAI_AGAIN)\b|did not establish a connection/;

const SDK_WRAPPER = 'AWS SDK error wrapper for ';

/** The date AWS Proton support ended; an account that cannot call it any more most likely hit that. */
export const END_OF_SUPPORT = '2026-10-07';

interface SdkError extends Error {
  code?: string;
  syscall?: string;
  hostname?: string;
  address?: string;
  port?: number;
  $metadata?: { httpStatusCode?: number };
}

export function errorName(e: unknown): string {
  return (e as Error)?.name ?? 'Error';
}

/** `Name: message`, for logs and for "the last error seen". */
export function errorSummary(e: unknown): string {
  const message = (e as Error)?.message;
  if (message) return `${errorName(e)}: ${message}`;
  // An AggregateError says nothing itself; its first error says what went wrong.
  const first = (e as { errors?: unknown[] })?.errors?.[0];
  return first === undefined ? errorName(e) : `${errorName(e)}: ${errorSummary(first)}`;
}

/**
 * Throttling, 5xx and network trouble: worth waiting out while a deployment is being watched. A connection that
 * could not be opened at all, a name that does not resolve included, is one of them: where a request may not fail
 * (a rollback, a cleanup) it is waited out; where failing costs nothing, reach.ts has already ended the request.
 */
export function isTransient(e: unknown): boolean {
  const err = e as SdkError;
  if (!err || e instanceof ProtonDeploymentError) return false;
  if (TRANSIENT_NAMES.has(err.name)) return true;
  if (isConnectionFailure(err)) return true;
  // The SDK's retry middleware wraps a thrown value that is not an Error instance (an HTTP-layer failure from
  // another realm, or a plain object) as "AWS SDK error wrapper for …". Service errors are always proper
  // exception classes, so a wrapped value is connection trouble.
  if (err.message?.startsWith(SDK_WRAPPER)) return true;
  if (err.code && TRANSIENT_CODES.has(err.code)) return true;
  const status = err.$metadata?.httpStatusCode;
  return status !== undefined && status >= 500;
}

/**
 * The call never reached the service: no connection could be opened (the name does not resolve, nothing answers,
 * the connection timeout ran out). Transient too (see isTransient).
 */
export function isConnectionFailure(e: unknown): boolean {
  const err = e as SdkError & { errors?: unknown[] };
  // Our own errors (cannotReach's included) quote the connection failure; they are decisions, not failures.
  if (!err || e instanceof ProtonDeploymentError) return false;
  // Node tries each address of a name in turn and, when all refuse, raises an AggregateError with an empty message.
  if (Array.isArray(err.errors) && err.errors.some(isConnectionFailure)) return true;
  if (err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN' || (err.syscall === 'connect' && err.code !== undefined)) return true;
  return CONNECT_FAILURE.test(err.message ?? '');
}

export function isConflict(e: unknown): boolean {
  return errorName(e) === 'ConflictException';
}

/**
 * An error the user must act on; its message is what CloudFormation shows. Text that came from Proton (a
 * deployment's status message, an API error's message) is kept apart, so that a message too long for
 * CloudFormation's response is cut in Proton's words while the explanation around them stays whole.
 */
export class ProtonDeploymentError extends Error {
  /** An error (of this class or a subclass) whose message embeds Proton's text through `compose`. */
  public static withProtonText<T extends ProtonDeploymentError>(
    this: new (message: string, parts?: ProtonTextParts) => T,
    text: string,
    compose: (text: string) => string,
  ): T {
    return new this(compose(text), { protonText: text, compose });
  }

  private readonly parts?: ProtonTextParts;

  constructor(message: string, parts?: ProtonTextParts) {
    super(message);
    this.name = 'ProtonDeploymentError';
    this.parts = parts;
  }

  /** The message, taking at most `maxBytes` inside JSON: Proton's text is cut first, then, if need be, the rest. */
  public fitted(maxBytes: number): string {
    if (stringBytes(this.message) <= maxBytes) return this.message;
    if (this.parts) {
      // What surrounds Proton's text may grow with it (a separator only when there is text): shrink until it fits.
      let room = maxBytes - stringBytes(this.parts.compose(''));
      while (room > 0) {
        const fitted = this.parts.compose(cutToBytes(this.parts.protonText, room));
        const over = stringBytes(fitted) - maxBytes;
        if (over <= 0) return fitted;
        room -= over;
      }
    }
    return cutToBytes(this.message, maxBytes);
  }
}

/** Proton's own words in a message, and how the message is built around them. */
export interface ProtonTextParts {
  readonly protonText: string;
  readonly compose: (protonText: string) => string;
}

/**
 * An error about how things turned out in Proton, rather than about a call that could not be made: a rollback
 * completes despite it (see lifecycle/rollback.ts).
 */
export abstract class ProtonOutcome extends ProtonDeploymentError {
  /** What turned out, for a log line that must not quote Proton's (sensitive) message. */
  public abstract readonly outcome: string;
}

/** A Proton deployment this request waited for ended without success (FAILED, CANCELLED, DELETE_FAILED). */
export class DeploymentEnded extends ProtonOutcome {
  public readonly outcome = 'the deployment did not succeed';
}

/** A wait reached the request's deadline. */
export class WaitTimedOut extends ProtonOutcome {
  public readonly outcome = 'timed out';
}

/** The instance is not there (removed outside the stack). */
export class InstanceGone extends ProtonOutcome {
  public readonly outcome = 'the instance is gone';
}

/** The instance has no output by a key the app asked for. */
export class OutputsMissing extends ProtonOutcome {
  public readonly outcome = 'an output is missing';
}

/** How messages name an instance. */
export function describeInstance(ref: InstanceRef): string {
  return `service instance '${ref.serviceInstanceName}' of service '${ref.serviceName}'`;
}

/** Proton's free text, or a stand-in when it gave none. */
export function protonText(text: string | undefined): string {
  return text?.trim() || 'Proton gave no message';
}

/** "Timed out after N minute(s)", the one way every wait says it ran out of time. */
export function timedOutAfter(timeoutSeconds: number): string {
  return `Timed out after ${Math.round(timeoutSeconds / 60)} minute(s)`;
}

export interface CallContext {
  /** The Proton operation, as the IAM action names it (e.g. CreateServiceInstance). */
  readonly operation: string;
  /** What the call was about, for the message: e.g. "service instance 'prod' of service 'frontend'". */
  readonly subject: string;
  /** The ARN the IAM action applies to, if known. */
  readonly resource?: string;
  /** The IAM service prefix of the action; default proton. */
  readonly service?: string;
}

/** Turns a failed call into an error that says what failed, in Proton's words, and what to do. */
export function describeCallError(e: unknown, ctx: CallContext): ProtonDeploymentError {
  if (e instanceof ProtonDeploymentError) return e;
  const err = e as SdkError;
  const name = errorName(e);
  const service = ctx.service ?? 'proton';
  const api = service === 'proton' ? 'Proton' : 'CloudFormation';
  const advice = callAdvice(err, name, ctx, service, api);
  const compose = (text: string) => `${api} ${ctx.operation} failed for ${ctx.subject} (${name}${text ? `: ${text}` : ''})${advice}`;
  return ProtonDeploymentError.withProtonText(err?.message ?? '', compose);
}

function callAdvice(err: SdkError, name: string, ctx: CallContext, service: string, api: string): string {
  switch (name) {
    case 'AccessDeniedException':
    case 'AccessDenied':
      return (
        `. The handler role needs ${service}:${ctx.operation}${ctx.resource ? ` on ${ctx.resource}` : ''}.` +
        (service === 'proton'
          ? ` If it has it, this account can no longer use AWS Proton, whose support ended on ${END_OF_SUPPORT}; there is nothing to retry.`
          : '')
      );
    case 'ResourceNotFoundException':
      return '. Check that the Proton service exists in this account and region.';
    case 'ValidationException':
      return '. Proton rejected the request; fix the value it names and deploy again.';
    case 'ServiceQuotaExceededException':
      return '. Request a higher Proton quota, or remove instances you no longer need.';
    case 'ConflictException':
      return '. Another operation is running on it; deploy again once it has finished.';
    default:
      if (isConnectionFailure(err)) return `. ${unreachableAdvice(service, api)}`;
      return isTransient(err) ? `. ${api} kept failing after retries; deploy again later.` : '';
  }
}

/**
 * What to do when an API cannot be reached at all. In a VPC, that is a route; outside one, for Proton, most likely
 * the end of the service.
 */
export function unreachableAdvice(service: string, api: string): string {
  const region = process.env.AWS_REGION ?? '<region>';
  const route =
    `The handler could not connect to the ${api} API. If the provider's functions run in a VPC (ServiceInstanceProvider ` +
    `vpc), their subnets need a NAT gateway or an interface VPC endpoint for com.amazonaws.${region}.${service} with private DNS enabled, ` +
    'and their security groups must allow HTTPS out.';
  return service === 'proton'
    ? `${route} Otherwise the Proton endpoint may be gone from this region: AWS Proton support ended on ${END_OF_SUPPORT}.`
    : route;
}

/** onEvent could not connect to an API at all (see reach.ts): fails the request at once, saying how to fix it. */
export function cannotReach(api: string, error: unknown): ProtonDeploymentError {
  const service = api === 'Proton' ? 'proton' : 'cloudformation';
  return new ProtonDeploymentError(`Cannot reach the ${api} API (${errorSummary(error)}). ${unreachableAdvice(service, api)}`);
}
