/**
 * Lambda, locally: the Invoke and GetFunction APIs over the functions deployed in the driver's stacks, and the
 * asynchronous invocation CloudFormation uses for a custom resource's ServiceToken. A caller with credentials (a
 * function's role session, the state machine's) is authorized like any AWS call; the functions run in the
 * LocalLambdaRuntime.
 */
import { serviceError } from './aws-errors';
import { VirtualClock } from './clock';
import { LambdaErrorPayload, LambdaFunctionSpec, LocalLambdaRuntime } from './lambda-runtime';
import { LAMBDA_ASYNC_RETRY_DELAYS_SECONDS, LAMBDA_MAX_PAYLOAD_BYTES } from './limits';
import { LogLine } from './logs';
import { accessDeniedMessage, Authorizer } from '../iam';

/** Who makes a call: the access key its SDK signs with. Absent for an AWS service acting on its own behalf. */
export interface Caller {
  readonly accessKeyId?: string;
}

/** What `Invoke` answers (the SDK v3 shape). */
export interface InvokeResponse {
  readonly StatusCode: 200;
  readonly ExecutedVersion: '$LATEST';
  readonly Payload: Uint8Array;
  readonly FunctionError?: 'Unhandled';
}

export interface InvocationRecord {
  readonly functionName: string;
  readonly functionArn: string;
  /** The Lambda request id of the invocation. */
  readonly requestId: string;
  /** The caller's principal ARN, or the AWS service that invoked it asynchronously. */
  readonly caller: string;
  /** The payload as the function received it. */
  readonly event: unknown;
  readonly payloadBytes: number;
  readonly startedAt: Date;
  /** Undefined while the invocation runs. */
  readonly endedAt?: Date;
  /** Undefined while the invocation runs. */
  readonly outcome?: { readonly ok: true; readonly result: unknown } | { readonly ok: false; readonly error: LambdaErrorPayload };
  /** Everything the invocation printed, with whether Lambda keeps each line. */
  readonly logs: LogLine[];
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export interface LocalLambdaOptions {
  readonly runtime: LocalLambdaRuntime;
  readonly clock: VirtualClock;
  /** A deployed function by name or ARN. */
  readonly findFunction: (nameOrArn: string) => LambdaFunctionSpec | undefined;
  /** The whole environment the function runs with (reserved variables, its own, its role session's credentials). */
  readonly environmentOf: (fn: LambdaFunctionSpec) => Record<string, string>;
  readonly authorizer: Authorizer;
  readonly principalOf: (accessKeyId: string | undefined) => string | undefined;
  readonly functionArnOf: (name: string) => string;
  readonly record: (invocation: InvocationRecord) => void;
}

/** The AWS service principal recorded for CloudFormation's own invocations of a ServiceToken. */
const CLOUDFORMATION = 'cloudformation.amazonaws.com';

export class LocalLambda {
  constructor(private readonly options: LocalLambdaOptions) {}

  /** Lambda's synchronous Invoke (RequestResponse). Errors of the call itself (not of the function) throw. */
  public async invoke(functionName: string, payload: string | Uint8Array | undefined, caller?: Caller): Promise<InvokeResponse> {
    const fn = this.authorizedFunction('lambda:InvokeFunction', functionName, caller);
    const text = payload === undefined ? '' : typeof payload === 'string' ? payload : Buffer.from(payload).toString('utf8');
    const bytes = Buffer.byteLength(text, 'utf8');
    if (bytes > LAMBDA_MAX_PAYLOAD_BYTES) {
      throw serviceError('RequestTooLargeException', `Request must be smaller than ${LAMBDA_MAX_PAYLOAD_BYTES} bytes for the InvokeFunction operation`, 413);
    }
    let event: unknown;
    try {
      event = text === '' ? {} : JSON.parse(text);
    } catch {
      throw serviceError('InvalidRequestContentException', 'Could not parse request body into json: Could not parse payload into json', 400);
    }
    // Recorded when it starts, so the records are in the order the invocations began (nested ones after their caller).
    const record: Mutable<InvocationRecord> = {
      functionName: fn.functionName,
      functionArn: fn.arn,
      requestId: '',
      caller: caller ? this.options.principalOf(caller.accessKeyId) ?? `access key ${caller.accessKeyId}` : CLOUDFORMATION,
      event,
      payloadBytes: bytes,
      startedAt: new this.options.clock.Date(),
      logs: [],
    };
    this.options.record(record);
    const run = await this.options.runtime.run(fn, this.options.environmentOf(fn), JSON.stringify(event));
    let response: InvokeResponse;
    let outcome: InvocationRecord['outcome'];
    if (!run.ok) {
      response = errorResponse(run.error);
      outcome = { ok: false, error: run.error };
    } else if (Buffer.byteLength(run.payload, 'utf8') > LAMBDA_MAX_PAYLOAD_BYTES) {
      const error = { errorType: 'Function.ResponseSizeTooLarge', errorMessage: `Response payload size exceeded maximum allowed payload size (${LAMBDA_MAX_PAYLOAD_BYTES} bytes).` };
      response = errorResponse(error);
      outcome = { ok: false, error };
    } else {
      response = { StatusCode: 200, ExecutedVersion: '$LATEST', Payload: new Uint8Array(Buffer.from(run.payload, 'utf8')) };
      outcome = { ok: true, result: JSON.parse(run.payload) };
    }
    Object.assign(record, { requestId: run.requestId, endedAt: new this.options.clock.Date(), outcome, logs: run.logs });
    return response;
  }

  /** GetFunction, as far as waiters read it: the function's configuration, always Active once deployed. */
  public getFunction(functionName: string, caller?: Caller): { Configuration: { FunctionName: string; FunctionArn: string; State: 'Active'; LastUpdateStatus: 'Successful' } } {
    const fn = this.authorizedFunction('lambda:GetFunction', functionName, caller);
    return { Configuration: { FunctionName: fn.functionName, FunctionArn: fn.arn, State: 'Active', LastUpdateStatus: 'Successful' } };
  }

  /**
   * An asynchronous invocation (InvocationType Event), as CloudFormation sends a custom resource request: queued
   * at once (an unknown function throws here), then run, and retried twice, after one and two minutes, when the
   * function fails. The returned promise settles when the last attempt ends or `signal` aborts the retries.
   */
  public invokeAsync(functionName: string, payload: string, signal: AbortSignal): Promise<void> {
    this.existingFunction(functionName);
    return (async () => {
      for (let attempt = 0; attempt <= LAMBDA_ASYNC_RETRY_DELAYS_SECONDS.length; attempt++) {
        if (attempt > 0) await this.options.clock.sleep(LAMBDA_ASYNC_RETRY_DELAYS_SECONDS[attempt - 1] * 1000, signal);
        if (signal.aborted) return;
        const response = await this.invoke(functionName, payload);
        if (!response.FunctionError) return;
      }
    })();
  }

  private authorizedFunction(action: string, functionName: string, caller: Caller | undefined): LambdaFunctionSpec {
    const fn = this.options.findFunction(functionName);
    if (caller) {
      const resource = fn?.arn ?? (functionName.startsWith('arn:') ? functionName : this.options.functionArnOf(functionName));
      const decision = this.options.authorizer({ accessKeyId: caller.accessKeyId, action, resource });
      if (!decision.allowed) throw serviceError('AccessDeniedException', accessDeniedMessage({ action, resource }, decision), 403);
    }
    return fn ?? this.existingFunction(functionName);
  }

  private existingFunction(functionName: string): LambdaFunctionSpec {
    const fn = this.options.findFunction(functionName);
    if (!fn) {
      const arn = functionName.startsWith('arn:') ? functionName : this.options.functionArnOf(functionName);
      throw serviceError('ResourceNotFoundException', `Function not found: ${arn}`, 404);
    }
    return fn;
  }
}

function errorResponse(error: LambdaErrorPayload): InvokeResponse {
  return { StatusCode: 200, ExecutedVersion: '$LATEST', FunctionError: 'Unhandled', Payload: new Uint8Array(Buffer.from(JSON.stringify(error), 'utf8')) };
}
