import { CfnResource, Duration, IResolvable, Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * cdk-nag (AwsSolutions) suppressions for what the provider cannot fix, written as `cdk_nag` metadata on each
 * resource — the format cdk-nag reads — so a user's own cdk-nag run sees nothing from this library, while
 * cdk-nag itself stays out of the library's dependencies. README's "cdk-nag" section lists each one.
 */

/** A rule suppression, as cdk-nag reads it from a resource's `cdk_nag` metadata. */
export interface NagSuppression {
  readonly id: string;
  readonly reason: string;
  /** The findings it covers (for IAM4/IAM5: `Resource::<resource>`, `Action::<action>`); all when left out. */
  readonly applies_to?: string[];
}

/** Adds suppressions to a resource's `cdk_nag` metadata, keeping any already there (a user's own). */
export function addNagSuppressions(resource: CfnResource, suppressions: NagSuppression[]): void {
  const existing: NagSuppression[] = resource.getMetadata('cdk_nag')?.rules_to_suppress ?? [];
  resource.addMetadata('cdk_nag', { rules_to_suppress: [...existing, ...suppressions] });
}

function cfn(construct: IConstruct): CfnResource {
  return construct.node.defaultChild as CfnResource;
}

/** How cdk-nag names a resource it flags: `Resource::` and the resolved value, flattened (see flattenReference). */
export function nagResource(scope: IConstruct, value: string | IResolvable): string {
  return `Resource::${flattenReference(Stack.of(scope).resolve(value))}`;
}

/** How cdk-nag names a grantInvoke wildcard: the function's versions and aliases, `<LogicalId.Arn>:*`. */
function versionsOf(fn: IConstruct): string {
  return `Resource::<${Stack.of(fn).resolve(cfn(fn).logicalId)}.Arn>:*`;
}

const HANDLER_RUNTIME_REASON =
  'The handler bundle is built for and tested on Node.js 22 (esbuild --target=node22); Lambda supports nodejs22.x ' +
  "beyond AWS Proton's end of support (2026-10-07), the last day this library can be used.";

const FRAMEWORK_RUNTIME_REASON =
  'A Provider framework function of aws-cdk-lib (custom-resources): aws-cdk-lib chooses its runtime and offers ' +
  'no setting for it; it moves to newer runtimes with aws-cdk-lib releases.';

/** The parts of the provider that carry suppressions. */
export interface ProviderParts {
  /** Our onEvent and isComplete handlers. */
  readonly handlers: IConstruct[];
  /** aws-cdk-lib's framework-onEvent, framework-isComplete and framework-onTimeout functions. */
  readonly frameworkFunctions: IConstruct[];
  /** The roles of the framework functions (ours, so that no AWS managed policy is attached). */
  readonly frameworkRoles: IConstruct[];
  /** The waiter state machine. */
  readonly waiter: IConstruct;
  readonly frameworkIsComplete: IConstruct;
  readonly frameworkOnTimeout: IConstruct;
  /** How often the waiter polls. */
  readonly pollInterval: Duration;
}

export function suppressProviderFindings(parts: ProviderParts): void {
  for (const handler of parts.handlers) {
    addNagSuppressions(cfn(handler), [{ id: 'AwsSolutions-L1', reason: HANDLER_RUNTIME_REASON }]);
  }
  for (const fn of parts.frameworkFunctions) {
    addNagSuppressions(cfn(fn), [{ id: 'AwsSolutions-L1', reason: FRAMEWORK_RUNTIME_REASON }]);
  }

  const invokeHandlers: NagSuppression = {
    id: 'AwsSolutions-IAM5',
    reason:
      'The Provider framework (aws-cdk-lib custom-resources) grants lambda:InvokeFunction on the onEvent and ' +
      'isComplete handlers and on their versions and aliases (<function ARN>:*); the wildcard names no other function.',
    applies_to: parts.handlers.map(versionsOf),
  };
  for (const role of parts.frameworkRoles) {
    addNagSuppressions(cfn(role.node.findChild('DefaultPolicy')), [invokeHandlers]);
  }

  addNagSuppressions(cfn(parts.waiter), [
    {
      id: 'AwsSolutions-SF2',
      reason:
        `The waiter only polls the isComplete function every ${parts.pollInterval.toHumanString()}; its execution history goes to a log group ` +
        '(level ALL) and the handlers log every Proton call, so X-Ray tracing would add cost and xray:* on * for no insight.',
    },
  ]);
  addNagSuppressions(cfn(parts.waiter.node.findChild('Role').node.findChild('DefaultPolicy')), [
    {
      id: 'AwsSolutions-IAM5',
      reason:
        'The waiter state machine (aws-cdk-lib custom-resources) invokes the framework isComplete and onTimeout ' +
        'functions; grantInvoke covers their versions and aliases (<function ARN>:*) and no other function.',
      applies_to: [versionsOf(parts.frameworkIsComplete), versionsOf(parts.frameworkOnTimeout)],
    },
    {
      id: 'AwsSolutions-IAM5',
      reason:
        'Step Functions logging to CloudWatch Logs needs the log-delivery actions (logs:CreateLogDelivery, ' +
        'logs:PutResourcePolicy, ...), which support no resource-level permissions (Resource "*"), as the Step ' +
        'Functions documentation prescribes.',
      applies_to: ['Resource::*'],
    },
  ]);
}

/** The VPC networking permissions of the provider's roles (see provider-runtime.ts). */
export function suppressNetworkFindings(policy: CfnResource): void {
  addNagSuppressions(policy, [
    {
      id: 'AwsSolutions-IAM5',
      reason:
        'Lambda creates, describes and deletes the network interfaces of a function in a VPC with its role; these are ' +
        'the actions of the AWS managed AWSLambdaVPCAccessExecutionRole, on "*" as there: the interfaces do not exist ' +
        'before Lambda creates them, and the Describe actions support no resource-level permissions.',
      applies_to: ['Resource::*'],
    },
  ]);
}

/**
 * Flattens a resolved CloudFormation value the way cdk-nag names IAM findings: `Fn::Join` joined,
 * `Ref` as `<Name>`, `Fn::GetAtt` as `<Name.Attribute>`.
 */
export function flattenReference(value: any): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value?.['Fn::Join'])) {
    const [delimiter, items] = value['Fn::Join'];
    return (items as unknown[]).map(flattenReference).join(delimiter);
  }
  if (value?.Ref !== undefined) return `<${flattenReference(value.Ref)}>`;
  if (Array.isArray(value?.['Fn::GetAtt'])) return `<${value['Fn::GetAtt'].map(flattenReference).join('.')}>`;
  return JSON.stringify(value);
}
