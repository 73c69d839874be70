import * as path from 'path';
import { ArnFormat, CfnResource, Lazy, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct, IConstruct } from 'constructs';
import { INSTANCE_ACTIONS, InstanceTarget, PolicyScope, ProtonPolicyScoper, SERVICE_ACTIONS } from './private/proton-policy';
import { HANDLER_RUNTIME, HANDLER_TIMEOUT, PROVIDER_TOTAL_TIMEOUT, QUERY_INTERVAL } from './private/runtime';

/** Where the build puts the bundled handler (see the `bundle` task in .projenrc.ts). */
const HANDLER_ASSET = path.join(__dirname, '..', 'assets', 'service-instance-handler');

/**
 * The custom-resource provider that every ServiceInstance of a stack shares.
 *
 * One Provider synthesizes five Lambda functions and a state machine, so it is created once per stack, the first
 * time a ServiceInstance needs it, and found again by its id afterwards. Each ServiceInstance registers itself,
 * and the handler role's Proton policy is rendered from that registry when the stack synthesizes.
 */
export class ServiceInstanceProvider extends Construct {
  /** Returns the stack's provider, creating it on first use. */
  public static of(scope: IConstruct): ServiceInstanceProvider {
    const stack = Stack.of(scope);
    const existing = stack.node.tryFindChild(ServiceInstanceProvider.ID);
    return (existing as ServiceInstanceProvider | undefined) ?? new ServiceInstanceProvider(stack, ServiceInstanceProvider.ID);
  }

  private static readonly ID = 'cdk-proton.ServiceInstanceProvider';

  /** The token a custom resource names to reach this provider. */
  public readonly serviceToken: string;
  /** The role of the onEvent and isComplete handlers. */
  public readonly role: iam.IRole;
  /** The Proton permissions of the handler role; custom resources depend on it. */
  public readonly protonPolicy: iam.CfnPolicy;

  private readonly scoper = new ProtonPolicyScoper();
  /** The IAM5 suppressions last put on the Proton policy, replaced when the policy's scoping changes. */
  private protonPolicySuppressions: NagSuppression[] = [];
  /** The last registered instance of each service, so that deletes of one service run one after another. */
  private readonly lastOfService = new Map<string, Construct>();

  private constructor(scope: Construct, id: string) {
    super(scope, id);

    const role = new iam.Role(this, 'HandlerRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'cdk-proton: creates, updates and removes the AWS Proton service instances of this stack',
    });
    this.role = role;

    const logGroup = new logs.LogGroup(this, 'HandlerLogs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // Writing to an explicit log group needs only these two actions; no managed policy with logs:CreateLogGroup on *.
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] }),
    );

    const handler = (name: string, entry: string) =>
      new lambda.Function(this, name, {
        code: lambda.Code.fromAsset(HANDLER_ASSET),
        handler: `index.${entry}`,
        runtime: HANDLER_RUNTIME,
        role,
        logGroup,
        loggingFormat: lambda.LoggingFormat.JSON,
        memorySize: 256,
        timeout: HANDLER_TIMEOUT,
        description: `cdk-proton: AWS Proton service instance ${entry} handler`,
      });
    const onEvent = handler('OnEvent', 'onEvent');
    const isComplete = handler('IsComplete', 'isComplete');

    // The framework's own functions get roles of ours instead of the default ones, which attach the AWS managed
    // AWSLambdaBasicExecutionRole (logs:CreateLogGroup on *): they only write to the provider's log group.
    const providerLogs = new logs.LogGroup(this, 'ProviderLogs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const frameworkRole = (name: string, what: string) => {
      const frameworkRoleOf = new iam.Role(this, name, {
        assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
        description: `cdk-proton: the custom-resource Provider framework's ${what}`,
      });
      frameworkRoleOf.addToPrincipalPolicy(
        new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [providerLogs.logGroupArn] }),
      );
      return frameworkRoleOf;
    };

    const provider = new cr.Provider(this, 'Provider', {
      onEventHandler: onEvent,
      isCompleteHandler: isComplete,
      queryInterval: QUERY_INTERVAL,
      totalTimeout: PROVIDER_TOTAL_TIMEOUT,
      logGroup: providerLogs,
      frameworkOnEventRole: frameworkRole('FrameworkOnEventRole', 'onEvent function'),
      frameworkCompleteAndTimeoutRole: frameworkRole('FrameworkWaiterRole', 'isComplete and onTimeout functions'),
      // The waiter's execution history shows each poll, retry and the final timeout: what an operator needs when
      // a deployment hangs. Without execution data, which carries the resource properties (the spec among them).
      // The /aws/vendedlogs/ prefix keeps Step Functions from growing the account's CloudWatch Logs resource policy.
      disableWaiterStateMachineLogging: false,
      waiterStateMachineLogOptions: {
        level: sfn.LogLevel.ALL,
        includeExecutionData: false,
        destination: new logs.LogGroup(this, 'WaiterLogs', {
          logGroupName: `/aws/vendedlogs/states/cdk-proton-waiter-${isComplete.functionName}`,
          retention: logs.RetentionDays.ONE_MONTH,
          removalPolicy: RemovalPolicy.DESTROY,
        }),
      },
    });
    this.serviceToken = provider.serviceToken;

    this.protonPolicy = new iam.CfnPolicy(this, 'ProtonAccess', {
      policyName: 'ProtonServiceInstances',
      roles: [role.roleName],
      policyDocument: Lazy.any({ produce: () => this.renderProtonPolicy() }),
    });

    // What cdk-nag's AwsSolutions pack still reports on these resources is suppressed here, with the reason, so a
    // user's own cdk-nag run sees nothing from this library (the metadata is plain template metadata: cdk-nag is
    // not a dependency). The README's "cdk-nag" section lists each one.
    this.addNagSuppressions(provider, [onEvent, isComplete]);
  }

  /**
   * Registers an instance: its ARN joins the handler's policy, and the previous instance of the same service is
   * returned so the caller can depend on it (Proton removes an instance by rewriting its service's spec, so two
   * removals from one service must not run at once).
   */
  public register(instance: Construct, target: InstanceTarget): Construct | undefined {
    const wildcardsChanged = this.scoper.add(target);
    const previous = this.lastOfService.get(target.serviceName);
    this.lastOfService.set(target.serviceName, instance);
    // The policy's scoping follows the number of instances, and so do the IAM5 suppressions of its wildcards;
    // they are rewritten only when the tier or, per service, the services change.
    if (wildcardsChanged) this.suppressProtonPolicyWildcards();
    return previous;
  }

  /** The scoping the policy renders with for the instances registered so far. */
  public get renderedPolicyScope(): PolicyScope {
    return this.scoper.scope;
  }

  /**
   * cdk-nag (AwsSolutions) suppressions for what cannot be fixed in the provider, written as `cdk_nag` metadata
   * on each resource, the format cdk-nag reads; cdk-nag itself is not a dependency of this library.
   */
  private addNagSuppressions(provider: cr.Provider, handlers: lambda.Function[]): void {
    const stack = Stack.of(this);
    const cfn = (construct: IConstruct) => construct.node.defaultChild as CfnResource;
    /** How cdk-nag names a grantInvoke wildcard: the function's versions and aliases, `<LogicalId.Arn>:*`. */
    const versionsOf = (fn: IConstruct) => `Resource::<${stack.resolve(cfn(fn).logicalId)}.Arn>:*`;
    const frameworkFunction = (id: string) => provider.node.findChild(id);

    for (const handler of handlers) {
      addNagMetadata(cfn(handler), [
        {
          id: 'AwsSolutions-L1',
          reason:
            'The handler bundle is built for and tested on Node.js 22 (esbuild --target=node22); Lambda supports nodejs22.x ' +
            'beyond AWS Proton\'s end of support (2026-10-07), the last day this library can be used.',
        },
      ]);
    }

    const invokeHandlers: NagSuppression = {
      id: 'AwsSolutions-IAM5',
      reason:
        'The Provider framework (aws-cdk-lib custom-resources) grants lambda:InvokeFunction on the onEvent and ' +
        'isComplete handlers and on their versions and aliases (<function ARN>:*); the wildcard names no other function.',
      applies_to: handlers.map(versionsOf),
    };
    for (const role of [this.node.findChild('FrameworkOnEventRole'), this.node.findChild('FrameworkWaiterRole')]) {
      addNagMetadata(cfn(role.node.findChild('DefaultPolicy')), [invokeHandlers]);
    }

    for (const fn of provider.node.findAll().filter((c) => c instanceof lambda.Function)) {
      addNagMetadata(cfn(fn), [
        {
          id: 'AwsSolutions-L1',
          reason:
            'A Provider framework function of aws-cdk-lib (custom-resources): aws-cdk-lib chooses its runtime and offers ' +
            'no setting for it; it moves to newer runtimes with aws-cdk-lib releases.',
        },
      ]);
    }

    const waiter = provider.node.findChild('waiter-state-machine');
    addNagMetadata(cfn(waiter), [
      {
        id: 'AwsSolutions-SF2',
        reason:
          'The waiter only polls the isComplete function every 10 seconds; its execution history goes to a log group ' +
          '(level ALL) and the handlers log every Proton call, so X-Ray tracing would add cost and xray:* on * for no insight.',
      },
    ]);
    addNagMetadata(cfn(waiter.node.findChild('Role').node.findChild('DefaultPolicy')), [
      {
        id: 'AwsSolutions-IAM5',
        reason:
          'The waiter state machine (aws-cdk-lib custom-resources) invokes the framework isComplete and onTimeout ' +
          'functions; grantInvoke covers their versions and aliases (<function ARN>:*) and no other function.',
        applies_to: [versionsOf(frameworkFunction('framework-isComplete')), versionsOf(frameworkFunction('framework-onTimeout'))],
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

  /**
   * The Proton policy lists each instance ARN while the policy fits IAM's size limit; past that it holds one
   * wildcard per service, or one for every service (see private/proton-policy.ts). The suppressions name exactly
   * the wildcard resources the current scoping renders, in the form cdk-nag reports them.
   */
  private suppressProtonPolicyWildcards(): void {
    const scoped = this.scoper.resources();
    const stack = Stack.of(this);
    const wildcards = [...scoped.instanceResources, ...scoped.serviceResources]
      .filter((resourcePath) => resourcePath.includes('*'))
      .map((resourcePath) => `Resource::${flattenReference(stack.resolve(this.protonArn(resourcePath)))}`);
    const next: NagSuppression[] =
      wildcards.length === 0
        ? []
        : [
          {
            id: 'AwsSolutions-IAM5',
            reason:
              scoped.scope === PolicyScope.SERVICE
                ? 'This stack has too many service instances to list each ARN within the IAM policy size limit, so the ' +
                  "Proton instance actions cover the instances of this stack's services only (service/<name>/service-instance/*), " +
                  'in this account and region.'
                : 'This stack has too many services and instances to list them within the IAM policy size limit, so the ' +
                  'Proton actions cover the services and service instances of this account and region (never proton:* ' +
                  'and never Resource *).',
            applies_to: wildcards,
          },
        ];
    addNagMetadata(this.protonPolicy, next, this.protonPolicySuppressions);
    this.protonPolicySuppressions = next;
  }

  private protonArn(resourcePath: string): string {
    return Stack.of(this).formatArn({ service: 'proton', resource: resourcePath, arnFormat: ArnFormat.NO_RESOURCE_NAME });
  }

  private renderProtonPolicy(): any {
    const scoped = this.scoper.resources();
    const arn = (resourcePath: string) => this.protonArn(resourcePath);
    return {
      Version: '2012-10-17',
      Statement: [
        { Sid: 'ServiceInstances', Effect: 'Allow', Action: INSTANCE_ACTIONS, Resource: scoped.instanceResources.map(arn) },
        { Sid: 'Services', Effect: 'Allow', Action: SERVICE_ACTIONS, Resource: scoped.serviceResources.map(arn) },
      ],
    };
  }
}

/** A cdk-nag rule suppression, as cdk-nag reads it from the `cdk_nag` metadata of a resource. */
interface NagSuppression {
  readonly id: string;
  readonly reason: string;
  /** The findings it covers (for IAM4/IAM5: `Resource::<resource>`, `Action::<action>`); all when left out. */
  readonly applies_to?: string[];
}

/**
 * Adds suppressions to a resource's `cdk_nag` metadata, keeping any already there (a user's own, from
 * `NagSuppressions.addResourceSuppressions`), and removing the `replacing` ones this library put there before.
 */
function addNagMetadata(resource: CfnResource, suppressions: NagSuppression[], replacing: NagSuppression[] = []): void {
  const stale = new Set(replacing.map((r) => JSON.stringify(r)));
  const existing: NagSuppression[] = (resource.getMetadata('cdk_nag')?.rules_to_suppress ?? []).filter(
    (r: NagSuppression) => !stale.has(JSON.stringify(r)),
  );
  resource.addMetadata('cdk_nag', { rules_to_suppress: [...existing, ...suppressions] });
}

/**
 * Flattens a resolved CloudFormation value the way cdk-nag names IAM findings: `Fn::Join` joined,
 * `Ref` as `<Name>`, `Fn::GetAtt` as `<Name.Attribute>`.
 */
function flattenReference(value: any): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value?.['Fn::Join'])) {
    const [delimiter, items] = value['Fn::Join'];
    return (items as any[]).map(flattenReference).join(delimiter);
  }
  if (value?.Ref !== undefined) return `<${flattenReference(value.Ref)}>`;
  if (Array.isArray(value?.['Fn::GetAtt'])) return `<${value['Fn::GetAtt'].map(flattenReference).join('.')}>`;
  return JSON.stringify(value);
}
