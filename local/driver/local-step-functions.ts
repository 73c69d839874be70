/**
 * Step Functions, locally: StartExecution over the state machines deployed in the driver's stacks, and an
 * interpreter of their synthesized definitions, as far as the Provider framework's waiter uses the language:
 * `Task` states whose Resource is a Lambda function ARN, `Retry`, `Catch` and `End`. Anything else fails the
 * execution with States.Runtime naming what is not supported, so a definition this cannot run never passes.
 *
 * Executions run in the background, as in AWS: they outlive the request that started them (a CloudFormation wait
 * that timed out or was cancelled) until they end, or `dispose()` aborts them. Sleeps between retries are on the
 * driver's clock.
 */
import { randomUUID } from 'crypto';
import { isServiceError, serviceError } from './aws-errors';
import { VirtualClock } from './clock';
import { STATES_MAX_PAYLOAD_BYTES } from './limits';
import { Caller, LocalLambda } from './local-lambda';
import { accessDeniedMessage, Authorizer } from '../iam';

export interface DeployedStateMachine {
  readonly arn: string;
  readonly name: string;
  /** The resolved `DefinitionString` (or `Definition`). */
  readonly definition: unknown;
  /** The access key of the state machine's role session, with which it invokes Lambda. */
  readonly caller: Caller;
}

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED';

export interface ExecutionRecord {
  readonly executionArn: string;
  readonly stateMachineArn: string;
  readonly startDate: Date;
  /** The execution input, as StartExecution received it. */
  readonly input: string;
  readonly inputBytes: number;
  /** Task attempts per state name, the first try included. */
  readonly attempts: Readonly<Record<string, number>>;
  readonly status: ExecutionStatus;
  readonly error?: string;
  readonly cause?: string;
  readonly stopDate?: Date;
  /** Settles when the execution stops. */
  readonly done: Promise<void>;
}

export interface LocalStepFunctionsOptions {
  readonly lambda: LocalLambda;
  readonly clock: VirtualClock;
  readonly authorizer: Authorizer;
  readonly findStateMachine: (arn: string) => DeployedStateMachine | undefined;
  readonly executionArnOf: (stateMachineName: string, executionName: string) => string;
}

interface StateDefinition {
  readonly Type?: string;
  readonly Resource?: string;
  readonly Next?: string;
  readonly End?: boolean;
  readonly Retry?: readonly Retrier[];
  readonly Catch?: readonly Catcher[];
  readonly [other: string]: unknown;
}

interface Retrier {
  readonly ErrorEquals: readonly string[];
  readonly IntervalSeconds?: number;
  readonly MaxAttempts?: number;
  readonly BackoffRate?: number;
  readonly MaxDelaySeconds?: number;
  readonly JitterStrategy?: 'FULL' | 'NONE';
}

interface Catcher {
  readonly ErrorEquals: readonly string[];
  readonly Next: string;
  readonly ResultPath?: string | null;
}

interface Definition {
  readonly StartAt: string;
  readonly States: Readonly<Record<string, StateDefinition>>;
}

/** The fields of a Task state this interpreter honours; any other makes the execution fail as unsupported. */
const TASK_FIELDS = new Set(['Type', 'Resource', 'Next', 'End', 'Retry', 'Catch', 'Comment']);
const RETRIER_FIELDS = new Set(['ErrorEquals', 'IntervalSeconds', 'MaxAttempts', 'BackoffRate', 'MaxDelaySeconds', 'JitterStrategy']);
const CATCHER_FIELDS = new Set(['ErrorEquals', 'Next', 'ResultPath']);

const DATA_LIMIT_EXCEEDED = 'States.DataLimitExceeded';
const RUNTIME = 'States.Runtime';
/** Errors `States.ALL` (and `States.TaskFailed`) do not match: they end the execution unless named explicitly. */
const TERMINAL = new Set([DATA_LIMIT_EXCEEDED, RUNTIME]);

/** How a task attempt or a state ended. */
type Result = { readonly output: string } | { readonly error: string; readonly cause: string };

interface MutableExecution {
  executionArn: string;
  stateMachineArn: string;
  startDate: Date;
  input: string;
  inputBytes: number;
  attempts: Record<string, number>;
  status: ExecutionStatus;
  error?: string;
  cause?: string;
  stopDate?: Date;
  done: Promise<void>;
}

export class LocalStepFunctions {
  private readonly records: MutableExecution[] = [];
  private readonly disposal = new AbortController();

  constructor(private readonly options: LocalStepFunctionsOptions) {}

  /** Every execution started, oldest first. */
  public get executions(): readonly ExecutionRecord[] {
    return this.records;
  }

  /** StartExecution: authorized, validated, then the execution runs in the background. */
  public startExecution(
    request: { stateMachineArn?: string; input?: string; name?: string }, caller?: Caller,
  ): { executionArn: string; startDate: Date } {
    const arn = String(request.stateMachineArn ?? '');
    if (caller) {
      const action = 'states:StartExecution';
      const decision = this.options.authorizer({ accessKeyId: caller.accessKeyId, action, resource: arn });
      if (!decision.allowed) throw serviceError('AccessDeniedException', accessDeniedMessage({ action, resource: arn }, decision), 400);
    }
    const input = request.input ?? '{}';
    const inputBytes = Buffer.byteLength(input, 'utf8');
    if (inputBytes > STATES_MAX_PAYLOAD_BYTES) {
      throw serviceError('ValidationException',
        `1 validation error detected: Value at 'input' failed to satisfy constraint: Member must have length less than or equal to ${STATES_MAX_PAYLOAD_BYTES}`, 400);
    }
    const machine = this.options.findStateMachine(arn);
    if (!machine) throw serviceError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`, 400);
    try {
      JSON.parse(input);
    } catch {
      throw serviceError('InvalidExecutionInput', 'Invalid State Machine Execution Input: \'Unexpected token\'', 400);
    }
    const execution: MutableExecution = {
      executionArn: this.options.executionArnOf(machine.name, request.name ?? randomUUID()),
      stateMachineArn: arn,
      startDate: new this.options.clock.Date(),
      input,
      inputBytes,
      attempts: {},
      status: 'RUNNING',
      done: Promise.resolve(),
    };
    this.records.push(execution);
    execution.done = this.run(execution, machine, input)
      // A failure of the interpreter itself (not of a task) still ends the execution, loudly.
      .catch((e: unknown) => ({ status: 'FAILED' as const, error: RUNTIME, cause: String((e as Error).stack ?? e) }))
      .then((end) => {
        Object.assign(execution, end, { stopDate: new this.options.clock.Date() });
      });
    return { executionArn: execution.executionArn, startDate: execution.startDate };
  }

  /** Aborts every running execution (after its current task attempt) and waits for them to stop. */
  public async dispose(): Promise<void> {
    this.disposal.abort();
    await Promise.all(this.records.map((r) => r.done));
  }

  private async run(execution: MutableExecution, machine: DeployedStateMachine, input: string): Promise<Pick<MutableExecution, 'status' | 'error' | 'cause'>> {
    const signal = this.disposal.signal;
    const aborted = { status: 'ABORTED' as const };
    const failed = (r: { error: string; cause: string }) => ({ status: 'FAILED' as const, error: r.error, cause: r.cause });
    let definition: Definition;
    try {
      definition = parseDefinition(machine.definition);
    } catch (e) {
      return failed({ error: RUNTIME, cause: (e as Error).message });
    }
    let name = definition.StartAt;
    let stateInput = input;
    for (;;) {
      if (signal.aborted) return aborted;
      const state = definition.States[name];
      const unsupported = state ? unsupportedIn(name, state) : `the state '${name}' is not defined`;
      if (unsupported) return failed({ error: RUNTIME, cause: `The local Step Functions interpreter cannot run this definition: ${unsupported}` });
      if (tooLarge(stateInput)) return failed(dataLimit(`The state/task '${name}' has an input with a size exceeding the maximum number of bytes service limit.`));
      const result = await this.runTask(execution, name, state, stateInput, machine.caller, signal);
      if (signal.aborted) return aborted;
      if ('error' in result) {
        const catcher = (state.Catch ?? []).find((c) => matches(c.ErrorEquals, result.error));
        if (!catcher) return failed(result);
        const caught = applyResultPath(catcher.ResultPath, stateInput, { Error: result.error, Cause: result.cause });
        if (caught === undefined) return failed({ error: RUNTIME, cause: `The local Step Functions interpreter supports ResultPath $ or null, got ${JSON.stringify(catcher.ResultPath)}` });
        if (tooLarge(caught)) return failed(dataLimit(`The state/task '${name}' returned a result with a size exceeding the maximum number of bytes service limit.`));
        stateInput = caught;
        name = catcher.Next;
        continue;
      }
      if (state.End) return { status: 'SUCCEEDED' };
      stateInput = result.output;
      name = String(state.Next);
    }
  }

  /** One Task state: attempts until one succeeds or no retrier matches or has attempts left. */
  private async runTask(
    execution: MutableExecution, name: string, state: StateDefinition, input: string, caller: Caller, signal: AbortSignal,
  ): Promise<Result> {
    const retriers = state.Retry ?? [];
    const retries = retriers.map(() => 0);
    for (;;) {
      execution.attempts[name] = (execution.attempts[name] ?? 0) + 1;
      const result = await this.invokeLambda(name, String(state.Resource), input, caller);
      if (!('error' in result)) return result;
      const i = retriers.findIndex((r) => matches(r.ErrorEquals, result.error));
      // The first matching retrier decides; once its attempts are spent, the error goes to Catch.
      if (i < 0 || retries[i] >= (retriers[i].MaxAttempts ?? 3)) return result;
      await this.options.clock.sleep(retryDelayMs(retriers[i], retries[i]), signal);
      retries[i]++;
      if (signal.aborted) return result;
    }
  }

  /** A Task whose Resource is a Lambda function ARN: the state input is the payload, the function's result the output. */
  private async invokeLambda(name: string, resource: string, input: string, caller: Caller): Promise<Result> {
    let response;
    try {
      response = await this.options.lambda.invoke(resource, input, caller);
    } catch (e) {
      if (!isServiceError(e)) throw e;
      // How Step Functions names a refused Lambda call: a 403 surfaces as Lambda.AWSLambdaException (unverified
      // beyond observed executions), other API errors as Lambda.<error code>; the cause carries the service message.
      const error = e.$metadata.httpStatusCode === 403 ? 'Lambda.AWSLambdaException' : `Lambda.${e.name}`;
      const cause = `${e.message} (Service: AWSLambda; Status Code: ${e.$metadata.httpStatusCode}; Error Code: ${e.name}; Request ID: ${e.$metadata.requestId}; Proxy: null)`;
      return { error, cause };
    }
    const payload = Buffer.from(response.Payload).toString('utf8');
    if (response.FunctionError) {
      // The error is the function's errorType; the cause is the whole error payload, as JSON text.
      const parsed = JSON.parse(payload) as { errorType?: string };
      return { error: parsed.errorType ?? 'Error', cause: payload };
    }
    if (tooLarge(payload)) return dataLimit(`The state/task '${name}' returned a result with a size exceeding the maximum number of bytes service limit.`);
    return { output: payload };
  }
}

function parseDefinition(definition: unknown): Definition {
  const parsed = (typeof definition === 'string' ? JSON.parse(definition) : definition) as Partial<Definition> | undefined;
  if (!parsed || typeof parsed.StartAt !== 'string' || !parsed.States) throw new Error('the definition has no StartAt or States');
  return parsed as Definition;
}

function unsupportedIn(name: string, state: StateDefinition): string | undefined {
  if (state.Type !== 'Task') return `the state '${name}' is of Type ${String(state.Type)} (only Task is supported)`;
  if (typeof state.Resource !== 'string' || !/^arn:[^:]+:lambda:[^:]+:\d+:function:[^:]+(:[^:]+)?$/.test(state.Resource)) {
    return `the state '${name}' has Resource ${JSON.stringify(state.Resource)} (only Lambda function ARNs are supported)`;
  }
  const extra = Object.keys(state).filter((k) => !TASK_FIELDS.has(k));
  if (extra.length) return `the state '${name}' uses ${extra.join(', ')}`;
  if (!state.End && typeof state.Next !== 'string') return `the state '${name}' has neither End nor Next`;
  for (const r of state.Retry ?? []) {
    const bad = Object.keys(r).filter((k) => !RETRIER_FIELDS.has(k));
    if (bad.length) return `a Retry of '${name}' uses ${bad.join(', ')}`;
  }
  for (const c of state.Catch ?? []) {
    const bad = Object.keys(c).filter((k) => !CATCHER_FIELDS.has(k));
    if (bad.length) return `a Catch of '${name}' uses ${bad.join(', ')}`;
  }
  return undefined;
}

/** `States.ALL` and `States.TaskFailed` match every error except the terminal ones; any name matches itself. */
function matches(errorEquals: readonly string[], error: string): boolean {
  return errorEquals.some((e) => e === error || ((e === 'States.ALL' || e === 'States.TaskFailed') && !TERMINAL.has(error)));
}

/** IntervalSeconds × BackoffRate^n, capped at MaxDelaySeconds; FULL jitter draws uniformly below it. */
function retryDelayMs(retrier: Retrier, retriesSoFar: number): number {
  const seconds = Math.min((retrier.IntervalSeconds ?? 1) * Math.pow(retrier.BackoffRate ?? 2, retriesSoFar), retrier.MaxDelaySeconds ?? Infinity);
  return (retrier.JitterStrategy === 'FULL' ? Math.random() : 1) * seconds * 1000;
}

/** The Catch output: ResultPath `$` (the default) replaces the input with the error; null keeps the input. */
function applyResultPath(resultPath: string | null | undefined, input: string, error: { Error: string; Cause: string }): string | undefined {
  if (resultPath === null) return input;
  if (resultPath === undefined || resultPath === '$') return JSON.stringify(error);
  return undefined;
}

function tooLarge(json: string): boolean {
  return Buffer.byteLength(json, 'utf8') > STATES_MAX_PAYLOAD_BYTES;
}

function dataLimit(cause: string): { error: string; cause: string } {
  return { error: DATA_LIMIT_EXCEEDED, cause };
}
