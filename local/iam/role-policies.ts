import { AWS_MANAGED_POLICIES, awsManagedPolicyPath } from './aws-managed-policies';
import { UnsupportedPolicyError } from './errors';
import { PolicyDocument } from './types';

/** A resource of a deployed stack, its properties resolved (Refs, GetAtts and Joins already replaced by values). */
export interface DeployedResource {
  /** e.g. `AWS::IAM::Role`. */
  readonly type: string;
  /** What Ref returns: a role's name, a managed policy's ARN, a generated name for AWS::IAM::Policy. */
  readonly physicalId: string;
  readonly properties: Readonly<Record<string, unknown>>;
  /** Only for messages. */
  readonly logicalId?: string;
}

/** The policies IAM evaluates for a role's session: what allows (identity) and what caps it (boundary). */
export interface RolePolicies {
  readonly identity: PolicyDocument[];
  readonly boundary?: PolicyDocument[];
}

const ROLE = 'AWS::IAM::Role';
const POLICY = 'AWS::IAM::Policy';
const MANAGED_POLICY = 'AWS::IAM::ManagedPolicy';
const ROLE_POLICY = 'AWS::IAM::RolePolicy';

function nameOf(resource: DeployedResource): string {
  return `${resource.type} ${resource.logicalId ?? resource.physicalId}`;
}

/** The property as a list of strings (absent: empty); anything unresolved is refused. */
function strings(resource: DeployedResource, property: string): string[] {
  const value = resource.properties[property];
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
    throw new UnsupportedPolicyError(`${property} of ${nameOf(resource)}: ${JSON.stringify(value)} is not a list of strings (left unresolved?)`);
  }
  return value as string[];
}

/** The document as given; a JSON string (which CloudFormation also accepts) is left for the evaluation to parse. */
function documentOf(resource: DeployedResource, value: unknown = resource.properties.PolicyDocument): PolicyDocument {
  if ((typeof value !== 'object' || value === null) && typeof value !== 'string') {
    throw new UnsupportedPolicyError(`the PolicyDocument of ${nameOf(resource)}: ${JSON.stringify(value)} is not a policy document`);
  }
  return value as PolicyDocument;
}

/**
 * The document behind a managed policy ARN: a customer managed policy deployed in these resources (its physical id
 * is its ARN), or an AWS managed policy from the local table. Anything else is unknown to the evaluation.
 */
function managedDocument(resources: readonly DeployedResource[], arn: string, usedBy: string): PolicyDocument {
  const deployed = resources.find((r) => r.type === MANAGED_POLICY && r.physicalId === arn);
  if (deployed) return documentOf(deployed);
  const path = awsManagedPolicyPath(arn);
  if (path !== undefined) {
    const known = AWS_MANAGED_POLICIES[path];
    if (known) return known;
    throw new UnsupportedPolicyError(`the AWS managed policy ${arn} (${usedBy}): its document is not in local/iam/aws-managed-policies.ts`);
  }
  throw new UnsupportedPolicyError(`the managed policy ${arn} (${usedBy}): no AWS::IAM::ManagedPolicy among the deployed resources has that ARN`);
}

/**
 * Gathers what IAM evaluates for `roleName` from a stack's deployed resources: the role's inline `Policies`, its
 * `ManagedPolicyArns`, every AWS::IAM::Policy and AWS::IAM::ManagedPolicy whose `Roles` names it, every
 * AWS::IAM::RolePolicy whose `RoleName` is it, and its `PermissionsBoundary`. A managed policy attached both ways
 * counts once, as IAM attaches a policy to a role once.
 */
export function policiesForRole(resources: readonly DeployedResource[], roleName: string): RolePolicies {
  const role = resources.find((r) => r.type === ROLE && r.physicalId === roleName);
  if (!role) throw new UnsupportedPolicyError(`the policies of role ${roleName}: no AWS::IAM::Role among the deployed resources has that name`);
  const who = `role ${roleName}`;
  const identity: PolicyDocument[] = [];

  const inline = role.properties.Policies ?? [];
  if (!Array.isArray(inline)) throw new UnsupportedPolicyError(`Policies of ${nameOf(role)}: ${JSON.stringify(inline)} is not a list`);
  for (const entry of inline as Array<Record<string, unknown>>) identity.push(documentOf(role, entry?.PolicyDocument));

  const attached = new Set<string>();
  for (const arn of strings(role, 'ManagedPolicyArns')) {
    if (attached.has(arn)) continue;
    attached.add(arn);
    identity.push(managedDocument(resources, arn, `ManagedPolicyArns of ${who}`));
  }

  for (const resource of resources) {
    if (resource.type === POLICY && strings(resource, 'Roles').includes(roleName)) {
      identity.push(documentOf(resource));
    } else if (resource.type === MANAGED_POLICY && strings(resource, 'Roles').includes(roleName) && !attached.has(resource.physicalId)) {
      attached.add(resource.physicalId);
      identity.push(documentOf(resource));
    } else if (resource.type === ROLE_POLICY && resource.properties.RoleName === roleName) {
      identity.push(documentOf(resource));
    }
  }

  const boundaryArn = role.properties.PermissionsBoundary;
  if (boundaryArn === undefined) return { identity };
  if (typeof boundaryArn !== 'string') {
    throw new UnsupportedPolicyError(`PermissionsBoundary of ${nameOf(role)}: ${JSON.stringify(boundaryArn)} is not an ARN (left unresolved?)`);
  }
  return { identity, boundary: [managedDocument(resources, boundaryArn, `PermissionsBoundary of ${who}`)] };
}
