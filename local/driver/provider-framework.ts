/**
 * The aws-cdk-lib `custom-resources` Provider framework, replayed locally: the logic of
 * runtime/framework.js and runtime/cfn-response.js (onEvent, the waiter state machine, isComplete, onTimeout),
 * with Lambda and Step Functions replaced by in-process calls. Behaviour follows aws-cdk-lib 2.257.0.
 */
import { ScaledClock } from './clock';
import { InvokeOutcome, LambdaFunctionSpec, LocalLambdaRuntime } from './lambda-runtime';
import { CfnRequest, CfnResponseBody } from './types';

export const CREATE_FAILED_PHYSICAL_ID_MARKER = 'AWSCDK::CustomResourceProviderFramework::CREATE_FAILED';
export const MISSING_PHYSICAL_ID_MARKER = 'AWSCDK::CustomResourceProviderFramework::MISSING_PHYSICAL_ID';

/** The Retry block of the waiter state machine (Step Functions semantics: MaxAttempts counts retries). */
export interface WaiterPolicy {
  readonly intervalSeconds: number;
  readonly maxAttempts: number;
  readonly backoffRate: number;
}

export interface ProviderTarget {
  readonly onEvent: LambdaFunctionSpec;
  readonly isComplete?: LambdaFunctionSpec;
  readonly waiter?: WaiterPolicy;
}

export interface InvocationRecord {
  readonly logicalId: string;
  readonly requestId: string;
  readonly requestType: string;
  readonly step: 'onEvent' | 'isComplete';
  readonly functionName: string;
  /** 1 for the first delivery of a request, 2 for a duplicate. */
  readonly delivery: number;
  readonly outcome: InvokeOutcome;
}

export interface FrameworkOptions {
  readonly runtime: LocalLambdaRuntime;
  readonly clock: ScaledClock;
  /** Real milliseconds between polls, replacing the waiter's IntervalSeconds. */
  readonly pollIntervalMs?: number;
  /** Replaces the waiter's MaxAttempts. */
  readonly maxAttempts?: number;
  /** Aborted when CloudFormation stops listening (ServiceTimeout): no further polls are made. */
  readonly signal?: AbortSignal;
  readonly delivery: number;
  readonly record: (invocation: InvocationRecord) => void;
}

type MutableEvent = Record<string, any>;

/** Thrown by isComplete to ask the state machine for another attempt (cfn-response.js `Retry`). */
class Retry extends Error {}

/** Runs one request through the framework; resolves to the body it would PUT, or undefined if aborted first. */
export async function runProviderFramework(
  request: CfnRequest, target: ProviderTarget, options: FrameworkOptions,
): Promise<CfnResponseBody | undefined> {
  const cfnRequest: MutableEvent = JSON.parse(JSON.stringify(request));
  let waitFor: MutableEvent | undefined;
  const first = await safeHandler(cfnRequest, async (event) => {
    event.ResourceProperties = event.ResourceProperties || {};
    const onEventResult = await invokeUserFunction(target.onEvent, 'onEvent', event, options);
    const resourceEvent = createResponseEvent(event, onEventResult);
    if (!target.isComplete) return submitResponse('SUCCESS', resourceEvent, { noEcho: resourceEvent.NoEcho });
    waitFor = resourceEvent;
    return undefined;
  });
  if (first || !waitFor) return first;
  return runWaiter(waitFor, target, options);
}

/** The waiter state machine: isComplete now, then after each Retry wait interval × backoff^n, up to MaxAttempts retries. */
async function runWaiter(resourceEvent: MutableEvent, target: ProviderTarget, options: FrameworkOptions): Promise<CfnResponseBody | undefined> {
  const policy = target.waiter ?? { intervalSeconds: 5, maxAttempts: 360, backoffRate: 1 };
  const maxAttempts = options.maxAttempts ?? policy.maxAttempts;
  const baseMs = options.pollIntervalMs ?? options.clock.realMs(policy.intervalSeconds * 1000);
  // Step Functions passes the state input as a JSON string: every attempt starts from a fresh copy.
  const input = JSON.stringify(resourceEvent);
  for (let retry = 0; ; retry++) {
    if (options.signal?.aborted) return undefined;
    try {
      return await safeHandler(JSON.parse(input), (event) => frameworkIsComplete(event, target, options));
    } catch (e) {
      if (!(e instanceof Retry)) throw e;
    }
    if (retry >= maxAttempts) {
      // onTimeout: the Catch hands the last isComplete request to the timeout handler.
      return submitResponse('FAILED', JSON.parse(input), { reason: 'Operation timed out' });
    }
    await options.clock.sleepReal(baseMs * Math.pow(policy.backoffRate, retry), options.signal);
  }
}

async function frameworkIsComplete(event: MutableEvent, target: ProviderTarget, options: FrameworkOptions): Promise<CfnResponseBody> {
  const isCompleteResult = await invokeUserFunction(target.isComplete!, 'isComplete', event, options);
  if (isCompleteResult === null || isCompleteResult === undefined) {
    // framework.js reads `isCompleteResult.IsComplete` unguarded; the TypeError it gets becomes the reason.
    throw frameworkError(`Cannot read properties of ${isCompleteResult} (reading 'IsComplete')`, 'isComplete', 'TypeError');
  }
  const result = isCompleteResult as MutableEvent;
  if (!result.IsComplete) {
    if (result.Data && Object.keys(result.Data).length > 0) {
      throw frameworkError('"Data" is not allowed if "IsComplete" is "False"', 'isComplete');
    }
    throw new Retry(JSON.stringify(event));
  }
  const response = { ...event, ...result, Data: { ...event.Data, ...result.Data } };
  return submitResponse('SUCCESS', response, { noEcho: event.NoEcho });
}

async function invokeUserFunction(fn: LambdaFunctionSpec, step: 'onEvent' | 'isComplete', payload: MutableEvent, options: FrameworkOptions): Promise<any> {
  const outcome = await options.runtime.invoke(fn, payload);
  options.record({
    logicalId: payload.LogicalResourceId,
    requestId: payload.RequestId,
    requestType: payload.RequestType,
    step,
    functionName: fn.functionName,
    delivery: options.delivery,
    outcome,
  });
  if (outcome.ok) return outcome.payload;
  const errorMessage = outcome.error.errorMessage || 'error';
  const arn = fn.arn.split(':');
  const message = [errorMessage, '', `Logs: /aws/lambda/${arn[arn.length - 1]}`, ''].join('\n');
  const e = frameworkError(message, 'invokeUserFunction');
  if (outcome.error.trace) e.stack = [message, ...outcome.error.trace.slice(1)].join('\n');
  throw e;
}

function createResponseEvent(cfnRequest: MutableEvent, onEventResult: any): MutableEvent {
  onEventResult = onEventResult || {};
  const physicalResourceId = onEventResult.PhysicalResourceId || defaultPhysicalResourceId(cfnRequest);
  if (cfnRequest.RequestType === 'Delete' && physicalResourceId !== cfnRequest.PhysicalResourceId) {
    throw frameworkError(`DELETE: cannot change the physical resource ID from "${cfnRequest.PhysicalResourceId}" to "${onEventResult.PhysicalResourceId}" during deletion`, 'createResponseEvent');
  }
  return { ...cfnRequest, ...onEventResult, PhysicalResourceId: physicalResourceId };
}

function defaultPhysicalResourceId(req: MutableEvent): string {
  switch (req.RequestType) {
    case 'Create': return req.RequestId;
    case 'Update':
    case 'Delete': return req.PhysicalResourceId;
    default: throw frameworkError(`Invalid "RequestType" in request "${JSON.stringify(req)}"`, 'defaultPhysicalResourceId');
  }
}

/** cfn-response.js safeHandler: the CREATE_FAILED marker, and every error turned into a FAILED response. */
async function safeHandler(
  event: MutableEvent, block: (event: MutableEvent) => Promise<CfnResponseBody | undefined>,
): Promise<CfnResponseBody | undefined> {
  if (event.RequestType === 'Delete' && event.PhysicalResourceId === CREATE_FAILED_PHYSICAL_ID_MARKER) {
    return submitResponse('SUCCESS', event);
  }
  try {
    return await block(event);
  } catch (e) {
    if (e instanceof Retry) throw e;
    if (!event.PhysicalResourceId && event.RequestType === 'Create') {
      event.PhysicalResourceId = CREATE_FAILED_PHYSICAL_ID_MARKER;
    }
    // includeStackTraces is true in cfn-response.js: the reason is the stack, which starts with the message.
    return submitResponse('FAILED', event, { reason: (e as Error).stack ?? String(e) });
  }
}

function submitResponse(status: 'SUCCESS' | 'FAILED', event: MutableEvent, options: { reason?: string; noEcho?: boolean } = {}): CfnResponseBody {
  const json = {
    Status: status,
    Reason: options.reason || status,
    StackId: event.StackId,
    RequestId: event.RequestId,
    PhysicalResourceId: event.PhysicalResourceId || MISSING_PHYSICAL_ID_MARKER,
    LogicalResourceId: event.LogicalResourceId,
    NoEcho: options.noEcho,
    Data: event.Data,
  };
  // What actually travels is JSON: undefined fields vanish, as they do in the PUT body.
  return JSON.parse(JSON.stringify(json));
}

/** An error as framework.js would raise it; the stack is fixed so reasons are reproducible. */
function frameworkError(message: string, frame: string, name = 'Error'): Error {
  const e = new Error(message);
  e.name = name;
  e.stack = `${name}: ${message}\n    at ${frame} (/var/task/framework.js)`;
  return e;
}
