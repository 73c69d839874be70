import { createHash, randomUUID } from 'crypto';
import { notFound, validation } from '../errors';
import { DeploymentPlan, RemovalPlan, ResolvedOptions } from '../options';
import { InstanceConfig, InstanceRecord, settleInstance } from './instance';
import { ServiceRecord, settleService } from './service';

export interface Tag { key: string; value: string }

interface TokenEntry {
  readonly fingerprint: string;
  readonly at: number;
  readonly resource: string;
}

const instanceKey = (serviceName: string, name: string) => `${serviceName}/${name}`;

/** All emulated Proton state, plus the test's plans for how future deployments end. */
export class ProtonState {
  public readonly services = new Map<string, ServiceRecord>();
  /** Keyed `service/instance`; in DELETE_COMPLETE read mode, removed instances stay here as tombstones. */
  public readonly instances = new Map<string, InstanceRecord>();
  public readonly tags = new Map<string, Tag[]>();
  public readonly outputs = new Map<string, { key: string; valueString: string }[]>();
  private readonly deploymentPlans = new Map<string, DeploymentPlan[]>();
  private readonly stickyPlans = new Map<string, DeploymentPlan>();
  private readonly removalPlans = new Map<string, RemovalPlan[]>();
  private readonly tokens = new Map<string, TokenEntry>();

  constructor(public readonly options: ResolvedOptions) {}

  public now(): number {
    return this.options.now();
  }

  public serviceArn(name: string): string {
    return `arn:aws:proton:${this.options.region}:${this.options.account}:service/${name}`;
  }

  public instanceArn(serviceName: string, name: string): string {
    return `${this.serviceArn(serviceName)}/service-instance/${name}`;
  }

  /** The live service, brought up to date; undefined once deleted. */
  public findService(name: string): ServiceRecord | undefined {
    const service = this.services.get(name);
    if (!service) return undefined;
    this.settleAll();
    return this.services.get(name);
  }

  public getService(name: string): ServiceRecord {
    const service = this.findService(name);
    if (!service) throw notFound(`Service ${name} not found`);
    return service;
  }

  public findInstance(serviceName: string, name: string): InstanceRecord | undefined {
    this.settleAll();
    return this.instances.get(instanceKey(serviceName, name));
  }

  public getInstance(serviceName: string, name: string): InstanceRecord {
    const instance = this.findInstance(serviceName, name);
    if (!instance) throw notFound(`Service instance ${name} of service ${serviceName} not found`);
    return instance;
  }

  public instancesOf(serviceName: string, includeDeleted = false): InstanceRecord[] {
    this.settleAll();
    return [...this.instances.values()].filter((i) => i.serviceName === serviceName && (includeDeleted || i.status !== 'DELETE_COMPLETE'));
  }

  public addInstance(instance: InstanceRecord): void {
    this.instances.set(instanceKey(instance.serviceName, instance.name), instance);
  }

  /** Settles every record; finished removals leave the maps here (or stay as DELETE_COMPLETE tombstones). */
  public settleAll(): void {
    const now = this.now();
    for (const [key, instance] of this.instances) {
      settleInstance(instance, now);
      if (instance.status === 'DELETE_COMPLETE' && this.options.removedInstanceReads === 'NOT_FOUND') {
        this.instances.delete(key);
        this.tags.delete(instance.arn);
        this.outputs.delete(key);
      }
    }
    for (const [name, service] of this.services) {
      settleService(service, now);
      if (service.deleted) {
        this.services.delete(name);
        this.tags.delete(service.arn);
      }
    }
  }

  /** Starts a deployment on the timeline, consuming the instance's next plan. */
  public startDeployment(instance: InstanceRecord, previous: InstanceConfig, token?: string): void {
    const now = this.now();
    const plan = this.nextPlan(instance.serviceName, instance.name);
    const id = randomUUID();
    instance.deployment = {
      id,
      startedAt: now,
      endsAt: now + (plan.durationMs ?? this.options.deploymentMs),
      outcome: plan.outcome,
      message: plan.message,
      previous,
    };
    instance.status = 'IN_PROGRESS';
    instance.statusMessage = undefined;
    instance.lastAttemptedDeploymentId = id;
    instance.lastDeploymentAttemptedAt = now;
    if (token !== undefined) instance.lastClientRequestToken = token;
    settleInstance(instance, now);
  }

  public startRemoval(instance: InstanceRecord): number {
    const now = this.now();
    const queue = this.removalPlans.get(instanceKey(instance.serviceName, instance.name));
    const plan = queue?.shift() ?? { outcome: 'DELETE_COMPLETE' };
    const endsAt = now + (plan.durationMs ?? this.options.removalMs);
    instance.removal = { endsAt, outcome: plan.outcome, message: plan.message };
    instance.status = 'DELETE_IN_PROGRESS';
    settleInstance(instance, now);
    return endsAt;
  }

  public planDeployment(serviceName: string, name: string, plan: DeploymentPlan): void {
    const key = instanceKey(serviceName, name);
    this.deploymentPlans.set(key, [...(this.deploymentPlans.get(key) ?? []), plan]);
  }

  /** A plan for every deployment of one instance that has no queued plan (timing or outcome per instance). */
  public setInstancePlan(serviceName: string, name: string, plan: DeploymentPlan | undefined): void {
    const key = instanceKey(serviceName, name);
    if (plan) this.stickyPlans.set(key, plan);
    else this.stickyPlans.delete(key);
  }

  public planRemoval(serviceName: string, name: string, plan: RemovalPlan): void {
    const key = instanceKey(serviceName, name);
    this.removalPlans.set(key, [...(this.removalPlans.get(key) ?? []), plan]);
  }

  public setOutputs(serviceName: string, name: string, outputs: Record<string, string>): void {
    this.outputs.set(instanceKey(serviceName, name), Object.entries(outputs).map(([key, valueString]) => ({ key, valueString })));
  }

  public outputsOf(serviceName: string, name: string): { key: string; valueString: string }[] {
    return this.outputs.get(instanceKey(serviceName, name)) ?? [];
  }

  /**
   * Client-token bookkeeping. Returns the resource remembered for this token when the input is the
   * same, undefined when the token is new or expired; throws on the same token with a different input.
   */
  public checkToken(operation: string, token: string, input: Record<string, unknown>): string | undefined {
    const key = `${operation}:${token}`;
    const entry = this.tokens.get(key);
    if (!entry || this.now() - entry.at > this.options.idempotencyTtlMs) return undefined;
    if (entry.fingerprint !== fingerprint(input)) {
      throw validation(`IdempotentParameterMismatch: client token ${token} was already used with different parameters for ${operation}`);
    }
    return entry.resource;
  }

  public rememberToken(operation: string, token: string, input: Record<string, unknown>, resource: string): void {
    this.tokens.set(`${operation}:${token}`, { fingerprint: fingerprint(input), at: this.now(), resource });
  }

  private nextPlan(serviceName: string, name: string): DeploymentPlan {
    const key = instanceKey(serviceName, name);
    return this.deploymentPlans.get(key)?.shift() ?? this.stickyPlans.get(key) ?? this.options.defaultDeployment;
  }
}

/** Token equality ignores the token itself and member order. */
function fingerprint(input: Record<string, unknown>): string {
  const { clientToken: _token, ...rest } = input;
  return createHash('sha256').update(canonical(rest)).digest('hex');
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => a.localeCompare(b));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
