/**
 * CloudFormation, locally: creates, updates, rolls back and deletes the stacks of a synthesized cloud assembly.
 * Ordinary resources are only recorded (fake physical ids and ARNs); custom resources go through the
 * Provider framework replay to the real user handlers in the assembly.
 */
import { randomUUID } from 'crypto';
import { AssemblyStack, findStack, readAssembly } from './assembly';
import { ScaledClock } from './clock';
import { CallOptions, callCustomResource, CustomResourceOutcome, DEFAULT_SERVICE_TIMEOUT_SECONDS, ResponseRecord } from './custom-resource-call';
import { topologicalOrder } from './graph';
import { IntrinsicError, resolveValue, stringifyScalars } from './intrinsics';
import { LocalLambdaRuntime } from './lambda-runtime';
import { InvocationRecord } from './provider-framework';
import { DeployedResource, fakeAttributes, fakePhysicalId, isCustomResource, Naming, resolveProvider, UnsupportedServiceTokenError } from './provider-model';
import { AttributeError, ContextEnvironment, parameterValues, resolveContext, StackState } from './stack-state';
import { CfnRequest, CfnResource, CfnTemplate, StackEvent, StackStatus } from './types';

export interface CloudFormationDriverOptions {
  /** Extra environment for every handler invocation (endpoint overrides, credentials). */
  readonly env?: Readonly<Record<string, string>>;
  readonly region?: string;
  readonly accountId?: string;
  readonly partition?: string;
  /** Real milliseconds per simulated millisecond, for ServiceTimeout, function timeouts and waiter intervals. Default 1. */
  readonly timeScale?: number;
  /** Real milliseconds between isComplete polls, replacing the waiter's IntervalSeconds (× timeScale). */
  readonly pollIntervalMs?: number;
  /** Replaces the waiter's MaxAttempts (the number of retries after the first isComplete). */
  readonly waiterMaxAttempts?: number;
  /** Deliver every custom resource request twice with the same RequestId. */
  readonly duplicateRequests?: DuplicatePolicy;
  /** Answer custom resources whose ServiceToken is not a Provider framework function with SUCCESS instead of throwing. */
  readonly fakeUnsupportedCustomResources?: boolean;
  readonly log?: (message: string) => void;
  /** Every stack and resource event, as it happens. */
  readonly onEvent?: (event: StackEvent) => void;
}

export type DuplicatePolicy = boolean | ((request: CfnRequest) => boolean);

export interface OperationOptions {
  readonly duplicateRequests?: DuplicatePolicy;
  /** Template parameter values (otherwise defaults). */
  readonly parameters?: Readonly<Record<string, string>>;
}

export interface StackOperationResult {
  readonly stackName: string;
  readonly status: StackStatus;
  /** Events of this operation only, oldest first. */
  readonly events: StackEvent[];
  /** The first failure's reason, when the operation failed. */
  readonly failureReason?: string;
  readonly outputs: Record<string, string>;
  /** True when an update found nothing to change (CloudFormation: "No updates are to be performed"). */
  readonly noChanges?: boolean;
}

const STACK_TYPE = 'AWS::CloudFormation::Stack';
const UPDATABLE: ReadonlySet<StackStatus> = new Set(['CREATE_COMPLETE', 'UPDATE_COMPLETE', 'UPDATE_ROLLBACK_COMPLETE']);

interface Operation {
  readonly state: StackState;
  readonly events: StackEvent[];
  readonly duplicate: DuplicatePolicy;
  failureReason?: string;
}

interface ResourceChange {
  readonly logicalId: string;
  /** Undefined for a resource created by this update. */
  readonly before?: DeployedResource;
  /** What the resource became, or was asked to become when the update failed; undefined if nothing was recorded. */
  readonly after?: DeployedResource;
  readonly replaced: boolean;
  readonly failed: boolean;
}

export class CloudFormationDriver {
  /** Every user handler invocation, oldest first (tests count and inspect them). */
  public readonly invocations: InvocationRecord[] = [];
  /** Every response body the provider produced, duplicates included. */
  public readonly responses: ResponseRecord[] = [];
  /** Every event of every operation. */
  public readonly events: StackEvent[] = [];

  private readonly stacks = new Map<string, StackState>();
  private readonly exports = new Map<string, string>();
  private readonly clock: ScaledClock;
  private readonly runtime: LocalLambdaRuntime;
  private readonly region: string;
  private readonly accountId: string;
  private readonly partition: string;

  constructor(private readonly options: CloudFormationDriverOptions = {}) {
    this.region = options.region ?? 'us-east-1';
    this.accountId = options.accountId ?? '123456789012';
    this.partition = options.partition ?? 'aws';
    this.clock = new ScaledClock(options.timeScale ?? 1);
    this.runtime = new LocalLambdaRuntime({
      clock: this.clock,
      extraEnv: {
        AWS_REGION: this.region,
        AWS_DEFAULT_REGION: this.region,
        AWS_ACCESS_KEY_ID: 'AKIDLOCALDRIVER',
        AWS_SECRET_ACCESS_KEY: 'local-driver-secret',
        AWS_SESSION_TOKEN: 'local-driver-session',
        ...options.env,
      },
      onLog: options.log ? (fn, line) => options.log!(`[${fn}] ${line}`) : undefined,
    });
  }

  /** Creates the stack, or updates it when it exists (a ROLLBACK_COMPLETE stack is replaced, as `cdk deploy` does). */
  async deploy(assemblyDir: string, stackName: string, opts: OperationOptions = {}): Promise<StackOperationResult> {
    const assemblyStack = findStack(readAssembly(assemblyDir), stackName);
    const existing = this.stacks.get(assemblyStack.stackName);
    if (existing && existing.status !== 'ROLLBACK_COMPLETE') {
      if (!UPDATABLE.has(existing.status)) {
        throw new Error(`Stack ${existing.stackName} is in ${existing.status} state and can not be updated`);
      }
      return this.update(existing, assemblyStack, opts);
    }
    return this.create(assemblyStack, opts);
  }

  /** Deletes every resource in reverse dependency order. */
  async destroy(stackName: string, opts: OperationOptions = {}): Promise<StackOperationResult> {
    const state = this.requireStack(stackName);
    const op = this.operation(state, opts);
    this.stackEvent(op, 'DELETE_IN_PROGRESS', 'User Initiated');
    const failed = await this.deleteAll(op, this.reverseDeployOrder(state, [...state.resources.keys()]));
    if (failed.length > 0) {
      this.fail(op, `The following resource(s) failed to delete: [${failed.join(', ')}].`);
      this.stackEvent(op, 'DELETE_FAILED', op.failureReason);
    } else {
      this.stackEvent(op, 'DELETE_COMPLETE');
      this.stacks.delete(state.stackName);
      for (const [name, value] of Object.entries(this.exportsOf(state))) {
        if (this.exports.get(name) === value) this.exports.delete(name);
      }
    }
    return this.result(op);
  }

  getAttribute(stackName: string, logicalId: string, key: string): unknown {
    const res = this.requireResource(stackName, logicalId);
    if (!(key in res.attributes)) throw new Error(`${stackName}/${logicalId} has no attribute ${key}`);
    return res.attributes[key];
  }

  physicalId(stackName: string, logicalId: string): string {
    return this.requireResource(stackName, logicalId).physicalId;
  }

  outputs(stackName: string): Record<string, string> {
    return { ...this.requireStack(stackName).outputs };
  }

  stackStatus(stackName: string): StackStatus | undefined {
    return this.stacks.get(stackName)?.status;
  }

  /** Logical ids of the stack's live resources. */
  resources(stackName: string): string[] {
    return [...this.requireStack(stackName).resources.keys()];
  }

  // ---- create ----

  private async create(assemblyStack: AssemblyStack, opts: OperationOptions): Promise<StackOperationResult> {
    const state: StackState = {
      stackName: assemblyStack.stackName,
      stackId: `arn:${this.partition}:cloudformation:${this.region}:${this.accountId}:stack/${assemblyStack.stackName}/${randomUUID()}`,
      status: 'CREATE_IN_PROGRESS',
      template: assemblyStack.template,
      assemblyStack,
      resources: new Map(),
      outputs: {},
      parameters: parameterValues(assemblyStack.template, opts.parameters),
    };
    this.stacks.set(state.stackName, state);
    const op = this.operation(state, opts);
    this.stackEvent(op, 'CREATE_IN_PROGRESS', 'User Initiated');
    const failedIds: string[] = [];
    for (const logicalId of this.templateOrder(state)) {
      if (!(await this.createResource(op, logicalId))) {
        failedIds.push(logicalId);
        break;
      }
    }
    if (failedIds.length === 0 && this.resolveOutputs(op)) {
      this.stackEvent(op, 'CREATE_COMPLETE');
      return this.result(op);
    }
    const reason = failedIds.length > 0
      ? `The following resource(s) failed to create: [${failedIds.join(', ')}]. Rollback requested by user.`
      : op.failureReason!;
    this.stackEvent(op, 'ROLLBACK_IN_PROGRESS', reason);
    const failedDeletes = await this.deleteAll(op, this.reverseDeployOrder(state, [...state.resources.keys()]));
    this.stackEvent(op, failedDeletes.length > 0 ? 'ROLLBACK_FAILED' : 'ROLLBACK_COMPLETE');
    return this.result(op);
  }

  /** Creates one resource; false when it failed (its physical id, if any, is kept so rollback deletes it). */
  private async createResource(op: Operation, logicalId: string): Promise<boolean> {
    const { state } = op;
    const definition = state.template.Resources[logicalId];
    this.resourceEvent(op, logicalId, definition.Type, 'CREATE_IN_PROGRESS');
    const props = this.resolveProperties(op, logicalId, definition);
    if (props instanceof AttributeError) {
      this.resourceEvent(op, logicalId, definition.Type, 'CREATE_FAILED', props.message);
      return this.fail(op, props.message);
    }
    if (!isCustomResource(definition.Type)) {
      const physicalId = fakePhysicalId(this.naming(state), logicalId, definition.Type, props);
      state.resources.set(logicalId, this.deployed(state, logicalId, definition, physicalId, props));
      this.resourceEvent(op, logicalId, definition.Type, 'CREATE_COMPLETE', undefined, physicalId);
      return true;
    }
    const request = this.request(op, 'Create', logicalId, definition, props);
    const outcome = await this.callProvider(op, request, props);
    // No usable response: CloudFormation still deletes the resource on rollback, under an id of its own.
    const physicalId = outcome.physicalId ?? `${state.stackName}-${logicalId}-${randomUUID().slice(0, 12).toUpperCase()}`;
    state.resources.set(logicalId, this.deployed(state, logicalId, definition, physicalId, request.ResourceProperties, outcome.data));
    if (!outcome.ok) {
      this.resourceEvent(op, logicalId, definition.Type, 'CREATE_FAILED', outcome.reason, physicalId);
      return this.fail(op, outcome.reason!);
    }
    this.resourceEvent(op, logicalId, definition.Type, 'CREATE_COMPLETE', undefined, physicalId);
    return true;
  }

  // ---- update ----

  private async update(state: StackState, assemblyStack: AssemblyStack, opts: OperationOptions): Promise<StackOperationResult> {
    const old = { template: state.template, assemblyStack: state.assemblyStack, parameters: state.parameters, outputs: state.outputs };
    const previousStatus = state.status;
    state.template = assemblyStack.template;
    state.assemblyStack = assemblyStack;
    state.parameters = parameterValues(assemblyStack.template, opts.parameters);
    const op = this.operation(state, opts);
    const newOrder = this.templateOrder(state);
    const removed = [...state.resources.keys()].filter((id) => !newOrder.includes(id));
    if (removed.length === 0 && !this.hasChanges(op, newOrder)) {
      return { stackName: state.stackName, status: previousStatus, events: [], outputs: { ...state.outputs }, noChanges: true };
    }
    state.status = 'UPDATE_IN_PROGRESS';
    this.stackEvent(op, 'UPDATE_IN_PROGRESS', 'User Initiated');
    const changes: ResourceChange[] = [];
    let failedId: string | undefined;
    for (const logicalId of newOrder) {
      const change = state.resources.has(logicalId)
        ? await this.updateResource(op, logicalId)
        : await this.createDuringUpdate(op, logicalId);
      if (change) changes.push(change);
      if (change?.failed) {
        failedId = logicalId;
        break;
      }
    }
    if (failedId === undefined && this.resolveOutputs(op)) {
      this.stackEvent(op, 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS');
      // The old physical resources of replacements and the resources gone from the template, with their old properties.
      const cleanup = [
        ...changes.filter((c) => c.replaced).map((c) => c.before!),
        ...removed.map((id) => state.resources.get(id)!),
      ];
      await this.cleanup(op, cleanup, old.template);
      this.stackEvent(op, 'UPDATE_COMPLETE');
      this.publishExports(state);
      return this.result(op);
    }
    return this.rollbackUpdate(op, changes, old, failedId);
  }

  private async createDuringUpdate(op: Operation, logicalId: string): Promise<ResourceChange | undefined> {
    const ok = await this.createResource(op, logicalId);
    const after = op.state.resources.get(logicalId);
    // A create that failed before anything was recorded needs no cleanup.
    if (!after) return ok ? undefined : { logicalId, replaced: false, failed: true };
    return { logicalId, after, replaced: false, failed: !ok };
  }

  private async updateResource(op: Operation, logicalId: string): Promise<ResourceChange | undefined> {
    const { state } = op;
    const before = state.resources.get(logicalId)!;
    const definition = state.template.Resources[logicalId];
    const resolved = this.resolveProperties(op, logicalId, definition);
    if (resolved instanceof AttributeError) {
      this.resourceEvent(op, logicalId, definition.Type, 'UPDATE_FAILED', resolved.message, before.physicalId);
      this.fail(op, resolved.message);
      return { logicalId, before, after: before, replaced: false, failed: true };
    }
    const custom = isCustomResource(definition.Type);
    const props = custom ? stringifyScalars(resolved) as Record<string, unknown> : resolved;
    if (definition.Type !== before.type) {
      const reason = `Update of resource type is not permitted. The new template modifies resource type of the following resources: [${logicalId}]`;
      this.resourceEvent(op, logicalId, definition.Type, 'UPDATE_FAILED', reason, before.physicalId);
      this.fail(op, reason);
      return { logicalId, before, after: before, replaced: false, failed: true };
    }
    if (sameJson(props, before.properties)) {
      // Unchanged properties: CloudFormation leaves the resource alone; keep the newer definition (metadata).
      state.resources.set(logicalId, { ...before, definition, stack: state.assemblyStack });
      return undefined;
    }
    this.resourceEvent(op, logicalId, definition.Type, 'UPDATE_IN_PROGRESS', undefined, before.physicalId);
    if (!custom) {
      const after = this.deployed(state, logicalId, definition, before.physicalId, props);
      state.resources.set(logicalId, after);
      this.resourceEvent(op, logicalId, definition.Type, 'UPDATE_COMPLETE', undefined, before.physicalId);
      return { logicalId, before, after, replaced: false, failed: false };
    }
    const request = this.request(op, 'Update', logicalId, definition, props, before);
    const outcome = await this.callProvider(op, request, props);
    const attempted = this.deployed(state, logicalId, definition, before.physicalId, request.ResourceProperties, outcome.data);
    if (!outcome.ok) {
      this.resourceEvent(op, logicalId, definition.Type, 'UPDATE_FAILED', outcome.reason, before.physicalId);
      this.fail(op, outcome.reason!);
      return { logicalId, before, after: attempted, replaced: false, failed: true };
    }
    const physicalId = outcome.physicalId ?? before.physicalId;
    const after = { ...attempted, physicalId };
    const replaced = physicalId !== before.physicalId;
    if (replaced) {
      this.resourceEvent(op, logicalId, definition.Type, 'UPDATE_IN_PROGRESS', 'Requested update required the provider to create a new physical resource', physicalId);
    }
    state.resources.set(logicalId, after);
    this.resourceEvent(op, logicalId, definition.Type, 'UPDATE_COMPLETE', undefined, physicalId);
    return { logicalId, before, after, replaced, failed: false };
  }

  private async rollbackUpdate(
    op: Operation,
    changes: ResourceChange[],
    old: { template: CfnTemplate; assemblyStack: AssemblyStack; parameters: Record<string, unknown>; outputs: Record<string, string> },
    failedId: string | undefined,
  ): Promise<StackOperationResult> {
    const { state } = op;
    const reason = failedId ? `The following resource(s) failed to update: [${failedId}].` : op.failureReason;
    this.stackEvent(op, 'UPDATE_ROLLBACK_IN_PROGRESS', reason);
    state.template = old.template;
    state.assemblyStack = old.assemblyStack;
    state.parameters = old.parameters;
    let rollbackFailed = false;
    const cleanup: DeployedResource[] = [];
    for (const change of [...changes].reverse()) {
      if (!change.before) {
        // Created by this update: deleted in the cleanup phase.
        if (change.after) cleanup.push(change.after);
        continue;
      }
      if (change.replaced) {
        // The old physical resource still exists: point back at it and delete the replacement.
        state.resources.set(change.logicalId, change.before);
        cleanup.push(change.after!);
        continue;
      }
      if (!(await this.revertResource(op, change))) rollbackFailed = true;
    }
    if (rollbackFailed) {
      this.stackEvent(op, 'UPDATE_ROLLBACK_FAILED');
      return this.result(op);
    }
    state.outputs = old.outputs;
    this.stackEvent(op, 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS');
    for (const res of cleanup) {
      if (state.resources.get(res.logicalId) === res) state.resources.delete(res.logicalId);
    }
    await this.deleteAll(op, cleanup, { keepState: true });
    this.stackEvent(op, 'UPDATE_ROLLBACK_COMPLETE');
    return this.result(op);
  }

  /** Rollback of an in-place update: a second Update with old and new properties swapped. */
  private async revertResource(op: Operation, change: ResourceChange): Promise<boolean> {
    const { state } = op;
    const before = change.before!;
    this.resourceEvent(op, change.logicalId, before.type, 'UPDATE_IN_PROGRESS', undefined, before.physicalId);
    if (!isCustomResource(before.type)) {
      state.resources.set(change.logicalId, before);
      this.resourceEvent(op, change.logicalId, before.type, 'UPDATE_COMPLETE', undefined, before.physicalId);
      return true;
    }
    const current = state.resources.get(change.logicalId) ?? before;
    const request: CfnRequest = {
      ...this.request(op, 'Update', change.logicalId, before.definition, before.properties, current),
      OldResourceProperties: change.after!.properties,
    };
    const outcome = await this.callProvider(op, request, before.properties);
    if (!outcome.ok) {
      this.resourceEvent(op, change.logicalId, before.type, 'UPDATE_FAILED', outcome.reason, current.physicalId);
      this.fail(op, outcome.reason!);
      return false;
    }
    state.resources.set(change.logicalId, { ...before, physicalId: outcome.physicalId ?? current.physicalId, attributes: outcome.data });
    this.resourceEvent(op, change.logicalId, before.type, 'UPDATE_COMPLETE', undefined, outcome.physicalId);
    return true;
  }

  private async cleanup(op: Operation, items: DeployedResource[], oldTemplate: CfnTemplate): Promise<void> {
    // Reverse dependency order of the template the old resources belonged to.
    const order = topologicalOrder(oldTemplate.Resources);
    const rank = (r: DeployedResource) => order.indexOf(r.logicalId);
    const sorted = [...items].sort((a, b) => rank(b) - rank(a));
    for (const item of sorted) {
      if (op.state.resources.get(item.logicalId) === item) op.state.resources.delete(item.logicalId);
    }
    // A failed cleanup delete leaves the stack UPDATE_COMPLETE, as in CloudFormation.
    await this.deleteAll(op, sorted, { keepState: true });
  }

  // ---- delete ----

  /** Deletes the given resources in the given order; returns the logical ids that failed. */
  private async deleteAll(op: Operation, items: DeployedResource[], how: { keepState?: boolean } = {}): Promise<string[]> {
    const failed: string[] = [];
    for (const res of items) {
      if (!(await this.deleteResource(op, res, how.keepState ?? false))) failed.push(res.logicalId);
    }
    return failed;
  }

  private async deleteResource(op: Operation, res: DeployedResource, keepState: boolean): Promise<boolean> {
    const { state } = op;
    const forget = () => {
      if (!keepState && state.resources.get(res.logicalId) === res) state.resources.delete(res.logicalId);
    };
    if (res.definition.DeletionPolicy === 'Retain') {
      this.resourceEvent(op, res.logicalId, res.type, 'DELETE_SKIPPED', undefined, res.physicalId);
      forget();
      return true;
    }
    this.resourceEvent(op, res.logicalId, res.type, 'DELETE_IN_PROGRESS', undefined, res.physicalId);
    if (isCustomResource(res.type)) {
      const request = this.request(op, 'Delete', res.logicalId, res.definition, res.properties, res);
      const outcome = await this.callProvider(op, request, res.properties);
      if (!outcome.ok) {
        this.resourceEvent(op, res.logicalId, res.type, 'DELETE_FAILED', outcome.reason, res.physicalId);
        this.fail(op, outcome.reason!);
        return false;
      }
    }
    forget();
    this.resourceEvent(op, res.logicalId, res.type, 'DELETE_COMPLETE', undefined, res.physicalId);
    return true;
  }

  // ---- custom resource requests ----

  private request(op: Operation, type: CfnRequest['RequestType'], logicalId: string, definition: CfnResource, props: Record<string, unknown>, existing?: DeployedResource): CfnRequest {
    const properties = stringifyScalars(props) as Record<string, unknown>;
    return {
      RequestType: type,
      ServiceToken: String(properties.ServiceToken),
      ResponseURL: `http://localhost/cloudformation-response/${encodeURIComponent(op.state.stackName)}/${logicalId}`,
      StackId: op.state.stackId,
      RequestId: randomUUID(),
      LogicalResourceId: logicalId,
      ResourceType: definition.Type,
      ResourceProperties: properties,
      ...(existing ? { PhysicalResourceId: existing.physicalId } : {}),
      ...(type === 'Update' && existing ? { OldResourceProperties: existing.properties } : {}),
    };
  }

  private async callProvider(op: Operation, request: CfnRequest, props: Record<string, unknown>): Promise<CustomResourceOutcome> {
    let target;
    try {
      target = resolveProvider(request.ServiceToken, (arn) => this.findByArn(arn));
    } catch (e) {
      if (e instanceof UnsupportedServiceTokenError && this.options.fakeUnsupportedCustomResources) {
        this.options.log?.(`${request.LogicalResourceId}: ${e.message}; answering SUCCESS`);
        return { ok: true, physicalId: request.PhysicalResourceId ?? request.RequestId, data: {} };
      }
      throw e;
    }
    const serviceTimeout = props.ServiceTimeout === undefined ? DEFAULT_SERVICE_TIMEOUT_SECONDS : Number(props.ServiceTimeout);
    const duplicate = typeof op.duplicate === 'function' ? op.duplicate(request) : op.duplicate;
    const call: CallOptions = {
      runtime: this.runtime,
      clock: this.clock,
      pollIntervalMs: this.options.pollIntervalMs,
      maxAttempts: this.options.waiterMaxAttempts,
      duplicate,
      recordInvocation: (i) => this.invocations.push(i),
      recordResponse: (r) => this.responses.push(r),
    };
    this.options.log?.(`${request.RequestType} ${request.LogicalResourceId} (RequestId ${request.RequestId})`);
    return callCustomResource(request, target, serviceTimeout, call);
  }

  private findByArn(arn: string): DeployedResource | undefined {
    for (const stack of this.stacks.values()) {
      for (const res of stack.resources.values()) {
        if (res.attributes.Arn === arn && !isCustomResource(res.type)) return res;
      }
    }
    return undefined;
  }

  // ---- resolution ----

  /** Resolved properties, or the AttributeError that fails the resource; unsupported templates throw. */
  private resolveProperties(op: Operation, logicalId: string, definition: CfnResource): Record<string, unknown> | AttributeError {
    try {
      return resolveValue(definition.Properties ?? {}, resolveContext(op.state, this.contextEnv(op.state)), `${op.state.stackName}/${logicalId}`) as Record<string, unknown>;
    } catch (e) {
      if (e instanceof AttributeError) return e;
      throw e;
    }
  }

  private resolveOutputs(op: Operation): boolean {
    const { state } = op;
    const ctx = resolveContext(state, this.contextEnv(state));
    const outputs: Record<string, string> = {};
    try {
      for (const [name, output] of Object.entries(state.template.Outputs ?? {})) {
        if (output.Condition && !ctx.condition(output.Condition)) continue;
        const value = resolveValue(output.Value, ctx, `${state.stackName}/Outputs/${name}`);
        outputs[name] = typeof value === 'string' ? value : Array.isArray(value) ? value.join(',') : JSON.stringify(value);
      }
    } catch (e) {
      if (!(e instanceof AttributeError)) throw e;
      return this.fail(op, e.message);
    }
    state.outputs = outputs;
    if (state.status.startsWith('CREATE')) this.publishExports(state);
    return true;
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

  /** Precheck for "No updates are to be performed": resolves against the current state without side effects. */
  private hasChanges(op: Operation, order: string[]): boolean {
    const { state } = op;
    try {
      for (const logicalId of order) {
        const before = state.resources.get(logicalId);
        const definition = state.template.Resources[logicalId];
        if (!before || before.type !== definition.Type) return true;
        const props = this.resolveProperties(op, logicalId, definition);
        if (props instanceof AttributeError) return true;
        const compared = isCustomResource(definition.Type) ? stringifyScalars(props) : props;
        if (!sameJson(compared, before.properties)) return true;
      }
      const ctx = resolveContext(state, this.contextEnv(state));
      for (const [name, output] of Object.entries(state.template.Outputs ?? {})) {
        if (output.Condition && !ctx.condition(output.Condition)) {
          if (name in state.outputs) return true;
          continue;
        }
        const value = resolveValue(output.Value, ctx, `${state.stackName}/Outputs/${name}`);
        const text = typeof value === 'string' ? value : Array.isArray(value) ? value.join(',') : JSON.stringify(value);
        if (state.outputs[name] !== text) return true;
      }
      return Object.keys(state.outputs).some((name) => !(name in (state.template.Outputs ?? {})));
    } catch (e) {
      if (e instanceof AttributeError || e instanceof IntrinsicError) return true;
      throw e;
    }
  }

  private templateOrder(state: StackState): string[] {
    const ctx = resolveContext(state, this.contextEnv(state));
    const active = Object.fromEntries(Object.entries(state.template.Resources)
      .filter(([, r]) => !r.Condition || ctx.condition(r.Condition)));
    return topologicalOrder(active);
  }

  /** Reverse of the current template's dependency order. */
  private reverseDeployOrder(state: StackState, ids: string[]): DeployedResource[] {
    const order = topologicalOrder(state.template.Resources);
    const rank = (id: string) => order.indexOf(id);
    return [...ids].sort((a, b) => rank(b) - rank(a)).map((id) => state.resources.get(id)!);
  }

  // ---- bookkeeping ----

  private deployed(
    state: StackState, logicalId: string, definition: CfnResource, physicalId: string,
    properties: Record<string, unknown>, data?: Record<string, unknown>,
  ): DeployedResource {
    return {
      logicalId,
      type: definition.Type,
      physicalId,
      properties,
      attributes: data ?? fakeAttributes(this.naming(state), definition.Type, physicalId),
      definition,
      stack: state.assemblyStack,
    };
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

  private operation(state: StackState, opts: OperationOptions): Operation {
    return { state, events: [], duplicate: opts.duplicateRequests ?? this.options.duplicateRequests ?? false };
  }

  private fail(op: Operation, reason: string): false {
    op.failureReason ??= reason;
    return false;
  }

  private stackEvent(op: Operation, status: StackStatus, reason?: string): void {
    op.state.status = status;
    const { stackName, stackId } = op.state;
    this.emit(op, { timestamp: new Date(), stackName, logicalId: stackName, resourceType: STACK_TYPE, status, reason, physicalId: stackId });
  }

  private resourceEvent(op: Operation, logicalId: string, resourceType: string, status: StackEvent['status'], reason?: string, physicalId?: string): void {
    this.emit(op, { timestamp: new Date(), stackName: op.state.stackName, logicalId, resourceType, status, reason, physicalId });
  }

  private emit(op: Operation, event: StackEvent): void {
    op.events.push(event);
    this.events.push(event);
    this.options.log?.(`${event.stackName} ${event.logicalId} ${event.status}${event.reason ? ` ${event.reason}` : ''}`);
    this.options.onEvent?.(event);
  }

  private result(op: Operation): StackOperationResult {
    const { stackName, status, outputs } = op.state;
    return { stackName, status, events: op.events, failureReason: op.failureReason, outputs: { ...outputs } };
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

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v !== null && typeof v === 'object') {
    return Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical((v as Record<string, unknown>)[k])]));
  }
  return v;
}
