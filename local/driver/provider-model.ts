/**
 * What a deployed template means to the driver: fake physical ids and ARNs for ordinary resources, a deployed
 * function as the Lambda runtime runs it, and how a ServiceToken leads to the Provider framework's user functions
 * and its waiter's retry policy (for the static description; at run time the framework finds them itself).
 */
import { createHash } from 'crypto';
import { AssemblyStack, functionCodeDir } from './assembly';
import { LambdaFunctionSpec } from './lambda-runtime';
import { LAMBDA_DEFAULT_TIMEOUT_SECONDS } from './limits';
import { loggingSettings } from './logs';
import { CfnResource } from './types';

/** The Retry block of the waiter state machine (Step Functions semantics: MaxAttempts counts retries). */
export interface WaiterPolicy {
  readonly intervalSeconds: number;
  readonly maxAttempts: number;
  readonly backoffRate: number;
}

/** The functions and the waiter behind a Provider framework ServiceToken. */
export interface ProviderTarget {
  readonly onEvent: LambdaFunctionSpec;
  readonly isComplete?: LambdaFunctionSpec;
  readonly waiter?: WaiterPolicy;
}

export interface Naming {
  readonly stackName: string;
  readonly region: string;
  readonly accountId: string;
  readonly partition: string;
}

/** A resource as it exists after a create or update. */
export interface DeployedResource {
  readonly logicalId: string;
  readonly type: string;
  readonly physicalId: string;
  readonly properties: Record<string, unknown>;
  /** Custom resources: the response's Data; others: fake attributes (Arn). */
  readonly attributes: Record<string, unknown>;
  /** A custom resource whose response set NoEcho: CloudFormation masks its attributes wherever it shows them. */
  readonly noEcho?: boolean;
  readonly definition: CfnResource;
  readonly stack: AssemblyStack;
}

export function isCustomResource(type: string): boolean {
  return type.startsWith('Custom::') || type === 'AWS::CloudFormation::CustomResource';
}

/** Deterministic stand-ins for the names CloudFormation would generate (it appends a random suffix). */
export function fakePhysicalId(naming: Naming, logicalId: string, type: string, props: Record<string, unknown>): string {
  const generated = `${naming.stackName}-${logicalId}`.slice(0, 64);
  switch (type) {
    case 'AWS::Lambda::Function': return String(props.FunctionName ?? generated);
    case 'AWS::IAM::Role': return String(props.RoleName ?? generated);
    case 'AWS::Logs::LogGroup': return String(props.LogGroupName ?? generated);
    case 'AWS::StepFunctions::StateMachine':
      // Ref of a state machine is its ARN.
      return `arn:${naming.partition}:states:${naming.region}:${naming.accountId}:stateMachine:${String(props.StateMachineName ?? generated)}`;
    case 'AWS::IAM::ManagedPolicy':
      // Ref of a managed policy is its ARN (what a PermissionsBoundary or ManagedPolicyArns names).
      return `arn:${naming.partition}:iam::${naming.accountId}:policy/${String(props.ManagedPolicyName ?? generated)}`;
    case 'AWS::EC2::SecurityGroup':
      // Ref of a security group in a VPC is its id.
      return `sg-${createHash('sha256').update(generated).digest('hex').slice(0, 17)}`;
    default: return generated;
  }
}

export function fakeAttributes(naming: Naming, type: string, physicalId: string): Record<string, unknown> {
  const { partition, region, accountId } = naming;
  const [, service = 'unknown', kind = 'resource'] = type.split('::');
  switch (type) {
    case 'AWS::Lambda::Function': return { Arn: `arn:${partition}:lambda:${region}:${accountId}:function:${physicalId}` };
    case 'AWS::IAM::Role': return { Arn: `arn:${partition}:iam::${accountId}:role/${physicalId}`, RoleId: `AROA${physicalId.length}LOCAL` };
    case 'AWS::StepFunctions::StateMachine': return { Arn: physicalId, Name: physicalId.split(':').pop() };
    case 'AWS::Logs::LogGroup': return { Arn: `arn:${partition}:logs:${region}:${accountId}:log-group:${physicalId}:*` };
    case 'AWS::EC2::SecurityGroup': return { GroupId: physicalId };
    default: return { Arn: `arn:${partition}:${service.toLowerCase()}:${region}:${accountId}:${kind.toLowerCase()}/${physicalId}` };
  }
}

export class UnsupportedServiceTokenError extends Error {}

/**
 * Follows a ServiceToken to the framework's onEvent function, and from its environment to the user
 * functions and the waiter state machine, exactly as the framework finds them at run time.
 */
export function resolveProvider(serviceToken: string, findByArn: (arn: string) => DeployedResource | undefined): ProviderTarget {
  const framework = findByArn(serviceToken);
  if (!framework || framework.type !== 'AWS::Lambda::Function') {
    throw new UnsupportedServiceTokenError(`ServiceToken ${serviceToken} is not a Lambda function deployed by this driver`);
  }
  const env = environmentOf(framework);
  if (!env.USER_ON_EVENT_FUNCTION_ARN) {
    throw new UnsupportedServiceTokenError(`ServiceToken ${serviceToken} (${framework.logicalId}) is not an aws-cdk-lib custom-resources Provider framework function (no USER_ON_EVENT_FUNCTION_ARN)`);
  }
  const userFunction = (arn: string, role: string) => {
    const fn = findByArn(arn);
    if (!fn) throw new Error(`${framework.logicalId}: ${role} function ${arn} is not deployed`);
    return lambdaSpec(fn);
  };
  let waiter: WaiterPolicy | undefined;
  if (env.WAITER_STATE_MACHINE_ARN) {
    const sm = findByArn(env.WAITER_STATE_MACHINE_ARN);
    if (!sm) throw new Error(`${framework.logicalId}: waiter state machine ${env.WAITER_STATE_MACHINE_ARN} is not deployed`);
    waiter = waiterPolicy(sm.properties.DefinitionString ?? sm.properties.Definition, sm.logicalId);
  }
  return {
    onEvent: userFunction(env.USER_ON_EVENT_FUNCTION_ARN, 'onEvent'),
    isComplete: env.USER_IS_COMPLETE_FUNCTION_ARN ? userFunction(env.USER_IS_COMPLETE_FUNCTION_ARN, 'isComplete') : undefined,
    waiter,
  };
}

export function lambdaSpec(fn: DeployedResource): LambdaFunctionSpec {
  const handler = fn.properties.Handler;
  if (typeof handler !== 'string') throw new Error(`${fn.logicalId}: Handler is missing`);
  return {
    arn: String(fn.attributes.Arn),
    functionName: fn.physicalId,
    handler,
    environment: environmentOf(fn),
    timeoutSeconds: Number(fn.properties.Timeout ?? LAMBDA_DEFAULT_TIMEOUT_SECONDS),
    codeDir: functionCodeDir(fn.stack, fn.logicalId, fn.definition, fn.properties.Code),
    roleArn: typeof fn.properties.Role === 'string' ? fn.properties.Role : undefined,
    logging: loggingSettings(fn.physicalId, fn.properties.LoggingConfig),
  };
}

function environmentOf(fn: DeployedResource): Record<string, string> {
  const vars = (fn.properties.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};
  return Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, String(v)]));
}

/** The Retry block of the state machine's first state, with Step Functions' defaults for absent fields. */
export function waiterPolicy(definition: unknown, where: string): WaiterPolicy {
  const parsed = (typeof definition === 'string' ? JSON.parse(definition) : definition) as
    { StartAt?: string; States?: Record<string, { Retry?: Array<Record<string, number>> }> } | undefined;
  const retry = parsed?.StartAt ? parsed.States?.[parsed.StartAt]?.Retry?.[0] : undefined;
  if (!retry) throw new Error(`${where}: the waiter state machine has no Retry block`);
  return {
    intervalSeconds: retry.IntervalSeconds ?? 1,
    maxAttempts: retry.MaxAttempts ?? 3,
    backoffRate: retry.BackoffRate ?? 2,
  };
}

/** Total time the waiter keeps polling before onTimeout (calculateRetryPolicy: interval × attempts when backoff is 1). */
export function waiterTotalSeconds(policy: WaiterPolicy): number {
  let total = 0;
  for (let i = 0; i < policy.maxAttempts; i++) total += policy.intervalSeconds * Math.pow(policy.backoffRate, i);
  return total;
}
