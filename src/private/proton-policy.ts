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

function estimate(paths: Array<{ path: string; tokenExtra: number }>): number {
  return paths.reduce((sum, p) => sum + ARN_PREFIX_MAX + p.path.length + p.tokenExtra + PER_ENTRY, STATEMENT_OVERHEAD);
}

function unique<T>(values: T[]): T[] {
  return [...new Set(values)];
}

/** Picks the tightest scoping whose rendered size stays within the budget. */
export function scopeProtonPolicy(targets: InstanceTarget[], budget = POLICY_BUDGET): ProtonPolicyResources {
  const services = unique(targets.map((t) => t.serviceName));
  const servicePaths = services.map((s) => ({ path: `service/${s}`, tokenExtra: nameLength(s) - s.length }));

  const instancePaths = new Map<string, { path: string; tokenExtra: number }>();
  for (const t of targets) {
    const path = `service/${t.serviceName}/service-instance/${t.serviceInstanceName}`;
    const tokenExtra =
      nameLength(t.serviceName) - t.serviceName.length + nameLength(t.serviceInstanceName) - t.serviceInstanceName.length;
    instancePaths.set(path, { path, tokenExtra });
  }
  const perInstance = [...instancePaths.values()];
  if (estimate([...perInstance, ...servicePaths]) <= budget) {
    return {
      scope: PolicyScope.INSTANCE,
      instanceResources: perInstance.map((p) => p.path),
      serviceResources: servicePaths.map((p) => p.path),
    };
  }

  const perService = servicePaths.map((p) => ({ path: `${p.path}/service-instance/*`, tokenExtra: p.tokenExtra }));
  if (estimate([...perService, ...servicePaths]) <= budget) {
    return {
      scope: PolicyScope.SERVICE,
      instanceResources: perService.map((p) => p.path),
      serviceResources: servicePaths.map((p) => p.path),
    };
  }

  return { scope: PolicyScope.ACCOUNT, instanceResources: ['service/*/service-instance/*'], serviceResources: ['service/*'] };
}
