/**
 * CloudFormation's side of one custom resource request: send it to the provider, wait at most
 * ServiceTimeout for the response, and judge the response as CloudFormation does (size, status).
 */
import { ScaledClock } from './clock';
import { LocalLambdaRuntime } from './lambda-runtime';
import { InvocationRecord, ProviderTarget, runProviderFramework } from './provider-framework';
import { CfnRequest, CfnResponseBody } from './types';

/** CloudFormation rejects a custom resource response body larger than this. */
export const MAX_RESPONSE_BYTES = 4096;
/** CloudFormation's wait for a custom resource response when ServiceTimeout is not set. */
export const DEFAULT_SERVICE_TIMEOUT_SECONDS = 3600;

export interface ResponseRecord {
  readonly logicalId: string;
  readonly requestId: string;
  readonly requestType: string;
  readonly delivery: number;
  /** Undefined when CloudFormation stopped waiting before the provider answered. */
  readonly body?: CfnResponseBody;
  readonly bytes?: number;
}

export interface CustomResourceOutcome {
  readonly ok: boolean;
  /** The id CloudFormation records; undefined when no usable response arrived. */
  readonly physicalId?: string;
  readonly data: Record<string, unknown>;
  readonly reason?: string;
}

export interface CallOptions {
  readonly runtime: LocalLambdaRuntime;
  readonly clock: ScaledClock;
  readonly pollIntervalMs?: number;
  readonly maxAttempts?: number;
  /** Deliver the same request (same RequestId) a second time after the first one finished. */
  readonly duplicate: boolean;
  readonly recordInvocation: (invocation: InvocationRecord) => void;
  readonly recordResponse: (response: ResponseRecord) => void;
}

export async function callCustomResource(
  request: CfnRequest, target: ProviderTarget, serviceTimeoutSeconds: number, options: CallOptions,
): Promise<CustomResourceOutcome> {
  const first = await deliver(request, target, serviceTimeoutSeconds, options, 1);
  if (options.duplicate) {
    // CloudFormation keeps the first answer; the second delivery only shows whether the handler is idempotent.
    await deliver(request, target, serviceTimeoutSeconds, options, 2);
  }
  if (!first) {
    return {
      ok: false,
      data: {},
      reason: `CloudFormation did not receive a response from your Custom Resource within ${serviceTimeoutSeconds} seconds (ServiceTimeout). `
        + `Please check your logs for requestId [${request.RequestId}]. `
        + 'If you are using the Python cfn-response module, you may need to update your Lambda function code so that CloudFormation can attach the updated version.',
    };
  }
  const bytes = Buffer.byteLength(JSON.stringify(first), 'utf8');
  if (bytes > MAX_RESPONSE_BYTES) {
    return {
      ok: false,
      data: {},
      reason: `Response object is too long. The response body is ${bytes} bytes; CloudFormation accepts at most ${MAX_RESPONSE_BYTES} bytes (Data, Reason and ids included).`,
    };
  }
  if (first.Status !== 'SUCCESS') {
    return {
      ok: false,
      physicalId: first.PhysicalResourceId,
      data: {},
      reason: `Received response status [${first.Status}] from custom resource. Message returned: ${first.Reason} (RequestId: ${first.RequestId})`,
    };
  }
  return { ok: true, physicalId: first.PhysicalResourceId, data: first.Data ?? {} };
}

async function deliver(
  request: CfnRequest, target: ProviderTarget, serviceTimeoutSeconds: number, options: CallOptions, delivery: number,
): Promise<CfnResponseBody | undefined> {
  const stopProvider = new AbortController();
  const stopTimer = new AbortController();
  const run = runProviderFramework(request, target, {
    runtime: options.runtime,
    clock: options.clock,
    pollIntervalMs: options.pollIntervalMs,
    maxAttempts: options.maxAttempts,
    signal: stopProvider.signal,
    delivery,
    record: options.recordInvocation,
  });
  const timer = options.clock.sleepReal(options.clock.realMs(serviceTimeoutSeconds * 1000), stopTimer.signal).then(() => 'timeout' as const);
  const winner = await Promise.race([run, timer]);
  let body: CfnResponseBody | undefined;
  if (winner === 'timeout' && !stopTimer.signal.aborted) {
    stopProvider.abort();
    // Let the in-flight invocation end so nothing of this request runs alongside the next operation.
    await run;
  } else {
    stopTimer.abort();
    body = winner as CfnResponseBody | undefined;
  }
  options.recordResponse({
    logicalId: request.LogicalResourceId,
    requestId: request.RequestId,
    requestType: request.RequestType,
    delivery,
    body,
    bytes: body ? Buffer.byteLength(JSON.stringify(body), 'utf8') : undefined,
  });
  return body;
}
