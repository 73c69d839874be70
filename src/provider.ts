import * as path from 'path';
import { ArnFormat, Lazy, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct, IConstruct } from 'constructs';
import { INSTANCE_ACTIONS, InstanceTarget, PolicyScope, scopeProtonPolicy, SERVICE_ACTIONS } from './private/proton-policy';
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

  private readonly targets: InstanceTarget[] = [];
  /** The last registered instance of each service, so that deletes of one service run one after another. */
  private readonly lastOfService = new Map<string, Construct>();
  private policyScope?: PolicyScope;

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

    const provider = new cr.Provider(this, 'Provider', {
      onEventHandler: onEvent,
      isCompleteHandler: isComplete,
      queryInterval: QUERY_INTERVAL,
      totalTimeout: PROVIDER_TOTAL_TIMEOUT,
      logGroup: new logs.LogGroup(this, 'ProviderLogs', {
        retention: logs.RetentionDays.ONE_MONTH,
        removalPolicy: RemovalPolicy.DESTROY,
      }),
    });
    this.serviceToken = provider.serviceToken;

    this.protonPolicy = new iam.CfnPolicy(this, 'ProtonAccess', {
      policyName: 'ProtonServiceInstances',
      roles: [role.roleName],
      policyDocument: Lazy.any({ produce: () => this.renderProtonPolicy() }),
    });
  }

  /**
   * Registers an instance: its ARN joins the handler's policy, and the previous instance of the same service is
   * returned so the caller can depend on it (Proton removes an instance by rewriting its service's spec, so two
   * removals from one service must not run at once).
   */
  public register(instance: Construct, target: InstanceTarget): Construct | undefined {
    this.targets.push(target);
    const previous = this.lastOfService.get(target.serviceName);
    this.lastOfService.set(target.serviceName, instance);
    return previous;
  }

  /** The scoping the policy was rendered with; known once the stack has synthesized. */
  public get renderedPolicyScope(): PolicyScope | undefined {
    return this.policyScope;
  }

  private renderProtonPolicy(): any {
    const stack = Stack.of(this);
    const scoped = scopeProtonPolicy(this.targets);
    this.policyScope = scoped.scope;
    const arn = (resourcePath: string) =>
      stack.formatArn({ service: 'proton', resource: resourcePath, arnFormat: ArnFormat.NO_RESOURCE_NAME });
    return {
      Version: '2012-10-17',
      Statement: [
        { Sid: 'ServiceInstances', Effect: 'Allow', Action: INSTANCE_ACTIONS, Resource: scoped.instanceResources.map(arn) },
        { Sid: 'Services', Effect: 'Allow', Action: SERVICE_ACTIONS, Resource: scoped.serviceResources.map(arn) },
      ],
    };
  }
}
