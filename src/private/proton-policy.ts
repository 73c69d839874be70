import { Token } from 'aws-cdk-lib';

/**
 * Which IAM policy gives the handler its Proton permissions for a service, and what that policy says.
 *
 * CloudFormation applies a changed policy in the update phase, but deletes removed and replaced custom resources
 * afterwards, in the cleanup phase (and a rollback deletes what a failed update created last). A permission an
 * instance's Delete needs must therefore never be taken away by *changing* a policy. So each service gets a policy
 * resource of its own whose document names only the service (`service/<name>` and
 * `service/<name>/service-instance/*`): it does not change while the stack has instances in the service, and it
 * is removed with the last of them — and CloudFormation deletes a removed resource only after the resources that
 * depended on it in the old template, which every instance's custom resource does. Listing each instance's ARN
 * would be tighter but fails exactly there: removing one of two instances would update the policy first.
 *
 * The policies are customer managed policies attached to the role, not inline ones: a role's inline policies
 * share 10,240 characters, which an upgrade from the one inline policy of earlier versions (its old document
 * still there until the cleanup phase) could overrun, while each managed policy has 6,144 characters of its own.
 * A role takes 10 managed policies by default; services past the first few share one policy for every Proton
 * service of the account and region, created only when a stack needs it — as does a service whose name is a
 * token (a parameter), since a document naming it would change with the parameter's value.
 */

/** The service-instance actions the handler calls, on instance ARNs. */
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

/**
 * How many services get a managed policy of their own, of the 10 a role takes by default: the rest is left for the
 * account-wide one and for a managed policy the role may be given otherwise (a VPC's, say).
 */
export const SERVICE_POLICIES_MAX = 8;

/** The resource path under `arn:…:proton:<region>:<account>:` of one service and of its instances. */
export function servicePath(serviceName: string): string {
  return `service/${serviceName}`;
}

export function serviceInstancesPath(serviceName: string): string {
  return `service/${serviceName}/service-instance/*`;
}

/** Every service, and every instance, of the account and region. */
export const ALL_SERVICES_PATH = 'service/*';
export const ALL_SERVICE_INSTANCES_PATH = 'service/*/service-instance/*';

export interface ProtonPolicyStatement {
  readonly Sid: string;
  readonly Effect: 'Allow';
  readonly Action: string[];
  readonly Resource: string[];
}

export interface ProtonPolicyDocument {
  readonly Version: '2012-10-17';
  readonly Statement: ProtonPolicyStatement[];
}

/** A policy document over resource paths, each turned into an ARN by `arn`. */
export function protonPolicyDocument(
  arn: (resourcePath: string) => string,
  paths: { readonly instances: string; readonly service: string },
): ProtonPolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [
      { Sid: 'ServiceInstances', Effect: 'Allow', Action: INSTANCE_ACTIONS, Resource: [arn(paths.instances)] },
      { Sid: 'Service', Effect: 'Allow', Action: SERVICE_ACTIONS, Resource: [arn(paths.service)] },
    ],
  };
}

/** How a service's instances are granted: by a policy of the service's own, or by the account-wide one. */
export enum GrantScope {
  SERVICE = 'service',
  ACCOUNT = 'account',
}

/**
 * Assigns each service its grant, in the order services first appear, and never changes an assignment: a synth
 * that adds services past the limit leaves the earlier services' policies exactly as they were.
 */
export class ProtonGrantPlanner {
  private readonly assigned = new Map<string, GrantScope>();
  private ownPolicies = 0;

  constructor(private readonly maxServicePolicies = SERVICE_POLICIES_MAX) {}

  /** The grant of a service, keyed by `key` (its name, or its resolved form when it is a token). */
  public assign(key: string, serviceName: string): GrantScope {
    const known = this.assigned.get(key);
    if (known) return known;
    const scope = !Token.isUnresolved(serviceName) && this.ownPolicies < this.maxServicePolicies ? GrantScope.SERVICE : GrantScope.ACCOUNT;
    if (scope === GrantScope.SERVICE) this.ownPolicies++;
    this.assigned.set(key, scope);
    return scope;
  }
}
