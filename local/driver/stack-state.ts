/** A deployed stack as the driver remembers it, and intrinsic resolution against it. */
import { AssemblyStack } from './assembly';
import { evaluateCondition, ResolveContext } from './intrinsics';
import { DeployedResource, fakeAttributes, isCustomResource, Naming } from './provider-model';
import { CfnTemplate, StackStatus } from './types';

export interface StackState {
  readonly stackName: string;
  readonly stackId: string;
  status: StackStatus;
  statusReason?: string;
  readonly creationTime: Date;
  lastUpdatedTime?: Date;
  /** The template being applied (during rollback: the previous one again). */
  template: CfnTemplate;
  assemblyStack: AssemblyStack;
  /**
   * The live resources: what the template has, plus resources an update removed or a failed update created until
   * their delete completes (a policy counts for IAM until then).
   */
  readonly resources: Map<string, DeployedResource>;
  outputs: Record<string, string>;
  parameters: Record<string, unknown>;
}

/** A GetAtt CloudFormation cannot serve: fails the stack operation, never the driver. */
export class AttributeError extends Error {}

export interface ContextEnvironment {
  readonly naming: Naming;
  readonly urlSuffix: string;
  readonly importValue: (name: string) => unknown;
}

export function pseudoParameters(state: StackState, env: ContextEnvironment): Record<string, unknown> {
  return {
    'AWS::Region': env.naming.region,
    'AWS::AccountId': env.naming.accountId,
    'AWS::Partition': env.naming.partition,
    'AWS::URLSuffix': env.urlSuffix,
    'AWS::StackName': state.stackName,
    'AWS::StackId': state.stackId,
    'AWS::NotificationARNs': [],
  };
}

/** Template parameters: overrides first, then defaults; `List<...>` and CommaDelimitedList become lists. */
export function parameterValues(template: CfnTemplate, overrides: Readonly<Record<string, string>> = {}): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, p] of Object.entries(template.Parameters ?? {})) {
    const raw = overrides[name] ?? p.Default;
    if (raw === undefined) throw new Error(`Parameter ${name} has no default and no value was given`);
    const isList = p.Type === 'CommaDelimitedList' || p.Type.startsWith('List<');
    out[name] = isList && typeof raw === 'string' ? raw.split(',') : raw;
  }
  return out;
}

export function resolveContext(state: StackState, env: ContextEnvironment): ResolveContext {
  const conditions = new Map<string, boolean>();
  const ctx: ResolveContext = {
    region: env.naming.region,
    parameters: { ...pseudoParameters(state, env), ...state.parameters },
    ref(logicalId) {
      const res = state.resources.get(logicalId);
      if (!res) throw new Error(`Ref to ${logicalId}, which is not a deployed resource or parameter of ${state.stackName}`);
      return res.physicalId;
    },
    getAtt(logicalId, attribute) {
      const res = state.resources.get(logicalId);
      if (!res) throw new Error(`GetAtt ${logicalId}.${attribute}: ${logicalId} is not a deployed resource of ${state.stackName}`);
      if (isCustomResource(res.type)) {
        if (!(attribute in res.attributes)) {
          throw new AttributeError(`CustomResource attribute error: Vendor response doesn't contain ${attribute} attribute in object ${state.stackId}|${logicalId}|${res.physicalId}`);
        }
        return res.attributes[attribute];
      }
      return res.attributes[attribute] ?? fakeAttributes(env.naming, res.type, res.physicalId)[attribute] ?? `${res.physicalId}.${attribute}`;
    },
    condition(name) {
      if (!conditions.has(name)) {
        const expr = state.template.Conditions?.[name];
        if (expr === undefined) throw new Error(`Condition ${name} is not defined`);
        conditions.set(name, evaluateCondition(expr, ctx, `Conditions.${name}`));
      }
      return conditions.get(name)!;
    },
    importValue: env.importValue,
  };
  return ctx;
}
