import { ArnFormat, Duration, Lazy, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct, IConstruct, IDependable } from 'constructs';
import { addNagSuppressions, nagResource } from './private/nag';
import {
  ALL_SERVICE_INSTANCES_PATH,
  ALL_SERVICES_PATH,
  GrantScope,
  ProtonGrantPlanner,
  protonPolicyDocument,
  serviceInstancesPath,
  servicePath,
} from './private/proton-policy';
import { DEFAULT_PROVIDER_OPTIONS, differences, ProviderOptions, resolveProviderOptions } from './private/provider-options';
import { buildRuntime } from './private/provider-runtime';

/**
 * Settings of the provider that serves a stack's service instances, for accounts whose rules a default
 * Lambda function does not meet. Each applies to every function the provider creates: the onEvent and
 * isComplete handlers and the three functions of aws-cdk-lib's Provider framework.
 */
export interface ServiceInstanceProviderProps {
  /**
   * The VPC to run the functions in. They call the Proton, CloudFormation, Lambda and Step Functions APIs and the
   * S3 URL CloudFormation gives for the response: the subnets need a NAT gateway, or VPC endpoints for each (see
   * docs/locked-down.md; make the provider depend on endpoints of the same stack).
   *
   * @default - the functions do not run in a VPC
   */
  readonly vpc?: ec2.IVpc;

  /**
   * Where in the VPC to place the functions. Only with `vpc`.
   *
   * @default - the subnets aws-cdk-lib selects for a function in the VPC: its private subnets, else its isolated ones
   */
  readonly vpcSubnets?: ec2.SubnetSelection;

  /**
   * The security groups of the functions, 1 to 5. Only with `vpc`.
   *
   * @default - one security group created for the provider, allowing HTTPS (TCP 443) out and nothing else
   */
  readonly securityGroups?: ec2.ISecurityGroup[];

  /**
   * The KMS key that encrypts the functions' environment variables.
   *
   * @default - Lambda's AWS managed key
   */
  readonly environmentEncryption?: kms.IKey;

  /**
   * How long the provider's log groups (the handlers', the framework's and the waiter's) keep their events.
   *
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * What happens to the provider's log groups when they leave the stack: `DESTROY`, `RETAIN` or
   * `RETAIN_ON_UPDATE_OR_DELETE`.
   *
   * @default RemovalPolicy.DESTROY
   */
  readonly logRemovalPolicy?: RemovalPolicy;

  /**
   * The instruction set of the functions: `X86_64` or `ARM_64`. The handlers are plain JavaScript and run on
   * either.
   *
   * @default lambda.Architecture.X86_64
   */
  readonly architecture?: lambda.Architecture;

  /**
   * How often the waiter asks whether a deployment has finished: whole seconds, 5 to 30. Shorter sees a
   * deployment end sooner; longer makes fewer Lambda invocations and Proton calls.
   *
   * @default Duration.seconds(10)
   */
  readonly pollInterval?: Duration;
}

/**
 * The custom-resource provider that every ServiceInstance of a stack shares.
 *
 * One Provider synthesizes five Lambda functions and a state machine, so it is created once per stack, the first
 * time a ServiceInstance needs it, and found again by its id afterwards. Configure it with
 * `ServiceInstanceProvider.of(stack, props)`, before or after the stack's instances are added; a stack's provider
 * is configured once (a second configuration with other settings fails synth). Each ServiceInstance asks it for
 * the policy that grants its service (see private/proton-policy.ts) and depends on that policy.
 */
export class ServiceInstanceProvider extends Construct {
  /**
   * Returns the stack's provider, creating it on first use; with props, configures it. A nested stack has a
   * provider of its own: configure each stack whose instances need it.
   *
   * @param scope a construct in the stack
   * @param props the provider's settings; leave out to use the ones it has (the defaults, unless configured)
   */
  public static of(scope: IConstruct, props?: ServiceInstanceProviderProps): ServiceInstanceProvider {
    const stack = Stack.of(scope);
    const existing = stack.node.tryFindChild(ServiceInstanceProvider.ID) as ServiceInstanceProvider | undefined;
    const provider = existing ?? new ServiceInstanceProvider(stack, ServiceInstanceProvider.ID);
    if (props !== undefined) provider.configure(props);
    return provider;
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
  /** The settings the runtime is built with, and whether they were given (rather than the defaults). */
  private options: ProviderOptions = DEFAULT_PROVIDER_OPTIONS;
  private configured = false;
  /** The ids of the children buildRuntime created, removed when it builds again. */
  private runtimeIds: string[] = [];
  private runtimeToken = '';

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

    // The instances name the provider through this token, so that a runtime built again (configured after the
    // first instance) is the one they reach.
    this.serviceToken = Lazy.uncachedString({ produce: () => this.runtimeToken });
    this.buildRuntime();
  }

  /**
   * Registers an instance of a service. Returns the policy that grants the handler its permissions on the
   * service's instances, which the instance's custom resource must depend on, and the previous instance of the
   * same service, which it should depend on too (Proton removes an instance by rewriting its service's spec, so
   * two removals from one service must not run at once).
   *
   * @internal
   */
  public _register(instance: Construct, serviceName: string): { readonly grant: IDependable; readonly previous?: Construct } {
    const key = this.serviceKey(serviceName);
    const previous = this.lastOfService.get(key);
    this.lastOfService.set(key, instance);
    return { grant: this.grantFor(key, serviceName), previous };
  }

  private configure(props: ServiceInstanceProviderProps): void {
    const options = resolveProviderOptions(props);
    if (this.configured) {
      const changed = differences(this.options, options);
      if (changed.length > 0) {
        throw new Error(
          `ServiceInstanceProvider: the provider of stack ${Stack.of(this).stackName} is configured twice with different settings ` +
            `(${changed.join('; ')}). A stack has one provider: configure it once.`,
        );
      }
      return;
    }
    this.options = options;
    this.configured = true;
    this.buildRuntime();
  }

  /** Builds the functions, framework and log groups from the current settings, replacing any built before. */
  private buildRuntime(): void {
    for (const id of this.runtimeIds) this.node.tryRemoveChild(id);
    const before = new Set(this.node.children.map((c) => c.node.id));
    this.runtimeToken = buildRuntime(this, this.role, this.options);
    this.runtimeIds = this.node.children.map((c) => c.node.id).filter((id) => !before.has(id));
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
