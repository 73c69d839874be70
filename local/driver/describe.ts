/**
 * A static view of an assembly's custom resources and the Provider behind each, without deploying:
 * what the driver will invoke, with which environment, code directory, poll interval and total timeout.
 */
import { AssemblyStack, CloudAssembly, findStack } from './assembly';
import { resolveValue } from './intrinsics';
import { LambdaFunctionSpec } from './lambda-runtime';
import { DeployedResource, fakeAttributes, fakePhysicalId, isCustomResource, Naming, resolveProvider, WaiterPolicy, waiterTotalSeconds } from './provider-model';
import { parameterValues, resolveContext, StackState } from './stack-state';

export interface CustomResourceDescription {
  readonly logicalId: string;
  readonly resourceType: string;
  readonly serviceTimeoutSeconds?: number;
  readonly onEvent: LambdaFunctionSpec;
  readonly isComplete?: LambdaFunctionSpec;
  readonly waiter?: WaiterPolicy & { readonly totalTimeoutSeconds: number };
}

export interface DescribeOptions {
  readonly region?: string;
  readonly accountId?: string;
  readonly partition?: string;
}

export function describeCustomResources(assembly: CloudAssembly, stackName: string, options: DescribeOptions = {}): CustomResourceDescription[] {
  const stack = findStack(assembly, stackName);
  const naming: Naming = {
    stackName: stack.stackName,
    region: options.region ?? 'us-east-1',
    accountId: options.accountId ?? '123456789012',
    partition: options.partition ?? 'aws',
  };
  const state = staticState(stack, naming);
  const byArn = (arn: string) => [...state.resources.values()].find((r) => r.attributes.Arn === arn);
  const out: CustomResourceDescription[] = [];
  for (const [logicalId, resource] of Object.entries(stack.template.Resources)) {
    if (!isCustomResource(resource.Type)) continue;
    const props = resolveValue(resource.Properties ?? {}, resolveContext(state, env(naming)), `${stack.stackName}/${logicalId}`) as Record<string, unknown>;
    const target = resolveProvider(String(props.ServiceToken), byArn);
    out.push({
      logicalId,
      resourceType: resource.Type,
      serviceTimeoutSeconds: props.ServiceTimeout === undefined ? undefined : Number(props.ServiceTimeout),
      onEvent: target.onEvent,
      isComplete: target.isComplete,
      waiter: target.waiter ? { ...target.waiter, totalTimeoutSeconds: waiterTotalSeconds(target.waiter) } : undefined,
    });
  }
  return out;
}

/** Every ordinary resource "deployed" with its fake ids; custom resources are absent (their GetAtts would throw). */
function staticState(stack: AssemblyStack, naming: Naming): StackState {
  const state: StackState = {
    stackName: stack.stackName,
    stackId: `arn:${naming.partition}:cloudformation:${naming.region}:${naming.accountId}:stack/${stack.stackName}/static`,
    status: 'CREATE_COMPLETE',
    creationTime: new Date(0),
    template: stack.template,
    assemblyStack: stack,
    resources: new Map(),
    outputs: {},
    parameters: parameterValues(stack.template),
  };
  const ordinary = Object.entries(stack.template.Resources).filter(([, r]) => !isCustomResource(r.Type));
  // Physical ids come from literal names only, so they can be fixed before any property is resolved.
  for (const [logicalId, r] of ordinary) {
    const literal = Object.fromEntries(Object.entries(r.Properties ?? {}).filter(([, v]) => typeof v === 'string'));
    const physicalId = fakePhysicalId(naming, logicalId, r.Type, literal);
    const attributes = fakeAttributes(naming, r.Type, physicalId);
    state.resources.set(logicalId, { logicalId, type: r.Type, physicalId, properties: {}, attributes, definition: r, stack });
  }
  for (const [logicalId, r] of ordinary) {
    const properties = resolveValue(r.Properties ?? {}, resolveContext(state, env(naming)), `${stack.stackName}/${logicalId}`) as Record<string, unknown>;
    const current: DeployedResource = state.resources.get(logicalId)!;
    state.resources.set(logicalId, { ...current, properties });
  }
  return state;
}

function env(naming: Naming) {
  return { naming, urlSuffix: 'amazonaws.com', importValue: (name: string) => `<import:${name}>` };
}
