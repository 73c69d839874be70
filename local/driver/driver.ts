/**
 * CloudFormation, locally: creates, updates, rolls back and deletes the stacks of a synthesized cloud assembly.
 * Ordinary resources are only recorded (fake physical ids and ARNs); a custom resource's request goes, as in AWS,
 * to its ServiceToken function, invoked asynchronously through the local Lambda. For a Provider framework that is
 * aws-cdk-lib's own framework code from the assembly, which calls the local Lambda and Step Functions (the
 * waiter state machine's synthesized definition) and PUTs its answer to the request's response URL.
 *
 * Around it: a virtual clock (waits cost no real time), an access key per role session and an authorizer over the
 * stack's current policies (IAM enforced on every local service), captured logs per log group, and a local
 * DescribeStacks endpoint that reports each stack's status as it changes.
 */
import { randomUUID } from 'crypto';
import { AssemblyStack, findStack, readAssembly } from './assembly';
import { VirtualClock } from './clock';
import { callCustomResource, CustomResourceOutcome } from './custom-resource-call';
import { dependenciesOf } from './graph';
import { Identities } from './identities';
import { resolveValue } from './intrinsics';
import { LambdaFunctionSpec, LocalLambdaRuntime } from './lambda-runtime';
import { DEFAULT_SERVICE_TIMEOUT_SECONDS } from './limits';
import { InvocationRecord, LocalLambda } from './local-lambda';
import { DeployedStateMachine, ExecutionRecord, LocalStepFunctions } from './local-step-functions';
import { LogLine, LogStore } from './logs';
import { DeployedResource, lambdaSpec, Naming, UnsupportedServiceTokenError } from './provider-model';
import { ResponseRecord, ResponseUrls } from './response-urls';
import { sdkSubstitutes } from './sdk-fakes';
import { dependentsFirst, StackOperation } from './stack-operation';
import { AttributeError, ContextEnvironment, parameterValues, resolveContext, StackState } from './stack-state';
import { updateStack } from './stack-update';
import { CfnRequest, DuplicatePolicy, OperationOptions, StackEvent, StackOperationResult, StackStatus } from './types';
import { CloudFormationApi, RecordedQueryCall, StackDescription } from '../cloudformation-api';
import { Authorizer } from '../iam';

export interface CloudFormationDriverOptions {
  /** Extra environment for every function (endpoint overrides); a role session's credentials always win. */
  readonly env?: Readonly<Record<string, string>>;
  readonly region?: string;
  readonly accountId?: string;
  readonly partition?: string;
  /** The clock to run on (share it with the Proton emulator's `now`). Default: a new virtual clock. */
  readonly clock?: VirtualClock;
  /** Real milliseconds per millisecond of a function's timeout (function timeouts run in real time). Default 1. */
  readonly timeScale?: number;
  /** Deliver every custom resource request twice with the same RequestId. */
  readonly duplicateRequests?: DuplicatePolicy;
  /** Answer custom resources whose ServiceToken is not a function deployed by this driver with SUCCESS instead of throwing. */
  readonly fakeUnsupportedCustomResources?: boolean;
  /** Every line a function prints, and the driver's own progress. */
  readonly log?: (message: string) => void;
  /** Every stack and resource event, as it happens. */
  readonly onEvent?: (event: StackEvent) => void;
}

const UPDATABLE: ReadonlySet<StackStatus> = new Set(['CREATE_COMPLETE', 'UPDATE_COMPLETE', 'UPDATE_ROLLBACK_COMPLETE']);

export class CloudFormationDriver {
  /** Every Lambda invocation (framework and user functions alike), oldest first. */
  public readonly invocations: InvocationRecord[] = [];
  /** Every event of every operation. */
  public readonly events: StackEvent[] = [];
  /** Every IAM decision the local evaluation could not take; a test should assert it stays empty. */
  public readonly iamProblems: string[] = [];
  public readonly clock: VirtualClock;
  /** Decides calls signed with a role session's access key against that role's policies in the stacks' current state. */
  public readonly authorizer: Authorizer;

  private readonly stacks = new Map<string, StackState>();
  /** Deleted stacks, by stack id: DescribeStacks still finds them that way. */
  private readonly deletedStacks = new Map<string, StackDescription>();
  private readonly exports = new Map<string, string>();
  private readonly running = new Map<string, StackOperation>();
  private readonly region: string;
  private readonly accountId: string;
  private readonly partition: string;
  private readonly identities: Identities;
  private readonly runtime: LocalLambdaRuntime;
  private readonly lambda: LocalLambda;
  private readonly stepFunctions: LocalStepFunctions;
  private readonly responseUrls: ResponseUrls;
  private readonly logStore = new LogStore();
  /** Aborts what outlives CloudFormation's waits (Lambda's async retries, executions) on dispose(). */
  private readonly background = new AbortController();
  private readonly backgroundWork = new Set<Promise<void>>();
  private cloudFormationApi?: Promise<CloudFormationApi>;
  private cloudFormationEndpoint?: string;
  private cloudFormationApiCalls: readonly RecordedQueryCall[] = [];

  constructor(private readonly options: CloudFormationDriverOptions = {}) {
    this.region = options.region ?? 'us-east-1';
    this.accountId = options.accountId ?? '123456789012';
    this.partition = options.partition ?? 'aws';
    this.clock = options.clock ?? new VirtualClock();
    this.identities = new Identities({
      accountId: this.accountId,
      partition: this.partition,
      findRole: (roleArn) => this.findRole(roleArn),
      onProblem: (problem) => this.iamProblems.push(problem),
    });
    this.authorizer = this.identities.authorizer;
    this.responseUrls = new ResponseUrls(this.region, this.clock);
    // Filled below: the runtime hands these modules out at require() time, once the services exist.
    const substitutes: Record<string, unknown> = {};
    this.runtime = new LocalLambdaRuntime({
      clock: this.clock,
      timeScale: options.timeScale,
      substitutes,
      onLog: (line) => {
        this.logStore.append(line);
        options.log?.(`[${line.functionName}] ${line.message}`);
      },
    });
    this.lambda = new LocalLambda({
      runtime: this.runtime,
      clock: this.clock,
      findFunction: (nameOrArn) => this.findFunction(nameOrArn),
      environmentOf: (fn) => this.environmentOf(fn),
      authorizer: this.authorizer,
      principalOf: (key) => this.identities.principalOf(key),
      functionArnOf: (name) => `arn:${this.partition}:lambda:${this.region}:${this.accountId}:function:${name}`,
      record: (invocation) => this.invocations.push(invocation),
    });
    this.stepFunctions = new LocalStepFunctions({
      lambda: this.lambda,
      clock: this.clock,
      authorizer: this.authorizer,
      findStateMachine: (arn) => this.findStateMachine(arn),
      executionArnOf: (machine, execution) => `arn:${this.partition}:states:${this.region}:${this.accountId}:execution:${machine}:${execution}`,
    });
    Object.assign(substitutes, sdkSubstitutes({
      lambda: this.lambda,
      stepFunctions: this.stepFunctions,
      responseUrls: this.responseUrls,
      clock: this.clock,
      currentInvocation: () => this.runtime.current(),
      idle: (wait) => this.runtime.idle(wait),
    }));
  }

  /** Every response body PUT to a response URL (duplicates and late ones included), and every wait given up. */
  public get responses(): readonly ResponseRecord[] {
    return this.responseUrls.records;
  }

  /** Every Step Functions execution started (the waiter's), oldest first. */
  public get executions(): readonly ExecutionRecord[] {
    return this.stepFunctions.executions;
  }

  /** The lines CloudWatch Logs would hold in a log group (those the functions' log levels keep), oldest first. */
  public logs(logGroupName: string): LogLine[] {
    return this.logStore.kept(logGroupName);
  }

  /** Every line functions printed to a log group, those their log level filters out included. */
  public capturedLogs(logGroupName: string): LogLine[] {
    return this.logStore.captured(logGroupName);
  }

  /** Log groups holding at least one kept line. */
  public logGroups(): string[] {
    return this.logStore.groups();
  }

  /**
   * Starts the local CloudFormation query API (DescribeStacks) the functions reach through
   * AWS_ENDPOINT_URL_CLOUDFORMATION. Every operation calls it; call it yourself to know the endpoint earlier.
   */
  public async start(): Promise<string> {
    this.cloudFormationApi ??= CloudFormationApi.start({
      describeStack: (nameOrId) => this.describeStack(nameOrId),
      authorizer: this.authorizer,
      region: this.region,
      account: this.accountId,
      now: this.clock.now,
    });
    const api = await this.cloudFormationApi;
    this.cloudFormationEndpoint = api.endpoint;
    this.cloudFormationApiCalls = api.calls;
    return api.endpoint;
  }

  /** The local CloudFormation API the functions call, started if need be: for injecting its faults. */
  public async cloudFormationApiServer(): Promise<CloudFormationApi> {
    await this.start();
    return this.cloudFormationApi!;
  }

  /** Every call the local CloudFormation API answered (the functions' DescribeStacks), oldest first. */
  public get cloudFormationCalls(): readonly RecordedQueryCall[] {
    return this.cloudFormationApiCalls;
  }

  /** Aborts what runs in the background (executions, Lambda's retries), waits for it to stop, stops the API. */
  public async dispose(): Promise<void> {
    this.background.abort();
    await this.stepFunctions.dispose();
    await Promise.all([...this.backgroundWork]);
    if (this.cloudFormationApi) await (await this.cloudFormationApi).stop();
  }

  /** Creates the stack, or updates it when it exists (a ROLLBACK_COMPLETE stack is replaced, as `cdk deploy` does). */
  public async deploy(assemblyDir: string, stackName: string, opts: OperationOptions = {}): Promise<StackOperationResult> {
    await this.start();
    const assemblyStack = findStack(readAssembly(assemblyDir), stackName);
    const existing = this.stacks.get(assemblyStack.stackName);
    if (existing && existing.status !== 'ROLLBACK_COMPLETE') {
      if (!UPDATABLE.has(existing.status)) {
        throw new Error(`Stack ${existing.stackName} is in ${existing.status} state and can not be updated`);
      }
      return this.operate(existing, opts, (op) => updateStack(op, {
        template: assemblyStack.template,
        assemblyStack,
        parameters: parameterValues(assemblyStack.template, opts.parameters),
      }));
    }
    if (existing) this.forgetStack(existing);
    return this.create(assemblyStack, opts);
  }

  /** Deletes every resource in reverse dependency order. */
  public async destroy(stackName: string, opts: OperationOptions = {}): Promise<StackOperationResult> {
    await this.start();
    const state = this.requireStack(stackName);
    return this.operate(state, opts, async (op) => {
      op.stackEvent('DELETE_IN_PROGRESS', 'User Initiated');
      const failed = await this.deleteAll(op, [...state.resources.values()]);
      if (failed.length > 0) {
        op.stackEvent('DELETE_FAILED', `The following resource(s) failed to delete: [${failed.join(', ')}].`);
        return op.result();
      }
      op.stackEvent('DELETE_COMPLETE');
      this.forgetStack(state);
      for (const [name, value] of Object.entries(this.exportsOf(state))) {
        if (this.exports.get(name) === value) this.exports.delete(name);
      }
      return op.result();
    });
  }

  /**
   * CancelUpdateStack: CloudFormation stops waiting for the resource in flight ("Resource update cancelled") and
   * rolls the update back; what the provider started for that request keeps running. The `deploy` in progress
   * resolves with the rollback's outcome.
   */
  public cancelUpdate(stackName: string): void {
    const state = this.requireStack(stackName);
    const op = this.running.get(state.stackName);
    if (!op || state.status !== 'UPDATE_IN_PROGRESS') {
      throw new Error(`CancelUpdateStack cannot be called from current stack status ${state.status}`);
    }
    op.cancel();
  }

  public getAttribute(stackName: string, logicalId: string, key: string): unknown {
    const res = this.requireResource(stackName, logicalId);
    if (!(key in res.attributes)) throw new Error(`${stackName}/${logicalId} has no attribute ${key}`);
    return res.attributes[key];
  }

  public physicalId(stackName: string, logicalId: string): string {
    return this.requireResource(stackName, logicalId).physicalId;
  }

  public outputs(stackName: string): Record<string, string> {
    return { ...this.requireStack(stackName).outputs };
  }

  public stackStatus(stackName: string): StackStatus | undefined {
    return this.stacks.get(stackName)?.status;
  }

  /** Logical ids of the stack's live resources. */
  public resources(stackName: string): string[] {
    return [...this.requireStack(stackName).resources.keys()];
  }

  /** DescribeStacks' view of a stack, by name or id; a deleted stack only by its id. */
  public describeStack(nameOrId: string): StackDescription | undefined {
    const state = [...this.stacks.values()].find((s) => s.stackName === nameOrId || s.stackId === nameOrId);
    return state ? describe(state) : this.deletedStacks.get(nameOrId);
  }

  // ---- create ----

  private async create(assemblyStack: AssemblyStack, opts: OperationOptions): Promise<StackOperationResult> {
    const state: StackState = {
      stackName: assemblyStack.stackName,
      stackId: `arn:${this.partition}:cloudformation:${this.region}:${this.accountId}:stack/${assemblyStack.stackName}/${randomUUID()}`,
      status: 'CREATE_IN_PROGRESS',
      creationTime: new this.clock.Date(),
      template: assemblyStack.template,
      assemblyStack,
      resources: new Map(),
      outputs: {},
      parameters: parameterValues(assemblyStack.template, opts.parameters),
    };
    this.stacks.set(state.stackName, state);
    return this.operate(state, opts, async (op) => {
      op.stackEvent('CREATE_IN_PROGRESS', 'User Initiated');
      let failedId: string | undefined;
      for (const logicalId of op.templateOrder()) {
        if (!(await op.createResource(logicalId))) {
          failedId = logicalId;
          break;
        }
      }
      if (failedId === undefined && op.resolveOutputs()) {
        op.stackEvent('CREATE_COMPLETE');
        return op.result();
      }
      op.stackEvent('ROLLBACK_IN_PROGRESS', failedId !== undefined
        ? `The following resource(s) failed to create: [${failedId}]. Rollback requested by user.`
        : op.failureReason);
      const failedDeletes = await this.deleteAll(op, [...state.resources.values()], true);
      op.stackEvent(failedDeletes.length > 0 ? 'ROLLBACK_FAILED' : 'ROLLBACK_COMPLETE');
      return op.result();
    });
  }

  /** Deletes resources dependents first (current template); a failed one stays in the state. Returns the ids that failed. */
  private async deleteAll(op: StackOperation, items: DeployedResource[], createdByThisOperation = false): Promise<string[]> {
    const failed: string[] = [];
    // CloudFormation deletes a resource only once everything that depends on it is gone: what a resource that
    // failed to delete depends on (its provider's function, say) stays, so that deleting again can succeed.
    const ids = new Set(items.map((r) => r.logicalId));
    const dependents = new Map<string, string[]>();
    for (const r of items) {
      for (const d of dependenciesOf(r.definition, ids)) dependents.set(d, [...(dependents.get(d) ?? []), r.logicalId]);
    }
    const kept = new Set<string>();
    for (const res of dependentsFirst(items, op.state.template)) {
      if ((dependents.get(res.logicalId) ?? []).some((id) => kept.has(id))) {
        kept.add(res.logicalId);
        continue;
      }
      const reason = await op.deleteResource(res, { createdByThisOperation });
      if (reason !== undefined) {
        op.fail(reason);
        failed.push(res.logicalId);
        kept.add(res.logicalId);
      }
    }
    return failed;
  }

  private async operate(
    state: StackState, opts: OperationOptions, run: (op: StackOperation) => Promise<StackOperationResult>,
  ): Promise<StackOperationResult> {
    if (this.running.has(state.stackName)) throw new Error(`Stack ${state.stackName} is in ${state.status} state: an operation is in progress`);
    const op = new StackOperation(state, {
      now: () => new this.clock.Date(),
      naming: (s) => this.naming(s),
      contextEnv: (s) => this.contextEnv(s),
      responseUrl: (request) => this.responseUrls.create(request),
      callCustomResource: (request, how) => this.callCustomResource(request, how),
      publishExports: (s) => this.publishExports(s),
      emit: (event) => this.emit(event),
    }, opts.duplicateRequests ?? this.options.duplicateRequests ?? false);
    this.running.set(state.stackName, op);
    try {
      return await run(op);
    } finally {
      this.running.delete(state.stackName);
    }
  }

  // ---- custom resource requests ----

  private async callCustomResource(request: CfnRequest, how: { duplicate: boolean; cancel?: AbortSignal }): Promise<CustomResourceOutcome> {
    if (!this.findFunction(request.ServiceToken)) {
      const message = `ServiceToken ${request.ServiceToken} of ${request.LogicalResourceId} is not a Lambda function deployed by this driver`;
      if (!this.options.fakeUnsupportedCustomResources) throw new UnsupportedServiceTokenError(message);
      this.options.log?.(`${message}; answering SUCCESS`);
      return { ok: true, physicalId: request.PhysicalResourceId ?? request.RequestId, data: {} };
    }
    const timeout = request.ResourceProperties.ServiceTimeout;
    this.options.log?.(`${request.RequestType} ${request.LogicalResourceId} (RequestId ${request.RequestId})`);
    return callCustomResource(request, {
      lambda: this.lambda,
      responseUrls: this.responseUrls,
      clock: this.clock,
      serviceTimeoutSeconds: timeout === undefined ? DEFAULT_SERVICE_TIMEOUT_SECONDS : Number(timeout),
      duplicate: how.duplicate,
      cancel: how.cancel,
      background: this.background.signal,
      track: (work) => {
        const tracked = work.catch((e: unknown) => this.options.log?.(`asynchronous invocation failed: ${(e as Error).message}`))
          .finally(() => this.backgroundWork.delete(tracked));
        this.backgroundWork.add(tracked);
      },
    });
  }

  // ---- what the local services find in the stacks ----

  private *liveResources(type: string): Generator<{ state: StackState; res: DeployedResource }> {
    for (const state of this.stacks.values()) {
      for (const res of state.resources.values()) {
        if (res.type === type) yield { state, res };
      }
    }
  }

  /** A deployed function by name, ARN or qualified ARN (`…:function:name:$LATEST`). */
  private findFunction(nameOrArn: string): LambdaFunctionSpec | undefined {
    const arn = nameOrArn.replace(/^(arn:[^:]+:lambda:[^:]+:[^:]+:function:[^:]+):[^:]+$/, '$1');
    for (const { res } of this.liveResources('AWS::Lambda::Function')) {
      if (res.attributes.Arn === arn || res.physicalId === nameOrArn) return lambdaSpec(res);
    }
    return undefined;
  }

  private findStateMachine(arn: string): DeployedStateMachine | undefined {
    for (const { res } of this.liveResources('AWS::StepFunctions::StateMachine')) {
      if (res.physicalId !== arn) continue;
      const name = String(res.attributes.Name);
      const session = this.identities.session(String(res.properties.RoleArn), name);
      const definition = res.properties.DefinitionString ?? res.properties.Definition;
      return { arn, name, definition, caller: { accessKeyId: session.credentials.accessKeyId } };
    }
    return undefined;
  }

  private findRole(roleArn: string): { roleName: string; resources: DeployedResource[] } | undefined {
    for (const { state, res } of this.liveResources('AWS::IAM::Role')) {
      if (res.attributes.Arn === roleArn) return { roleName: res.physicalId, resources: [...state.resources.values()] };
    }
    return undefined;
  }

  /**
   * The environment Lambda gives the function: its reserved variables, the function's own, the driver's `env`,
   * then the credentials of the function's role session, which nothing overrides (they are its identity).
   */
  private environmentOf(fn: LambdaFunctionSpec): Record<string, string> {
    const keys = fn.roleArn ? this.identities.session(fn.roleArn, fn.functionName).credentials : undefined;
    return {
      AWS_REGION: this.region,
      AWS_DEFAULT_REGION: this.region,
      AWS_LAMBDA_FUNCTION_NAME: fn.functionName,
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_LOG_GROUP_NAME: fn.logging.logGroup,
      LAMBDA_TASK_ROOT: fn.codeDir,
      _HANDLER: fn.handler,
      ...fn.environment,
      ...(this.cloudFormationEndpoint ? { AWS_ENDPOINT_URL_CLOUDFORMATION: this.cloudFormationEndpoint } : {}),
      ...this.options.env,
      ...(keys ? { AWS_ACCESS_KEY_ID: keys.accessKeyId, AWS_SECRET_ACCESS_KEY: keys.secretAccessKey, AWS_SESSION_TOKEN: keys.sessionToken } : {}),
    };
  }

  // ---- stacks ----

  private forgetStack(state: StackState): void {
    // `cdk deploy` deletes a ROLLBACK_COMPLETE stack before creating it again; a deleted stack keeps its id.
    this.deletedStacks.set(state.stackId, { ...describe(state), status: 'DELETE_COMPLETE', deletionTime: new this.clock.Date() });
    this.stacks.delete(state.stackName);
  }

  private publishExports(state: StackState): void {
    for (const [name, value] of Object.entries(this.exportsOf(state))) this.exports.set(name, value);
  }

  private exportsOf(state: StackState): Record<string, string> {
    const ctx = resolveContext(state, this.contextEnv(state));
    const out: Record<string, string> = {};
    for (const [name, output] of Object.entries(state.template.Outputs ?? {})) {
      if (output.Export && name in state.outputs) out[String(resolveValue(output.Export.Name, ctx, `${state.stackName}/Outputs/${name}`))] = state.outputs[name];
    }
    return out;
  }

  private naming(state: StackState): Naming {
    return { stackName: state.stackName, region: this.region, accountId: this.accountId, partition: this.partition };
  }

  private contextEnv(state: StackState): ContextEnvironment {
    return {
      naming: this.naming(state),
      urlSuffix: this.partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com',
      importValue: (name) => {
        if (!this.exports.has(name)) throw new AttributeError(`No export named ${name} found.`);
        return this.exports.get(name);
      },
    };
  }

  private emit(event: StackEvent): void {
    this.events.push(event);
    this.options.log?.(`${event.stackName} ${event.logicalId} ${event.status}${event.reason ? ` ${event.reason}` : ''}`);
    this.options.onEvent?.(event);
  }

  private requireStack(stackName: string): StackState {
    const state = this.stacks.get(stackName);
    if (!state) throw new Error(`Stack ${stackName} does not exist`);
    return state;
  }

  private requireResource(stackName: string, logicalId: string): DeployedResource {
    const res = this.requireStack(stackName).resources.get(logicalId);
    if (!res) throw new Error(`Stack ${stackName} has no resource ${logicalId}`);
    return res;
  }
}

function describe(state: StackState): StackDescription {
  return {
    stackId: state.stackId,
    stackName: state.stackName,
    status: state.status,
    creationTime: state.creationTime,
    lastUpdatedTime: state.lastUpdatedTime,
    statusReason: state.statusReason,
  };
}
