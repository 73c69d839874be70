/**
 * The modules a sandboxed function gets instead of the real ones, so that aws-cdk-lib's Provider framework code
 * (outbound.js) runs unchanged against the local services:
 * - `@aws-sdk/client-lambda`: `Lambda` (invoke, getFunction) and `waitUntilFunctionActiveV2`;
 * - `@aws-sdk/client-sfn`: `SFN` (startExecution);
 * - `https`: `request` delivers PUTs to CloudFormation's response URLs; any other host goes to the real module.
 * Calls are signed, as the real SDK would sign them, with the credentials in the calling invocation's environment.
 */
import { EventEmitter } from 'events';
import type { ClientRequest } from 'http';
import * as realHttps from 'https';
import { VirtualClock } from './clock';
import { LambdaFunctionSpec } from './lambda-runtime';
import { Caller, LocalLambda } from './local-lambda';
import { LocalStepFunctions } from './local-step-functions';
import { ResponseUrls } from './response-urls';

export interface SdkFakeServices {
  readonly lambda: LocalLambda;
  readonly stepFunctions: LocalStepFunctions;
  readonly responseUrls: ResponseUrls;
  readonly clock: VirtualClock;
  /** The environment of the invocation the calling code runs in. */
  readonly currentInvocation: () => { readonly fn: LambdaFunctionSpec; readonly env: Readonly<Record<string, string>> } | undefined;
  /** Runs a wait inside the current invocation as idle time (LocalLambdaRuntime.idle). */
  readonly idle: <T>(wait: () => Promise<T>) => Promise<T>;
}

/** The substitutes, by the specifier a module requires them with. */
export function sdkSubstitutes(services: SdkFakeServices): Record<string, unknown> {
  const https = fakeHttps(services.responseUrls);
  return {
    '@aws-sdk/client-lambda': fakeClientLambda(services),
    '@aws-sdk/client-sfn': fakeClientSfn(services),
    'https': https,
    'node:https': https,
  };
}

/** The default credential chain inside Lambda: the role session's keys in the environment. */
function callerOf(services: SdkFakeServices): Caller {
  const accessKeyId = services.currentInvocation()?.env.AWS_ACCESS_KEY_ID;
  if (!accessKeyId) {
    const e = new Error('Could not load credentials from any providers');
    e.name = 'CredentialsProviderError';
    throw e;
  }
  return { accessKeyId };
}

function notSupported(client: string, what: string): never {
  throw new Error(`${client}: ${what} is not available locally (the driver fakes only what the Provider framework calls)`);
}

function fakeClientLambda(services: SdkFakeServices) {
  class Lambda {
    constructor(_config?: unknown) {}
    public invoke(request: { FunctionName?: string; Payload?: string | Uint8Array; InvocationType?: string }) {
      const caller = callerOf(services);
      if (request.InvocationType && request.InvocationType !== 'RequestResponse') notSupported('Lambda.invoke', `InvocationType ${request.InvocationType}`);
      return services.lambda.invoke(String(request.FunctionName), request.Payload, caller);
    }
    public async getFunction(request: { FunctionName?: string }) {
      return services.lambda.getFunction(String(request.FunctionName), callerOf(services));
    }
    public send(command: unknown): never {
      return notSupported('Lambda.send', (command as object)?.constructor?.name ?? 'a command');
    }
  }

  /**
   * The SDK's waiter (minDelay 1 s, maxDelay 300 s, exponential backoff with jitter until maxWaitTime): polls
   * GetFunction until the function is Active; errors (a denied GetFunction too) are retried until the time is up,
   * then it throws the SDK's TimeoutError. Its delays are on the driver's clock, and count as idle time.
   */
  async function waitUntilFunctionActiveV2(
    params: { client: Lambda; maxWaitTime: number; minDelay?: number; maxDelay?: number },
    input: { FunctionName?: string },
  ): Promise<{ state: 'SUCCESS'; reason: unknown }> {
    const { clock } = services;
    const minDelayMs = (params.minDelay ?? 1) * 1000;
    const maxDelayMs = (params.maxDelay ?? 300) * 1000;
    const waitUntil = clock.now() + params.maxWaitTime * 1000;
    const observedResponses: Record<string, number> = {};
    for (let attempt = 0; ; attempt++) {
      if (attempt > 0) {
        const ceiling = Math.log(maxDelayMs / minDelayMs) / Math.log(2) + 1;
        const capped = attempt > ceiling ? maxDelayMs : Math.min(minDelayMs * 2 ** (attempt - 1), maxDelayMs);
        const delayMs = attempt > ceiling ? maxDelayMs : minDelayMs + Math.random() * (capped - minDelayMs);
        if (clock.now() + delayMs > waitUntil) {
          const e = new Error(JSON.stringify({ state: 'TIMEOUT', observedResponses, reason: 'Waiter has timed out' }));
          e.name = 'TimeoutError';
          throw e;
        }
        await services.idle(() => clock.sleep(delayMs));
      }
      try {
        const result = await params.client.getFunction({ FunctionName: input.FunctionName });
        observedResponses['200: OK'] = (observedResponses['200: OK'] ?? 0) + 1;
        if (result.Configuration.State === 'Active') return { state: 'SUCCESS', reason: result };
      } catch (e) {
        const status = (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
        const message = `${status ?? 'Unknown'}: ${(e as Error).message}`;
        observedResponses[message] = (observedResponses[message] ?? 0) + 1;
      }
    }
  }

  return { Lambda, waitUntilFunctionActiveV2 };
}

function fakeClientSfn(services: SdkFakeServices) {
  class SFN {
    constructor(_config?: unknown) {}
    public async startExecution(request: { stateMachineArn?: string; input?: string; name?: string }) {
      return services.stepFunctions.startExecution(request, callerOf(services));
    }
    public send(command: unknown): never {
      return notSupported('SFN.send', (command as object)?.constructor?.name ?? 'a command');
    }
  }
  return { SFN };
}

type RequestArgs = [string | URL | realHttps.RequestOptions, (realHttps.RequestOptions | ((res: unknown) => void))?, ((res: unknown) => void)?];

/** `https` whose request() answers PUTs to CloudFormation's response URLs like S3 does. */
function fakeHttps(urls: ResponseUrls): typeof realHttps {
  const request = (...args: RequestArgs): ClientRequest => {
    const [first, second, third] = args;
    const fromUrl = typeof first === 'string' || first instanceof URL ? new URL(String(first)) : undefined;
    const options = (fromUrl ? (typeof second === 'object' ? second : {}) : first) as realHttps.RequestOptions;
    const callback = (typeof second === 'function' ? second : third) as ((res: unknown) => void) | undefined;
    const hostname = options.hostname ?? fromUrl?.hostname ?? String(options.host ?? '').split(':')[0];
    if (!urls.isResponseHost(hostname)) return (realHttps.request as (...a: unknown[]) => ClientRequest)(...args);
    const path = options.path ?? (fromUrl ? fromUrl.pathname + fromUrl.search : '/');
    return s3Put(urls, hostname, path, callback);
  };
  const get = (...args: RequestArgs) => {
    const req = request(...args);
    req.end();
    return req;
  };
  return { ...realHttps, request, get } as typeof realHttps;
}

/** A ClientRequest that collects the body and, on end(), gets S3's answer from the response URL registry. */
function s3Put(urls: ResponseUrls, hostname: string, path: string, callback?: (res: unknown) => void): ClientRequest {
  const chunks: Buffer[] = [];
  const req = new EventEmitter() as EventEmitter & Record<string, unknown>;
  const write = (chunk?: string | Uint8Array) => {
    if (chunk !== undefined) chunks.push(Buffer.from(chunk));
    return true;
  };
  req.write = write;
  req.setTimeout = () => req;
  req.destroy = () => req;
  req.abort = () => undefined;
  req.end = (chunk?: string | Uint8Array) => {
    write(chunk);
    // Answered on a later turn, like a socket would.
    setImmediate(() => {
      const statusCode = urls.put(hostname, path, Buffer.concat(chunks).toString('utf8'));
      const res = Object.assign(new EventEmitter(), { statusCode, headers: {}, resume: () => res });
      callback?.(res);
      req.emit('response', res);
      res.emit('end');
    });
    return req;
  };
  return req as unknown as ClientRequest;
}
