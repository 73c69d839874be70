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
 * IAM caps the inline policies of one role at 10,240 characters together. Services past this library's share of
 * that budget are granted by one policy covering every Proton service of the account and region, created only
 * when a stack needs it.
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
 * Characters the Proton policies may take together, of the 10,240 IAM allows for a role's inline policies; the
 * rest is left to the role's other statements (logging, DescribeStacks).
 */
export const PROTON_POLICY_BUDGET = 8_000;

/**
 * The longest `arn:<partition>:proton:<region>:<account>:` prefix once tokens resolve
 * (partition `aws-us-gov`, a long region name, a 12-digit account).
 */
const WORST_ARN_PREFIX = 'arn:aws-us-gov:proton:ap-southeast-99:123456789012:';
/** A service name still a token at synth time may resolve to Proton's longest name. */
const TOKEN_NAME_LENGTH = 100;

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

/** The size IAM counts for a document (no white space), with every token at its longest. */
function worstCaseSize(serviceName: string | undefined): number {
  const name = serviceName === undefined ? undefined : Token.isUnresolved(serviceName) ? 'x'.repeat(TOKEN_NAME_LENGTH) : serviceName;
  const paths = name === undefined
    ? { instances: ALL_SERVICE_INSTANCES_PATH, service: ALL_SERVICES_PATH }
    : { instances: serviceInstancesPath(name), service: servicePath(name) };
  return JSON.stringify(protonPolicyDocument((p) => `${WORST_ARN_PREFIX}${p}`, paths)).length;
}

/** How a service's instances are granted: by a policy of the service's own, or by the account-wide one. */
export enum GrantScope {
  SERVICE = 'service',
  ACCOUNT = 'account',
}

/**
 * Assigns each service its grant, in the order services first appear, and never changes an assignment: a synth
 * that adds services past the budget leaves the earlier services' policies exactly as they were.
 */
export class ProtonGrantPlanner {
  private readonly assigned = new Map<string, GrantScope>();
  private used = 0;

  constructor(private readonly budget = PROTON_POLICY_BUDGET) {}

  /** The grant of a service, keyed by `key` (its name, or its resolved form when it is a token). */
  public assign(key: string, serviceName: string): GrantScope {
    const known = this.assigned.get(key);
    if (known) return known;
    const cost = worstCaseSize(serviceName);
    // The account-wide policy's share stays reserved, so a later service can always fall back to it.
    const scope = this.used + cost + worstCaseSize(undefined) <= this.budget ? GrantScope.SERVICE : GrantScope.ACCOUNT;
    if (scope === GrantScope.SERVICE) this.used += cost;
    this.assigned.set(key, scope);
    return scope;
  }
}
