import { DeployedResource } from '../../../local/iam';

/**
 * A synthesized template as the deployed resources the driver would hand to policiesForRole: physical ids made up the
 * way CloudFormation shapes them, and the few intrinsics IAM resources use (Ref, Fn::GetAtt Arn, Fn::Join) resolved.
 * Anything else throws, so a template this helper does not understand cannot pass silently.
 */

interface Template {
  readonly Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
}

export interface DeployEnv {
  readonly stackName: string;
  readonly account: string;
  readonly region: string;
}

function physicalIdOf(env: DeployEnv, logicalId: string, type: string): string {
  const name = `${env.stackName}-${logicalId}-LOCAL`;
  return type === 'AWS::IAM::ManagedPolicy' ? `arn:aws:iam::${env.account}:policy/${name}` : name;
}

export function deployedResources(template: Template, env: DeployEnv): DeployedResource[] {
  const ids = new Map(Object.entries(template.Resources).map(([logicalId, r]) => [logicalId, physicalIdOf(env, logicalId, r.Type)]));
  const pseudo: Record<string, string> = { 'AWS::Partition': 'aws', 'AWS::AccountId': env.account, 'AWS::Region': env.region, 'AWS::URLSuffix': 'amazonaws.com' };

  const resolve = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(resolve);
    if (typeof value !== 'object' || value === null) return value;
    const entries = Object.entries(value as Record<string, unknown>);
    const [key, arg] = entries[0] ?? [];
    if (entries.length === 1 && key === 'Ref') {
      const id = pseudo[arg as string] ?? ids.get(arg as string);
      if (id === undefined) throw new Error(`Ref to unknown ${String(arg)}`);
      return id;
    }
    if (entries.length === 1 && key === 'Fn::GetAtt') {
      const [logicalId, attribute] = arg as [string, string];
      if (template.Resources[logicalId]?.Type !== 'AWS::IAM::Role' || attribute !== 'Arn') throw new Error(`GetAtt ${logicalId}.${attribute} not resolved here`);
      return `arn:aws:iam::${env.account}:role/${ids.get(logicalId)}`;
    }
    if (entries.length === 1 && key === 'Fn::Join') {
      const [separator, parts] = arg as [string, unknown[]];
      return parts.map(resolve).join(separator);
    }
    if (entries.length === 1 && key.startsWith('Fn::')) throw new Error(`${key} not resolved here`);
    return Object.fromEntries(entries.map(([k, v]) => [k, resolve(v)]));
  };

  return Object.entries(template.Resources).map(([logicalId, r]) => ({
    type: r.Type,
    logicalId,
    physicalId: ids.get(logicalId)!,
    properties: resolve(r.Properties ?? {}) as Record<string, unknown>,
  }));
}
