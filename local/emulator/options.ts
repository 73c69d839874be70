import { Authorizer } from '../iam/types';

/** How the next deployment of an instance ends. */
export interface DeploymentPlan {
  readonly outcome: 'SUCCEEDED' | 'FAILED';
  /** deploymentStatusMessage on FAILED. */
  readonly message?: string;
  /** How long the deployment stays IN_PROGRESS (defaults to the emulator's `deploymentMs`). */
  readonly durationMs?: number;
}

/** How the removal of an instance (UpdateService without it, or DeleteService) ends. */
export interface RemovalPlan {
  readonly outcome: 'DELETE_COMPLETE' | 'DELETE_FAILED';
  readonly message?: string;
  readonly durationMs?: number;
}

export interface EmulatorOptions {
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Default 0: a free port chosen by the OS. */
  readonly port?: number;
  /** Default us-east-1. */
  readonly region?: string;
  /** Default 123456789012. */
  readonly account?: string;
  /** How long a create/update deployment stays IN_PROGRESS. Default 1500. */
  readonly deploymentMs?: number;
  /** How long a cancelled deployment stays CANCELLING. Default 300. */
  readonly cancelMs?: number;
  /** How long a removed instance (or a deleted service) stays DELETE_IN_PROGRESS. Default 1000. */
  readonly removalMs?: number;
  /** Outcome of deployments with no plan. Default SUCCEEDED. */
  readonly defaultDeployment?: DeploymentPlan;
  /**
   * What GetServiceInstance answers once a removed instance is gone: ResourceNotFoundException
   * (default), or the instance with deploymentStatus DELETE_COMPLETE. The real behaviour is unverified.
   */
  readonly removedInstanceReads?: 'NOT_FOUND' | 'DELETE_COMPLETE';
  /**
   * Whether GetServiceInstance answers `lastClientRequestToken` (default true). The model makes it optional; a
   * caller that relies on it can be tried without it.
   */
  readonly answersClientTokens?: boolean;
  /**
   * The `spec` GetServiceInstance answers: the text as sent (default), or the same document rendered anew (as JSON,
   * which is YAML), as a service that stores specs parsed would. Which one Proton does is unverified.
   */
  readonly specAnswer?: 'AS_SENT' | 'RENDERED';
  /**
   * CancelServiceInstanceDeployment when no deployment is IN_PROGRESS: return the instance unchanged
   * (default; the Proton docs say a cancel that arrives after the deployment finished "has no effect"),
   * or answer ConflictException.
   */
  readonly cancelWhenIdle?: 'RETURN_INSTANCE' | 'CONFLICT';
  /**
   * Page size of ListServiceInstanceOutputs. Default 2, so that callers' pagination gets exercised.
   * The model types that operation's nextToken as EmptyNextToken (max length 0), i.e. the real service
   * never paginates outputs; with a page size > 0 the emulator relaxes that constraint. 0 = one page, model-exact.
   */
  readonly outputsPageSize?: number;
  /** Client tokens are remembered this long. Default 8 hours. */
  readonly idempotencyTtlMs?: number;
  /** Clock in epoch milliseconds; inject one to drive the timeline without sleeping. Default Date.now. */
  readonly now?: () => number;
  /**
   * Decides every call's IAM permissions (see permissions.ts); absent, every call is allowed. Replace it later with
   * `emulator.setAuthorizer`.
   */
  readonly authorizer?: Authorizer;
}

export interface ResolvedOptions {
  readonly host: string;
  readonly port: number;
  readonly region: string;
  readonly account: string;
  readonly deploymentMs: number;
  readonly cancelMs: number;
  readonly removalMs: number;
  readonly defaultDeployment: DeploymentPlan;
  readonly removedInstanceReads: 'NOT_FOUND' | 'DELETE_COMPLETE';
  readonly answersClientTokens: boolean;
  readonly specAnswer: 'AS_SENT' | 'RENDERED';
  readonly cancelWhenIdle: 'RETURN_INSTANCE' | 'CONFLICT';
  readonly outputsPageSize: number;
  readonly idempotencyTtlMs: number;
  readonly now: () => number;
}

export function resolveOptions(options: EmulatorOptions = {}): ResolvedOptions {
  return {
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 0,
    region: options.region ?? 'us-east-1',
    account: options.account ?? '123456789012',
    deploymentMs: options.deploymentMs ?? 1500,
    cancelMs: options.cancelMs ?? 300,
    removalMs: options.removalMs ?? 1000,
    defaultDeployment: options.defaultDeployment ?? { outcome: 'SUCCEEDED' },
    removedInstanceReads: options.removedInstanceReads ?? 'NOT_FOUND',
    answersClientTokens: options.answersClientTokens ?? true,
    specAnswer: options.specAnswer ?? 'AS_SENT',
    cancelWhenIdle: options.cancelWhenIdle ?? 'RETURN_INSTANCE',
    outputsPageSize: options.outputsPageSize ?? 2,
    idempotencyTtlMs: options.idempotencyTtlMs ?? 8 * 3600 * 1000,
    now: options.now ?? Date.now,
  };
}
