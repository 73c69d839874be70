/**
 * One CloudFormation operation on one stack (create, update, delete) and the resource-level steps it is made of:
 * create, update, revert (the Update a rollback sends back) and delete of one resource, with the stack and
 * resource events CloudFormation reports. The phases that order these steps live in driver.ts (create, delete)
 * and stack-update.ts (update and its rollback). Resources are handled one at a time: CloudFormation runs
 * independent resources in parallel, and one at a time in dependency order is one of the schedules it may pick.
 */
import { randomUUID } from 'crypto';
import { CustomResourceOutcome } from './custom-resource-call';
import { deletionOrder, topologicalOrder } from './graph';
import { IntrinsicError, resolveValue, stringifyScalars } from './intrinsics';
import { DeployedResource, fakeAttributes, fakePhysicalId, isCustomResource, Naming } from './provider-model';
import { AttributeError, ContextEnvironment, resolveContext, StackState } from './stack-state';
import { CfnRequest, CfnResource, DuplicatePolicy, ResourceStatus, StackEvent, StackOperationResult, StackStatus } from './types';

/** What a stack operation needs from the driver. */
export interface OperationServices {
  readonly now: () => Date;
  readonly naming: (state: StackState) => Naming;
  readonly contextEnv: (state: StackState) => ContextEnvironment;
  /** A presigned response URL for a request. */
  readonly responseUrl: (request: Pick<CfnRequest, 'StackId' | 'LogicalResourceId' | 'RequestId' | 'RequestType'>) => string;
  /** CloudFormation's side of one custom resource request (custom-resource-call.ts). */
  readonly callCustomResource: (request: CfnRequest, options: { duplicate: boolean; cancel?: AbortSignal }) => Promise<CustomResourceOutcome>;
  readonly publishExports: (state: StackState) => void;
  readonly emit: (event: StackEvent) => void;
}

/** What an update did to one resource, for its rollback. */
export interface ResourceChange {
  readonly logicalId: string;
  /** The resource before the update; undefined when the update created it. */
  readonly before?: DeployedResource;
  /**
   * The resource as CloudFormation recorded it after the step: the updated resource, or after a failure the
   * attempted properties under the physical id the failure response carried (else the old one).
   */
  readonly after?: DeployedResource;
  /** The step reached the resource (a request was sent, an ordinary resource changed): a rollback must undo it. */
  readonly applied: boolean;
  readonly failed: boolean;
}

export const STACK_TYPE = 'AWS::CloudFormation::Stack';

export class StackOperation {
  public readonly events: StackEvent[] = [];
  public failureReason?: string;
  /** Set by CancelUpdateStack; requests sent while `cancellable` is set stop being waited for. */
  public cancelRequested = false;
  private cancellable?: AbortController;

  constructor(public readonly state: StackState, private readonly services: OperationServices, private readonly duplicate: DuplicatePolicy) {}

  // ---- stack-level bookkeeping ----

  public stackEvent(status: StackStatus, reason?: string): void {
    const { state } = this;
    state.status = status;
    state.statusReason = reason;
    if (!status.startsWith('CREATE') && !status.startsWith('ROLLBACK')) state.lastUpdatedTime = this.services.now();
    const { stackName, stackId } = state;
    this.emit({ timestamp: this.services.now(), stackName, logicalId: stackName, resourceType: STACK_TYPE, status, reason, physicalId: stackId });
  }

  public resourceEvent(logicalId: string, resourceType: string, status: ResourceStatus, reason?: string, physicalId?: string): void {
    this.emit({ timestamp: this.services.now(), stackName: this.state.stackName, logicalId, resourceType, status, reason, physicalId });
  }

  public fail(reason: string): false {
    this.failureReason ??= reason;
    return false;
  }

  public result(): StackOperationResult {
    const { stackName, status, outputs } = this.state;
    return { stackName, status, events: this.events, failureReason: this.failureReason, outputs: { ...outputs } };
  }

  /** From here on (the update phase), CancelUpdateStack stops CloudFormation's wait for the resource in flight. */
  public allowCancel(): void {
    this.cancellable = new AbortController();
  }

  /** The rollback is not cancellable. */
  public disallowCancel(): void {
    this.cancellable = undefined;
  }

  public cancel(): void {
    this.cancelRequested = true;
    this.cancellable?.abort();
  }

  // ---- resources ----

  /** Creates one resource; false when it failed (its physical id, if any, is kept so a rollback deletes it). */
  public async createResource(logicalId: string): Promise<boolean> {
    const { state } = this;
    const definition = state.template.Resources[logicalId];
    this.resourceEvent(logicalId, definition.Type, 'CREATE_IN_PROGRESS');
    const props = this.resolveProperties(logicalId, definition);
    if (props instanceof AttributeError) {
      this.resourceEvent(logicalId, definition.Type, 'CREATE_FAILED', props.message);
      return this.fail(props.message);
    }
    if (!isCustomResource(definition.Type)) {
      const physicalId = fakePhysicalId(this.services.naming(state), logicalId, definition.Type, props);
      // A name given in the template (a log group's, a function's) must be free, as the service requires.
      const taken = [...state.resources.values()].some((r) => r.logicalId !== logicalId && r.type === definition.Type && r.physicalId === physicalId);
      if (taken) {
        const reason = `Resource of type '${definition.Type}' with identifier '${physicalId}' already exists.`;
        this.resourceEvent(logicalId, definition.Type, 'CREATE_FAILED', reason);
        return this.fail(reason);
      }
      state.resources.set(logicalId, this.deployed(logicalId, definition, physicalId, props));
      this.resourceEvent(logicalId, definition.Type, 'CREATE_COMPLETE', undefined, physicalId);
      return true;
    }
    const request = this.request('Create', logicalId, definition, props);
    const outcome = await this.call(request);
    // No usable response: CloudFormation still deletes the resource on rollback, under an id of its own.
    const physicalId = outcome.physicalId ?? `${state.stackName}-${logicalId}-${randomUUID().slice(0, 12).toUpperCase()}`;
    state.resources.set(logicalId, this.deployed(logicalId, definition, physicalId, request.ResourceProperties, outcome));
    if (!outcome.ok) {
      this.resourceEvent(logicalId, definition.Type, 'CREATE_FAILED', outcome.reason, physicalId);
      return this.fail(outcome.reason!);
    }
    this.resourceEvent(logicalId, definition.Type, 'CREATE_COMPLETE', undefined, physicalId);
    return true;
  }

  /** Updates one resource of the stack's (new) template; undefined when its properties did not change. */
  public async updateResource(logicalId: string): Promise<ResourceChange | undefined> {
    const { state } = this;
    const before = state.resources.get(logicalId)!;
    const definition = state.template.Resources[logicalId];
    const refused = (reason: string): ResourceChange => {
      this.resourceEvent(logicalId, definition.Type, 'UPDATE_FAILED', reason, before.physicalId);
      this.fail(reason);
      return { logicalId, before, after: before, applied: false, failed: true };
    };
    const resolved = this.resolveProperties(logicalId, definition);
    if (resolved instanceof AttributeError) return refused(resolved.message);
    const custom = isCustomResource(definition.Type);
    const props = custom ? stringifyScalars(resolved) as Record<string, unknown> : resolved;
    if (definition.Type !== before.type) {
      return refused(`Update of resource type is not permitted. The new template modifies resource type of the following resources: [${logicalId}]`);
    }
    if (sameJson(props, before.properties)) {
      // Unchanged properties: CloudFormation leaves the resource alone; keep the newer definition (metadata).
      state.resources.set(logicalId, { ...before, definition, stack: state.assemblyStack });
      return undefined;
    }
    this.resourceEvent(logicalId, definition.Type, 'UPDATE_IN_PROGRESS', undefined, before.physicalId);
    if (!custom) {
      // Recorded at once: a changed IAM policy grants its new permissions from here on.
      const after = this.deployed(logicalId, definition, before.physicalId, props);
      state.resources.set(logicalId, after);
      this.resourceEvent(logicalId, definition.Type, 'UPDATE_COMPLETE', undefined, before.physicalId);
      return { logicalId, before, after, applied: true, failed: false };
    }
    const request = this.request('Update', logicalId, definition, props, before);
    const outcome = await this.call(request, { cancellable: true });
    // CloudFormation records the physical id a response carries, a FAILED one's included (the framework's
    // CREATE_FAILED marker relies on it): a failed replacement's new id is what the rollback Update goes to.
    const physicalId = outcome.physicalId ?? before.physicalId;
    if (!outcome.ok) {
      const after = this.deployed(logicalId, definition, physicalId, request.ResourceProperties, { data: before.attributes, noEcho: before.noEcho });
      state.resources.set(logicalId, after);
      this.resourceEvent(logicalId, definition.Type, 'UPDATE_FAILED', outcome.reason, physicalId);
      this.fail(outcome.reason!);
      return { logicalId, before, after, applied: true, failed: true };
    }
    const after = this.deployed(logicalId, definition, physicalId, request.ResourceProperties, outcome);
    if (physicalId !== before.physicalId) {
      this.resourceEvent(logicalId, definition.Type, 'UPDATE_IN_PROGRESS', 'Requested update required the provider to create a new physical resource', physicalId);
    }
    state.resources.set(logicalId, after);
    this.resourceEvent(logicalId, definition.Type, 'UPDATE_COMPLETE', undefined, physicalId);
    return { logicalId, before, after, applied: true, failed: false };
  }

  /**
   * The rollback Update of a resource the failed update changed: the old (last good) properties as
   * ResourceProperties, the failed update's as OldResourceProperties, to the physical id CloudFormation holds now
   * (a replacement's new one). The id the answer carries becomes current; the id the Update went to, when
   * different, is pushed to `orphans` for the cleanup phase. False when the rollback of this resource failed.
   */
  public async revertResource(change: ResourceChange, orphans: DeployedResource[]): Promise<boolean> {
    const { state } = this;
    const before = change.before!;
    if (!change.applied) return true;
    const current = state.resources.get(change.logicalId) ?? change.after ?? before;
    this.resourceEvent(change.logicalId, before.type, 'UPDATE_IN_PROGRESS', undefined, current.physicalId);
    if (!isCustomResource(before.type)) {
      state.resources.set(change.logicalId, before);
      this.resourceEvent(change.logicalId, before.type, 'UPDATE_COMPLETE', undefined, before.physicalId);
      return true;
    }
    const request = this.request('Update', change.logicalId, before.definition, before.properties, current);
    const outcome = await this.call(request);
    if (!outcome.ok) {
      this.resourceEvent(change.logicalId, before.type, 'UPDATE_FAILED', outcome.reason, current.physicalId);
      return this.fail(outcome.reason!);
    }
    const physicalId = outcome.physicalId ?? current.physicalId;
    state.resources.set(change.logicalId, { ...before, physicalId, attributes: outcome.data, noEcho: outcome.noEcho });
    if (physicalId !== current.physicalId) orphans.push(current);
    this.resourceEvent(change.logicalId, before.type, 'UPDATE_COMPLETE', undefined, physicalId);
    return true;
  }

  /**
   * Deletes one resource. A deleted resource leaves the stack's state the moment its delete completes (a deleted
   * policy stops counting for IAM then); `forgetOnFailure` drops it after a failed delete too (a cleanup leaves it
   * behind). `createdByThisOperation` matters for DeletionPolicy RetainExceptOnCreate, which deletes only when
   * the operation that created the resource rolls back. Returns the failure reason, or undefined when deleted or
   * retained.
   */
  public async deleteResource(
    res: DeployedResource, how: { createdByThisOperation?: boolean; forgetOnFailure?: boolean } = {},
  ): Promise<string | undefined> {
    const forget = () => {
      if (this.state.resources.get(res.logicalId) === res) this.state.resources.delete(res.logicalId);
    };
    const policy = res.definition.DeletionPolicy;
    if (policy === 'Retain' || (policy === 'RetainExceptOnCreate' && !how.createdByThisOperation)) {
      forget();
      this.resourceEvent(res.logicalId, res.type, 'DELETE_SKIPPED', undefined, res.physicalId);
      return undefined;
    }
    this.resourceEvent(res.logicalId, res.type, 'DELETE_IN_PROGRESS', undefined, res.physicalId);
    if (isCustomResource(res.type)) {
      const outcome = await this.call(this.request('Delete', res.logicalId, res.definition, res.properties, res));
      if (!outcome.ok) {
        this.resourceEvent(res.logicalId, res.type, 'DELETE_FAILED', outcome.reason, res.physicalId);
        if (how.forgetOnFailure) forget();
        return outcome.reason;
      }
    }
    forget();
    this.resourceEvent(res.logicalId, res.type, 'DELETE_COMPLETE', undefined, res.physicalId);
    return undefined;
  }

  // ---- template ----

  /** Logical ids of the template's resources (their Conditions applied), in dependency order. */
  public templateOrder(): string[] {
    const ctx = resolveContext(this.state, this.services.contextEnv(this.state));
    const active = Object.fromEntries(Object.entries(this.state.template.Resources)
      .filter(([, r]) => !r.Condition || ctx.condition(r.Condition)));
    return topologicalOrder(active);
  }

  /** Resolves and records the outputs; false (and the failure) when a GetAtt cannot be served. */
  public resolveOutputs(): boolean {
    const { state } = this;
    const ctx = resolveContext(state, this.services.contextEnv(state));
    const outputs: Record<string, string> = {};
    try {
      for (const [name, output] of Object.entries(state.template.Outputs ?? {})) {
        if (output.Condition && !ctx.condition(output.Condition)) continue;
        outputs[name] = outputText(resolveValue(output.Value, ctx, `${state.stackName}/Outputs/${name}`));
      }
    } catch (e) {
      if (!(e instanceof AttributeError)) throw e;
      return this.fail(e.message);
    }
    state.outputs = outputs;
    if (state.status.startsWith('CREATE')) this.services.publishExports(state);
    return true;
  }

  /** Precheck for "No updates are to be performed": resolves against the current state without side effects. */
  public hasChanges(order: string[]): boolean {
    const { state } = this;
    try {
      for (const logicalId of order) {
        const before = state.resources.get(logicalId);
        const definition = state.template.Resources[logicalId];
        if (!before || before.type !== definition.Type) return true;
        const props = this.resolveProperties(logicalId, definition);
        if (props instanceof AttributeError) return true;
        const compared = isCustomResource(definition.Type) ? stringifyScalars(props) : props;
        if (!sameJson(compared, before.properties)) return true;
      }
      const ctx = resolveContext(state, this.services.contextEnv(state));
      for (const [name, output] of Object.entries(state.template.Outputs ?? {})) {
        if (output.Condition && !ctx.condition(output.Condition)) {
          if (name in state.outputs) return true;
          continue;
        }
        if (state.outputs[name] !== outputText(resolveValue(output.Value, ctx, `${state.stackName}/Outputs/${name}`))) return true;
      }
      return Object.keys(state.outputs).some((name) => !(name in (state.template.Outputs ?? {})));
    } catch (e) {
      if (e instanceof AttributeError || e instanceof IntrinsicError) return true;
      throw e;
    }
  }

  // ---- helpers ----

  private emit(event: StackEvent): void {
    this.events.push(event);
    this.services.emit(event);
  }

  /** Resolved properties, or the AttributeError that fails the resource; unsupported templates throw. */
  private resolveProperties(logicalId: string, definition: CfnResource): Record<string, unknown> | AttributeError {
    try {
      return resolveValue(definition.Properties ?? {}, resolveContext(this.state, this.services.contextEnv(this.state)), `${this.state.stackName}/${logicalId}`) as Record<string, unknown>;
    } catch (e) {
      if (e instanceof AttributeError) return e;
      throw e;
    }
  }

  /** The request CloudFormation sends: every scalar a string, a fresh RequestId and a presigned response URL. */
  private request(type: CfnRequest['RequestType'], logicalId: string, definition: CfnResource, props: Record<string, unknown>, existing?: DeployedResource): CfnRequest {
    const properties = stringifyScalars(props) as Record<string, unknown>;
    const ids = { StackId: this.state.stackId, RequestId: randomUUID(), LogicalResourceId: logicalId, RequestType: type };
    return {
      RequestType: type,
      ServiceToken: String(properties.ServiceToken),
      ResponseURL: this.services.responseUrl(ids),
      StackId: ids.StackId,
      RequestId: ids.RequestId,
      LogicalResourceId: logicalId,
      ResourceType: definition.Type,
      ResourceProperties: properties,
      ...(existing ? { PhysicalResourceId: existing.physicalId } : {}),
      ...(type === 'Update' && existing ? { OldResourceProperties: existing.properties } : {}),
    };
  }

  private call(request: CfnRequest, how: { cancellable?: boolean } = {}): Promise<CustomResourceOutcome> {
    const duplicate = typeof this.duplicate === 'function' ? this.duplicate(request) : this.duplicate;
    return this.services.callCustomResource(request, { duplicate, cancel: how.cancellable ? this.cancellable?.signal : undefined });
  }

  private deployed(
    logicalId: string, definition: CfnResource, physicalId: string, properties: Record<string, unknown>,
    response?: { readonly data: Record<string, unknown>; readonly noEcho?: boolean },
  ): DeployedResource {
    return {
      logicalId,
      type: definition.Type,
      physicalId,
      properties,
      attributes: response?.data ?? fakeAttributes(this.services.naming(this.state), definition.Type, physicalId),
      noEcho: response?.noEcho,
      definition,
      stack: this.state.assemblyStack,
    };
  }
}

function outputText(value: unknown): string {
  return typeof value === 'string' ? value : Array.isArray(value) ? value.join(',') : JSON.stringify(value);
}

export function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v !== null && typeof v === 'object') {
    return Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical((v as Record<string, unknown>)[k])]));
  }
  return v;
}

/** Resources ordered dependents first, by a template's dependencies (ids it does not know go last). */
type Ordered = { readonly logicalId: string };
type Template = { readonly Resources: Record<string, CfnResource> };

export function dependentsFirst<T extends Ordered>(items: readonly T[], template: Template): T[] {
  return byRank(items, deletionOrder(template.Resources, isCustomResource));
}

/** Resources ordered by a template's dependencies, dependencies first. */
export function dependenciesFirst<T extends Ordered>(items: readonly T[], template: Template): T[] {
  return byRank(items, topologicalOrder(template.Resources));
}

/** Items in the order of `order`; ids it does not know go last. */
function byRank<T extends Ordered>(items: readonly T[], order: string[]): T[] {
  const rank = (id: string) => {
    const i = order.indexOf(id);
    return i < 0 ? order.length : i;
  };
  return [...items].sort((a, b) => rank(a.logicalId) - rank(b.logicalId));
}
