import { ProtonDeploymentError } from './errors';
import { log } from './log';
import { jsonBytes, RESPONSE_LIMIT, stringBytes } from './response-size';

/**
 * A thrown error, made to fit the FAILED response the Provider framework sends CloudFormation.
 *
 * aws-cdk-lib's framework builds the reason from the function's error: the message, a blank line,
 * `Logs: /aws/lambda/<function>`, a blank line, then the stack trace minus its first line; the whole response must
 * stay within 4,096 bytes or CloudFormation discards it and waits out the resource's timeout. So the message is cut
 * to what is left once the rest of that response is counted, and the stack is reduced to one line, which the
 * framework drops: the reason is the message and the pointer to the logs, nothing else.
 */

/** The physical id the framework answers with when a Create failed before one existed (cfn-response.js). */
const CREATE_FAILED_MARKER = 'AWSCDK::CustomResourceProviderFramework::CREATE_FAILED';

/** The request fields the framework copies into its answer. */
export interface FailedRequest {
  readonly RequestType: string;
  readonly StackId: string;
  readonly RequestId: string;
  readonly LogicalResourceId: string;
  readonly PhysicalResourceId?: string;
}

/** Room for what this module cannot see exactly (Data the framework might merge in, rounding). */
const MARGIN = 64;

export function failureFor(e: unknown, request: FailedRequest): Error {
  const functionName = process.env.AWS_LAMBDA_FUNCTION_NAME ?? 'unknown';
  const reasonAround = ['', '', `Logs: /aws/lambda/${functionName}`, ''].join('\n');
  const response = {
    Status: 'FAILED',
    Reason: '',
    StackId: request.StackId,
    RequestId: request.RequestId,
    PhysicalResourceId: request.PhysicalResourceId || (request.RequestType === 'Create' ? CREATE_FAILED_MARKER : ''),
    LogicalResourceId: request.LogicalResourceId,
  };
  const budget = RESPONSE_LIMIT - jsonBytes(response) - stringBytes(reasonAround) - MARGIN;
  const known = e instanceof ProtonDeploymentError;
  if (!known) {
    // A bug of ours, not a Proton answer: the trace goes to the handler's log, where the reason points.
    log.error('unexpected error', { error: (e as Error)?.name, errorMessage: (e as Error)?.message, stack: (e as Error)?.stack });
  }
  const original = known ? e : new ProtonDeploymentError(`${(e as Error)?.name ?? 'Error'}: ${(e as Error)?.message ?? String(e)}`);
  const failure = new ProtonDeploymentError(original.fitted(budget));
  // One line: the framework appends the trace minus its first line, so nothing is appended.
  failure.stack = failure.name;
  return failure;
}
