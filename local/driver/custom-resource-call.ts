/**
 * CloudFormation's side of one custom resource request: invoke the ServiceToken function asynchronously (Lambda
 * retries it when it fails), wait for the response body at the request's presigned URL for at most ServiceTimeout,
 * and judge the body as CloudFormation does (size, status). The provider is not stopped when CloudFormation
 * stops waiting: whatever it started (the waiter's execution) runs on, and a late body is stored by S3 and ignored.
 */
import { VirtualClock } from './clock';
import { MAX_RESPONSE_BYTES } from './limits';
import { LocalLambda } from './local-lambda';
import { ResponseUrls } from './response-urls';
import { CfnRequest, CfnResponseBody } from './types';

export interface CustomResourceOutcome {
  readonly ok: boolean;
  /** The id CloudFormation records; undefined when no usable response arrived. */
  readonly physicalId?: string;
  readonly data: Record<string, unknown>;
  readonly noEcho?: boolean;
  readonly reason?: string;
}

export interface CallOptions {
  readonly lambda: LocalLambda;
  readonly responseUrls: ResponseUrls;
  readonly clock: VirtualClock;
  readonly serviceTimeoutSeconds: number;
  /** Deliver the same request (same RequestId and URL) a second time after the first one was answered. */
  readonly duplicate: boolean;
  /** Aborts when the stack update is cancelled: CloudFormation stops waiting for this resource. */
  readonly cancel?: AbortSignal;
  /** Aborts Lambda's retries of the asynchronous invocation (the driver is disposed). */
  readonly background: AbortSignal;
  /** Runs (and is awaited by dispose) every invocation chain this request starts. */
  readonly track: (work: Promise<void>) => void;
}

export async function callCustomResource(request: CfnRequest, options: CallOptions): Promise<CustomResourceOutcome> {
  const first = await deliver(request, options, 1);
  if (options.duplicate && first.kind !== 'cancelled') {
    // CloudFormation keeps the first answer; the second delivery only shows whether the handler is idempotent.
    await deliver(request, options, 2);
  }
  return judge(request, first, options.serviceTimeoutSeconds);
}

type Delivery =
  | { readonly kind: 'body'; readonly body: string }
  | { readonly kind: 'timeout' }
  | { readonly kind: 'cancelled' }
  | { readonly kind: 'not-invoked'; readonly reason: string };

async function deliver(request: CfnRequest, options: CallOptions, delivery: number): Promise<Delivery> {
  const stopWaiting = new AbortController();
  try {
    options.track(options.lambda.invokeAsync(request.ServiceToken, JSON.stringify(request), options.background));
  } catch (e) {
    return { kind: 'not-invoked', reason: (e as Error).message };
  }
  const body = options.responseUrls.nextBody(request.ResponseURL, delivery, stopWaiting.signal)
    .then((text): Delivery => (text === undefined ? { kind: 'timeout' } : { kind: 'body', body: text }));
  const timeout = options.clock.sleep(options.serviceTimeoutSeconds * 1000, stopWaiting.signal).then((): Delivery => ({ kind: 'timeout' }));
  const cancelled = new Promise<Delivery>((resolve) => {
    if (!options.cancel) return;
    const cancel = () => resolve({ kind: 'cancelled' });
    if (options.cancel.aborted) cancel();
    else options.cancel.addEventListener('abort', cancel, { once: true });
    stopWaiting.signal.addEventListener('abort', () => options.cancel?.removeEventListener('abort', cancel), { once: true });
  });
  const winner = await Promise.race([body, timeout, cancelled]);
  // Stops the other waits: the clock forgets the ServiceTimeout sleeper, the URL records that nobody waits any more.
  stopWaiting.abort();
  return winner;
}

function judge(request: CfnRequest, delivery: Delivery, serviceTimeoutSeconds: number): CustomResourceOutcome {
  switch (delivery.kind) {
    case 'not-invoked':
      return { ok: false, data: {}, reason: `Failed to invoke the ServiceToken ${request.ServiceToken}: ${delivery.reason}` };
    case 'cancelled':
      return { ok: false, data: {}, reason: request.RequestType === 'Create' ? 'Resource creation cancelled' : 'Resource update cancelled' };
    case 'timeout':
      return {
        ok: false,
        data: {},
        reason: `CloudFormation did not receive a response from your Custom Resource within ${serviceTimeoutSeconds} seconds (ServiceTimeout). `
          + `Please check your logs for requestId [${request.RequestId}]. `
          + 'If you are using the Python cfn-response module, you may need to update your Lambda function code so that CloudFormation can attach the updated version.',
      };
    case 'body':
      break;
  }
  const bytes = Buffer.byteLength(delivery.body, 'utf8');
  if (bytes > MAX_RESPONSE_BYTES) {
    return {
      ok: false,
      data: {},
      reason: `Response object is too long. The response body is ${bytes} bytes; CloudFormation accepts at most ${MAX_RESPONSE_BYTES} bytes (Data, Reason and ids included).`,
    };
  }
  let body: CfnResponseBody;
  try {
    body = JSON.parse(delivery.body) as CfnResponseBody;
  } catch {
    return { ok: false, data: {}, reason: `Invalid response object: the body at the ResponseURL is not JSON (RequestId: ${request.RequestId})` };
  }
  if (body.Status !== 'SUCCESS') {
    return {
      ok: false,
      physicalId: body.PhysicalResourceId,
      data: {},
      reason: `Received response status [${body.Status}] from custom resource. Message returned: ${body.Reason} (RequestId: ${body.RequestId})`,
    };
  }
  return { ok: true, physicalId: body.PhysicalResourceId, data: body.Data ?? {}, noEcho: body.NoEcho === true };
}
