import * as path from 'path';
import { ArnFormat, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct, IConstruct, IDependable } from 'constructs';
import { HANDLER_ENTRY_POINTS } from './private/contract';
import { addNagSuppressions, nagResource, suppressProviderFindings } from './private/nag';
import {
  ALL_SERVICE_INSTANCES_PATH,
  ALL_SERVICES_PATH,
  GrantScope,
  ProtonGrantPlanner,
  protonPolicyDocument,
  serviceInstancesPath,
  servicePath,
} from './private/proton-policy';
import { HANDLER_RUNTIME, HANDLER_TIMEOUT, PROVIDER_TOTAL_TIMEOUT, QUERY_INTERVAL } from './private/runtime';

/** Where the build puts the bundled handler (see the `bundle` task in .projenrc.ts). */
const HANDLER_ASSET = path.join(__dirname, '..', 'assets', 'service-instance-handler');

/**
 * The custom-resource provider that every ServiceInstance of a stack shares.
 *
 * One Provider synthesizes five Lambda functions and a state machine, so it is created once per stack, the first
 * time a ServiceInstance needs it, and found again by its id afterwards. Each ServiceInstance asks it for the
 * policy that grants its service (see private/proton-policy.ts) and depends on that policy.
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

  private readonly role: iam.Role;
  private readonly planner = new ProtonGrantPlanner();
  /** The policy of each service, and the account-wide one once some service needs it. */
  private readonly grants = new Map<string, iam.CfnManagedPolicy>();
  /** The last registered instance of each service, so that deletes of one service run one after another. */
  private readonly lastOfService = new Map<string, Construct>();

  private constructor(scope: Construct, id: string) {
    super(scope, id);

    this.role = new iam.Role(this, 'HandlerRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'cdk-proton: creates, updates and removes the AWS Proton service instances of this stack',
    });
    // A request must know whether it belongs to a rollback (an Update swapping old and new, a Delete undoing a
    // create, where RETAIN does not apply); the stack's status says so — for a nested stack that its parent deletes,
    // the parents' statuses. Only these stacks, and a statement that never changes.
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['cloudformation:DescribeStacks'], resources: stackAndParents(Stack.of(this)).map((s) => s.stackId) }),
    );

    const handler = (name: string, entry: string) =>
      new lambda.Function(this, name, {
        code: lambda.Code.fromAsset(HANDLER_ASSET),
        handler: `index.${entry}`,
        runtime: HANDLER_RUNTIME,
        role: this.role,
        loggingFormat: lambda.LoggingFormat.JSON,
        memorySize: 256,
        timeout: HANDLER_TIMEOUT,
        description: `cdk-proton: AWS Proton service instance ${entry} handler`,
      });
    const onEvent = handler('OnEvent', HANDLER_ENTRY_POINTS.onEvent);
    const isComplete = handler('IsComplete', HANDLER_ENTRY_POINTS.isComplete);
    const handlerLogging = this.handlerLogGroups([onEvent, isComplete]);

    // The framework's own functions get roles of ours instead of the default ones, which attach the AWS managed
    // AWSLambdaBasicExecutionRole (logs:CreateLogGroup on *): they only write to the provider's log group.
    const providerLogs = new logs.LogGroup(this, 'ProviderLogs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const frameworkRole = (name: string, what: string) => {
      const role = new iam.Role(this, name, {
        assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
        description: `cdk-proton: the custom-resource Provider framework's ${what}`,
      });
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [providerLogs.logGroupArn] }),
      );
      return role;
    };
    const frameworkRoles = [
      frameworkRole('FrameworkOnEventRole', 'onEvent function'),
      frameworkRole('FrameworkWaiterRole', 'isComplete and onTimeout functions'),
    ];

    const provider = new cr.Provider(this, 'Provider', {
      onEventHandler: onEvent,
      isCompleteHandler: isComplete,
      queryInterval: QUERY_INTERVAL,
      totalTimeout: PROVIDER_TOTAL_TIMEOUT,
      logGroup: providerLogs,
      // The framework logs every request it relays, resource properties (the spec) and Data (the outputs) included,
      // with console.log. Lambda drops those lines below this level; what it keeps is what the framework could not
      // tell CloudFormation itself. (aws-cdk-lib's own default is FATAL; pinned here so that a change of default
      // cannot start logging specs.)
      frameworkLambdaLoggingLevel: lambda.ApplicationLogLevel.ERROR,
      frameworkOnEventRole: frameworkRoles[0],
      frameworkCompleteAndTimeoutRole: frameworkRoles[1],
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

    const frameworkFunction = (entry: string) => provider.node.findChild(`framework-${entry}`);
    // Every custom resource reaches the handlers through framework-onEvent: the handlers' log groups and their
    // permission to write there exist before the first request.
    frameworkFunction('onEvent').node.addDependency(handlerLogging);

    suppressProviderFindings({
      handlers: [onEvent, isComplete],
      frameworkFunctions: ['onEvent', 'isComplete', 'onTimeout'].map(frameworkFunction),
      frameworkRoles,
      waiter: provider.node.findChild('waiter-state-machine'),
      frameworkIsComplete: frameworkFunction('isComplete'),
      frameworkOnTimeout: frameworkFunction('onTimeout'),
    });
  }

  /**
   * Registers an instance of a service. Returns the policy that grants the handler its permissions on the
   * service's instances, which the instance's custom resource must depend on, and the previous instance of the
   * same service, which it should depend on too (Proton removes an instance by rewriting its service's spec, so
   * two removals from one service must not run at once).
   */
  public register(instance: Construct, serviceName: string): { readonly grant: IDependable; readonly previous?: Construct } {
    const key = this.serviceKey(serviceName);
    const previous = this.lastOfService.get(key);
    this.lastOfService.set(key, instance);
    return { grant: this.grantFor(key, serviceName), previous };
  }

  /**
   * The handlers log to `/aws/lambda/<function name>`, the log group Lambda uses by default, because that is the
   * group aws-cdk-lib's framework names in every failure it reports (`Logs: /aws/lambda/<function>`). The groups
   * are created here with a retention, and the role may write to them and nowhere else. That permission is a
   * policy of its own: in the role's default policy it would close a loop (function → default policy → log group
   * → function name).
   */
  private handlerLogGroups(functions: lambda.Function[]): iam.Policy {
    const groups = functions.map(
      (fn) =>
        new logs.LogGroup(this, `${fn.node.id}Logs`, {
          logGroupName: `/aws/lambda/${fn.functionName}`,
          retention: logs.RetentionDays.ONE_MONTH,
          removalPolicy: RemovalPolicy.DESTROY,
        }),
    );
    return new iam.Policy(this, 'HandlerLogging', {
      roles: [this.role],
      statements: [
        new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: groups.map((g) => g.logGroupArn) }),
      ],
    });
  }

  /** A service name as a map key: itself, or its CloudFormation form when it is a token (e.g. a parameter). */
  private serviceKey(serviceName: string): string {
    return Token.isUnresolved(serviceName) ? JSON.stringify(Stack.of(this).resolve(serviceName)) : serviceName;
  }

  private grantFor(key: string, serviceName: string): iam.CfnManagedPolicy {
    const scope = this.planner.assign(key, serviceName);
    const grantKey = scope === GrantScope.ACCOUNT ? GrantScope.ACCOUNT : key;
    const existing = this.grants.get(grantKey);
    if (existing) return existing;
    const grant = scope === GrantScope.ACCOUNT ? this.accountGrant() : this.serviceGrant(serviceName);
    this.grants.set(grantKey, grant);
    return grant;
  }

  /** A managed policy attached to the handler role (see private/proton-policy.ts for why managed). */
  private managedPolicy(id: string, what: string, paths: { readonly instances: string; readonly service: string }): iam.CfnManagedPolicy {
    return new iam.CfnManagedPolicy(this, id, {
      description: `cdk-proton: the handler's Proton permissions on ${what}`,
      roles: [this.role.roleName],
      policyDocument: protonPolicyDocument((p) => this.protonArn(p), paths),
    });
  }

  private serviceGrant(serviceName: string): iam.CfnManagedPolicy {
    const paths = { instances: serviceInstancesPath(serviceName), service: servicePath(serviceName) };
    const policy = this.managedPolicy(`ProtonService-${serviceName}`, `the instances of service ${serviceName}`, paths);
    addNagSuppressions(policy, [
      {
        id: 'AwsSolutions-IAM5',
        reason:
          "The handler's permissions on a service's instances must outlive the Delete of any of them, which " +
          'CloudFormation runs after it has applied a changed policy; so the policy names the service ' +
          '(service/<name>/service-instance/*), never changes while the stack uses the service, and is removed with its last instance.',
        applies_to: [nagResource(this, this.protonArn(paths.instances))],
      },
    ]);
    return policy;
  }

  private accountGrant(): iam.CfnManagedPolicy {
    const paths = { instances: ALL_SERVICE_INSTANCES_PATH, service: ALL_SERVICES_PATH };
    const policy = this.managedPolicy('ProtonAllServices', 'the services of this account and region', paths);
    addNagSuppressions(policy, [
      {
        id: 'AwsSolutions-IAM5',
        reason:
          'This stack uses more Proton services than get a managed policy each (a role takes 10), or names a service ' +
          'with a token (whose policy would change with its value), so those services are covered by one policy for the ' +
          'Proton services and service instances of this account and region (never proton:* and never Resource *).',
        applies_to: [paths.instances, paths.service].map((p) => nagResource(this, this.protonArn(p))),
      },
    ]);
    return policy;
  }

  private protonArn(resourcePath: string): string {
    return Stack.of(this).formatArn({ service: 'proton', resource: resourcePath, arnFormat: ArnFormat.NO_RESOURCE_NAME });
  }
}

/** A stack and, for a nested stack, the stacks above it. */
function stackAndParents(stack: Stack): Stack[] {
  const parent = stack.nestedStackParent;
  return parent ? [stack, ...stackAndParents(parent)] : [stack];
}
