/** The parts of an instance a deployment changes, and a cancel restores. */
export interface InstanceConfig {
  spec: string;
  templateMajorVersion: string;
  templateMinorVersion: string;
}

export type DeploymentStatus =
  | 'IN_PROGRESS' | 'FAILED' | 'SUCCEEDED' | 'DELETE_IN_PROGRESS' | 'DELETE_FAILED' | 'DELETE_COMPLETE' | 'CANCELLING' | 'CANCELLED';

/** A deployment still on the timeline; settled into the instance once its end time has passed. */
export interface ActiveDeployment {
  readonly id: string;
  readonly startedAt: number;
  readonly endsAt: number;
  readonly outcome: 'SUCCEEDED' | 'FAILED';
  readonly message?: string;
  readonly previous: InstanceConfig;
  cancel?: { readonly endsAt: number };
}

export interface ActiveRemoval {
  readonly endsAt: number;
  readonly outcome: 'DELETE_COMPLETE' | 'DELETE_FAILED';
  readonly message?: string;
}

export interface InstanceRecord {
  readonly name: string;
  readonly serviceName: string;
  /** Copied from the service at creation, so a tombstone can still answer after its service is gone. */
  readonly templateName: string;
  readonly arn: string;
  readonly environmentName: string;
  readonly createdAt: number;
  config: InstanceConfig;
  status: DeploymentStatus;
  statusMessage?: string;
  lastDeploymentAttemptedAt: number;
  lastDeploymentSucceededAt: number;
  lastAttemptedDeploymentId?: string;
  lastSucceededDeploymentId?: string;
  lastClientRequestToken?: string;
  deployment?: ActiveDeployment;
  removal?: ActiveRemoval;
}

/** Statuses during which the instance cannot take another update. */
export const BUSY_INSTANCE_STATUSES: ReadonlySet<DeploymentStatus> = new Set(['IN_PROGRESS', 'CANCELLING', 'DELETE_IN_PROGRESS']);

/**
 * Brings an instance up to `now`: statuses are derived from timestamps on each read, so the
 * emulator needs no timers and an injected clock drives it exactly.
 */
export function settleInstance(instance: InstanceRecord, now: number): void {
  const d = instance.deployment;
  if (d) {
    if (d.cancel) {
      if (now >= d.cancel.endsAt) {
        instance.status = 'CANCELLED';
        instance.statusMessage = 'Deployment was cancelled';
        instance.config = { ...d.previous };
        instance.deployment = undefined;
      } else {
        instance.status = 'CANCELLING';
      }
    } else if (now >= d.endsAt) {
      instance.status = d.outcome;
      if (d.outcome === 'SUCCEEDED') {
        instance.statusMessage = undefined;
        instance.lastSucceededDeploymentId = d.id;
        instance.lastDeploymentSucceededAt = d.endsAt;
      } else {
        instance.statusMessage = d.message ?? 'Deployment failed';
      }
      instance.deployment = undefined;
    } else {
      instance.status = 'IN_PROGRESS';
    }
  }
  const r = instance.removal;
  if (r) {
    if (now >= r.endsAt) {
      instance.status = r.outcome;
      instance.statusMessage = r.outcome === 'DELETE_FAILED' ? (r.message ?? 'Instance removal failed') : undefined;
      instance.removal = undefined;
    } else {
      instance.status = 'DELETE_IN_PROGRESS';
    }
  }
}

const seconds = (ms: number) => ms / 1000;

/** The ServiceInstance structure as the API returns it (timestamps in epoch seconds, as awsJson sends them). */
export function instanceView(instance: InstanceRecord, templateName: string): Record<string, unknown> {
  return {
    arn: instance.arn,
    createdAt: seconds(instance.createdAt),
    deploymentStatus: instance.status,
    ...(instance.statusMessage !== undefined && instance.status !== 'SUCCEEDED' ? { deploymentStatusMessage: instance.statusMessage } : {}),
    environmentName: instance.environmentName,
    lastDeploymentAttemptedAt: seconds(instance.lastDeploymentAttemptedAt),
    lastDeploymentSucceededAt: seconds(instance.lastDeploymentSucceededAt),
    ...(instance.lastAttemptedDeploymentId ? { lastAttemptedDeploymentId: instance.lastAttemptedDeploymentId } : {}),
    ...(instance.lastSucceededDeploymentId ? { lastSucceededDeploymentId: instance.lastSucceededDeploymentId } : {}),
    ...(instance.lastClientRequestToken ? { lastClientRequestToken: instance.lastClientRequestToken } : {}),
    name: instance.name,
    serviceName: instance.serviceName,
    spec: instance.config.spec,
    templateMajorVersion: instance.config.templateMajorVersion,
    templateMinorVersion: instance.config.templateMinorVersion,
    templateName,
  };
}

/** ServiceInstanceSummary: the same minus spec and client token. */
export function instanceSummary(instance: InstanceRecord, templateName: string): Record<string, unknown> {
  const { spec: _spec, lastClientRequestToken: _token, ...summary } = instanceView(instance, templateName);
  return summary;
}
