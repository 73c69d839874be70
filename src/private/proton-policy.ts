import { Token } from 'aws-cdk-lib';

/**
 * The IAM policy the shared handler role needs for the service instances of one stack.
 *
 * The tightest scoping lists every instance's ARN, but IAM caps inline policies at 10,240 characters per role,
 * which 200 instances would overrun. So the document is rendered at the tightest tier that fits:
 * per instance, then per service (`service/<name>/service-instance/*`), then every service of the account
 * and region. A wildcard never reaches past Proton services of this stack's account and region.
 */

/** The service instance actions the lifecycle calls, on instance ARNs. */
export const INSTANCE_ACTIONS = [
  'proton:CreateServiceInstance',
  'proton:GetServiceInstance',
  'proton:UpdateServiceInstance',
  'proton:CancelServiceInstanceDeployment',
  'proton:ListServiceInstanceOutputs',
  'proton:TagResource',
  'proton:UntagResource',
  'proton:ListTagsForResource',
];

/** Removing an instance means reading and rewriting its service's spec. */
export const SERVICE_ACTIONS = ['proton:GetService', 'proton:UpdateService'];

/** Characters the policy may take, below the 10,240 IAM allows per role, leaving room for other statements. */
export const POLICY_BUDGET = 8_000;

/**
 * The longest `arn:<partition>:proton:<region>:<account>:` prefix once tokens resolve
 * (partition `aws-iso-b`/`aws-us-gov`, region `ap-southeast-5`-like, 12-digit account).
 */
const ARN_PREFIX_MAX = 'arn:aws-us-gov:proton:ap-southeast-99:123456789012:'.length;
/** A name still a token at synth time may resolve to Proton's longest name. */
const NAME_MAX = 100;
/** Quotes and a comma around each resource in the rendered JSON. */
const PER_ENTRY = 3;
/** Statement keys, actions and braces: measured on a rendered two-statement document, rounded up. */
const STATEMENT_OVERHEAD = 700;

export interface InstanceTarget {
  readonly serviceName: string;
  readonly serviceInstanceName: string;
}

export enum PolicyScope {
  INSTANCE = 'instance',
  SERVICE = 'service',
  ACCOUNT = 'account',
}

export interface ProtonPolicyResources {
  readonly scope: PolicyScope;
  /** Resource paths after `arn:…:proton:<region>:<account>:` for the instance actions. */
  readonly instanceResources: string[];
  /** Resource paths for the service actions. */
  readonly serviceResources: string[];
}

function nameLength(name: string): number {
  return Token.isUnresolved(name) ? NAME_MAX : name.length;
}

/** The rendered size of one resource ARN in the policy, once tokens resolve. */
function entryCost(path: string, tokenExtra: number): number {
  return ARN_PREFIX_MAX + path.length + tokenExtra + PER_ENTRY;
}

const INSTANCE_WILDCARD = '/service-instance/*';

/**
 * Keeps running size estimates as instances register, so the tier is known at any time without walking every
 * instance again: a stack of N instances costs O(N), not O(N²), to scope.
 */
export class ProtonPolicyScoper {
  /** Instance path → its entry cost. */
  private readonly instances = new Map<string, number>();
  /** Service name → the entry cost of `service/<name>`. */
  private readonly services = new Map<string, number>();
  private instanceTotal = 0;
  private serviceTotal = 0;

  constructor(private readonly budget = POLICY_BUDGET) {}

  /** Adds an instance; true when the wildcards the policy renders may have changed with it. */
  public add(target: InstanceTarget): boolean {
    const before = this.wildcardKey();
    const { serviceName, serviceInstanceName } = target;
    if (!this.services.has(serviceName)) {
      const cost = entryCost(`service/${serviceName}`, nameLength(serviceName) - serviceName.length);
      this.services.set(serviceName, cost);
      this.serviceTotal += cost;
    }
    const path = `service/${serviceName}/service-instance/${serviceInstanceName}`;
    if (!this.instances.has(path)) {
      const tokenExtra = nameLength(serviceName) - serviceName.length + nameLength(serviceInstanceName) - serviceInstanceName.length;
      const cost = entryCost(path, tokenExtra);
      this.instances.set(path, cost);
      this.instanceTotal += cost;
    }
    return this.wildcardKey() !== before;
  }

  /** The tightest scoping whose rendered size stays within the budget. */
  public get scope(): PolicyScope {
    if (STATEMENT_OVERHEAD + this.instanceTotal + this.serviceTotal <= this.budget) return PolicyScope.INSTANCE;
    const perService = this.serviceTotal + this.services.size * INSTANCE_WILDCARD.length;
    if (STATEMENT_OVERHEAD + perService + this.serviceTotal <= this.budget) return PolicyScope.SERVICE;
    return PolicyScope.ACCOUNT;
  }

  public resources(): ProtonPolicyResources {
    const scope = this.scope;
    const servicePaths = [...this.services.keys()].map((s) => `service/${s}`);
    switch (scope) {
      case PolicyScope.INSTANCE:
        return { scope, instanceResources: [...this.instances.keys()], serviceResources: servicePaths };
      case PolicyScope.SERVICE:
        return { scope, instanceResources: servicePaths.map((p) => `${p}${INSTANCE_WILDCARD}`), serviceResources: servicePaths };
      default:
        return { scope, instanceResources: [`service/*${INSTANCE_WILDCARD}`], serviceResources: ['service/*'] };
    }
  }

  /** What the wildcards depend on: the tier, and in the per-service tier, the services. */
  private wildcardKey(): string {
    const scope = this.scope;
    return scope === PolicyScope.SERVICE ? `${scope}:${this.services.size}` : scope;
  }
}

/** Picks the tightest scoping whose rendered size stays within the budget. */
export function scopeProtonPolicy(targets: InstanceTarget[], budget = POLICY_BUDGET): ProtonPolicyResources {
  const scoper = new ProtonPolicyScoper(budget);
  for (const target of targets) scoper.add(target);
  return scoper.resources();
}
