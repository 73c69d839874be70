import { Duration } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { INSTANCE_TIMEOUT_SECONDS } from './contract';

/** The Lambda runtime of the handler; the esbuild target in .projenrc.ts (`node22`) must match it. */
export const HANDLER_RUNTIME = lambda.Runtime.NODEJS_22_X;

/**
 * How often the Provider framework asks the handler whether a deployment has finished, and the bounds of
 * `pollInterval`: at most 30 s, so that the last poll after the longest instance timeout still falls within the
 * waiter's total timeout and the handler answers within SERVICE_TIMEOUT_MARGIN.
 */
export const DEFAULT_POLL_INTERVAL = Duration.seconds(10);
export const MIN_POLL_INTERVAL = Duration.seconds(5);
export const MAX_POLL_INTERVAL = Duration.seconds(30);

/** The `timeout` bounds a ServiceInstance accepts, and its default (long enough for most Proton deployments). */
export const MIN_INSTANCE_TIMEOUT = Duration.seconds(INSTANCE_TIMEOUT_SECONDS.min);
export const MAX_INSTANCE_TIMEOUT = Duration.seconds(INSTANCE_TIMEOUT_SECONDS.max);
export const DEFAULT_INSTANCE_TIMEOUT = Duration.seconds(INSTANCE_TIMEOUT_SECONDS.default);

/**
 * The Provider's waiter gives up after this long. The handler enforces each instance's own `timeout` (and
 * cancels the deployment when it runs out), so the waiter only has to outlast the longest one, plus a poll.
 */
export const PROVIDER_TOTAL_TIMEOUT = MAX_INSTANCE_TIMEOUT.plus(Duration.minutes(1));

/**
 * How much longer than the instance's `timeout` CloudFormation waits for an answer. The handler answers
 * itself within one poll of the timeout; this is the backstop for a provider that crashed.
 */
export const SERVICE_TIMEOUT_MARGIN = Duration.minutes(2);

/**
 * The Lambda timeout of the onEvent and isComplete handlers. One invocation makes a few Proton calls, but the
 * SDK retries throttled ones with backoff inside it (up to 8 attempts): leave it room to do so.
 */
export const HANDLER_TIMEOUT = Duration.minutes(2);
