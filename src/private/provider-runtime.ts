import * as path from 'path';
import { Lazy, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { HANDLER_ENTRY_POINTS } from './contract';
import { suppressNetworkFindings, suppressProviderFindings } from './nag';
import { ProviderOptions } from './provider-options';
import { HANDLER_RUNTIME, HANDLER_TIMEOUT, PROVIDER_TOTAL_TIMEOUT } from './runtime';

/** Where the build puts the bundled handler (see the `bundle` task in .projenrc.ts). */
const HANDLER_ASSET = path.join(__dirname, '..', '..', 'assets', 'service-instance-handler');

/**
 * What serves the stack's custom resources, built from the provider's options: the onEvent and isComplete
 * handlers, aws-cdk-lib's Provider framework (three functions and the waiter state machine), their log groups,
 * the framework's roles and, in a VPC, the security group and the network permissions. Everything is created in
 * `scope` and nothing outside it refers to these constructs except through the returned service token, so that
 * the provider can build them again when it is configured after its first instance (see provider.ts).
 *
 * The handler role is not built here: the Proton grants of every instance are attached to it.
 *
 * @returns the service token the custom resources name
 */
export function buildRuntime(scope: Construct, handlerRole: iam.IRole, options: ProviderOptions): string {
  const network = vpcPlacement(scope, options);
  const handler = (name: string, entry: string) =>
    new lambda.Function(scope, name, {
      code: lambda.Code.fromAsset(HANDLER_ASSET),
      handler: `index.${entry}`,
      runtime: HANDLER_RUNTIME,
      // Set only when not Lambda's default, so that templates synthesized before the option existed do not change.
      architecture: options.architecture.name === lambda.Architecture.X86_64.name ? undefined : options.architecture,
      role: handlerRole,
      loggingFormat: lambda.LoggingFormat.JSON,
      memorySize: 256,
      timeout: HANDLER_TIMEOUT,
      description: `cdk-proton: AWS Proton service instance ${entry} handler`,
      environmentEncryption: options.environmentEncryption,
      ...network,
    });
  const onEvent = handler('OnEvent', HANDLER_ENTRY_POINTS.onEvent);
  const isComplete = handler('IsComplete', HANDLER_ENTRY_POINTS.isComplete);
  const handlerLogging = handlerLogGroups(scope, handlerRole, [onEvent, isComplete], options);

  // The framework's own functions get roles of ours instead of the default ones, which attach the AWS managed
  // AWSLambdaBasicExecutionRole (logs:CreateLogGroup on *): they only write to the provider's log group.
  const providerLogs = new logs.LogGroup(scope, 'ProviderLogs', { retention: options.logRetention, removalPolicy: options.logRemovalPolicy });
  const frameworkRole = (name: string, what: string) => {
    const role = new iam.Role(scope, name, {
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

  const provider = new cr.Provider(scope, 'Provider', {
    onEventHandler: onEvent,
    isCompleteHandler: isComplete,
    queryInterval: options.pollInterval,
    totalTimeout: PROVIDER_TOTAL_TIMEOUT,
    logGroup: providerLogs,
    // The framework logs every request it relays, resource properties (the spec) and Data (the outputs) included,
    // with console.log. Lambda drops those lines below this level; what it keeps is what the framework could not
    // tell CloudFormation itself. (aws-cdk-lib's own default is FATAL; pinned here so that a change of default
    // cannot start logging specs.)
    frameworkLambdaLoggingLevel: lambda.ApplicationLogLevel.ERROR,
    frameworkOnEventRole: frameworkRoles[0],
    frameworkCompleteAndTimeoutRole: frameworkRoles[1],
    providerFunctionEnvEncryption: options.environmentEncryption,
    ...network,
    // The waiter's execution history shows each poll, retry and the final timeout: what an operator needs when
    // a deployment hangs. Without execution data, which carries the resource properties (the spec among them).
    // The /aws/vendedlogs/ prefix keeps Step Functions from growing the account's CloudWatch Logs resource policy.
    disableWaiterStateMachineLogging: false,
    waiterStateMachineLogOptions: {
      level: sfn.LogLevel.ALL,
      includeExecutionData: false,
      destination: new logs.LogGroup(scope, 'WaiterLogs', {
        logGroupName: `/aws/vendedlogs/states/cdk-proton-waiter-${isComplete.functionName}`,
        retention: options.logRetention,
        removalPolicy: options.logRemovalPolicy,
      }),
    },
  });

  const frameworkFunction = (entry: string) => provider.node.findChild(`framework-${entry}`);
  const frameworkFunctions = ['onEvent', 'isComplete', 'onTimeout'].map(frameworkFunction);
  // aws-cdk-lib offers no architecture setting for its framework functions; their code is plain JavaScript.
  if (options.architecture.name !== lambda.Architecture.X86_64.name) {
    for (const fn of frameworkFunctions) (fn.node.defaultChild as lambda.CfnFunction).architectures = [options.architecture.name];
  }
  // Every custom resource reaches the handlers through framework-onEvent: the handlers' log groups and their
  // permission to write there exist before the first request.
  frameworkFunction('onEvent').node.addDependency(handlerLogging);
  if (network.vpc) {
    const networking = networkPermissions(scope, [handlerRole, ...frameworkRoles]);
    // Lambda checks at creation that a function's role may manage its network interfaces, and needs the
    // permission again to remove them after the function is deleted.
    for (const fn of [onEvent, isComplete, ...frameworkFunctions]) fn.node.addDependency(networking);
    suppressNetworkFindings(networking);
  }

  suppressProviderFindings({
    handlers: [onEvent, isComplete],
    frameworkFunctions,
    frameworkRoles,
    waiter: provider.node.findChild('waiter-state-machine'),
    frameworkIsComplete: frameworkFunction('isComplete'),
    frameworkOnTimeout: frameworkFunction('onTimeout'),
    pollInterval: options.pollInterval,
  });
  return provider.serviceToken;
}

interface VpcPlacement {
  readonly vpc?: ec2.IVpc;
  readonly vpcSubnets?: ec2.SubnetSelection;
  readonly securityGroups?: ec2.ISecurityGroup[];
}

/**
 * In a VPC, every function gets the same placement. Without security groups of the user's, one is created that
 * allows HTTPS out and nothing else: the functions only call AWS APIs (Proton, CloudFormation, Lambda, Step
 * Functions) and the S3 URL where CloudFormation reads the response.
 */
function vpcPlacement(scope: Construct, options: ProviderOptions): VpcPlacement {
  if (!options.vpc) return {};
  const securityGroups = options.securityGroups ?? [defaultSecurityGroup(scope, options.vpc)];
  return { vpc: options.vpc, vpcSubnets: options.vpcSubnets, securityGroups };
}

function defaultSecurityGroup(scope: Construct, vpc: ec2.IVpc): ec2.ISecurityGroup {
  const group = new ec2.SecurityGroup(scope, 'SecurityGroup', {
    vpc,
    allowAllOutbound: false,
    description: 'cdk-proton: the service instance provider functions, HTTPS to AWS APIs only',
  });
  group.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS to AWS APIs (Proton, CloudFormation, Lambda, Step Functions, S3)');
  return group;
}

/**
 * What Lambda needs to place a function in a VPC, the actions of the AWS managed AWSLambdaVPCAccessExecutionRole,
 * as a policy of the provider's own: the roles are ours, so aws-cdk-lib attaches nothing to them. An L1 policy,
 * because the handler role outlives a rebuild of the runtime and must not keep a reference to a removed policy.
 */
function networkPermissions(scope: Construct, roles: iam.IRole[]): iam.CfnPolicy {
  return inlinePolicy(scope, 'NetworkInterfaces', roles, [
    new iam.PolicyStatement({
      actions: [
        'ec2:CreateNetworkInterface',
        'ec2:DescribeNetworkInterfaces',
        'ec2:DescribeSubnets',
        'ec2:DeleteNetworkInterface',
        'ec2:AssignPrivateIpAddresses',
        'ec2:UnassignPrivateIpAddresses',
      ],
      resources: ['*'],
    }),
  ]);
}

/**
 * The handlers log to `/aws/lambda/<function name>`, the log group Lambda uses by default, because that is the
 * group aws-cdk-lib's framework names in every failure it reports (`Logs: /aws/lambda/<function>`). The groups
 * are created here with the provider's retention, and the role may write to them and nowhere else. That
 * permission is a policy of its own: in the role's default policy it would close a loop (function → default policy
 * → log group → function name); and an L1 one, for the reason given at networkPermissions.
 */
function handlerLogGroups(scope: Construct, role: iam.IRole, functions: lambda.Function[], options: ProviderOptions): iam.CfnPolicy {
  const groups = functions.map((fn) => {
    // With @aws-cdk/aws-lambda:useCdkManagedLogGroup (in the flags `cdk init` writes), aws-cdk-lib creates this group
    // itself, under the function: a second group of the same name would fail the deployment. Use its own, with the
    // provider's settings.
    const managed = fn.node.tryFindChild('LogGroup');
    if (managed instanceof logs.LogGroup) {
      (managed.node.defaultChild as logs.CfnLogGroup).retentionInDays =
        options.logRetention === logs.RetentionDays.INFINITE ? undefined : options.logRetention;
      managed.applyRemovalPolicy(options.logRemovalPolicy);
      return managed;
    }
    return new logs.LogGroup(scope, `${fn.node.id}Logs`, {
      logGroupName: `/aws/lambda/${fn.functionName}`,
      retention: options.logRetention,
      removalPolicy: options.logRemovalPolicy,
    });
  });
  return inlinePolicy(scope, 'HandlerLogging', [role], [
    new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: groups.map((g) => g.logGroupArn) }),
  ]);
}

/**
 * An inline policy of the roles, as iam.Policy would render it (same construct path, named after its logical id),
 * but without registering it with the roles: the handler role outlives a rebuild of the runtime, and must not keep
 * a reference to a policy that was removed.
 */
function inlinePolicy(scope: Construct, id: string, roles: iam.IRole[], statements: iam.PolicyStatement[]): iam.CfnPolicy {
  const policy: iam.CfnPolicy = new iam.CfnPolicy(new Construct(scope, id), 'Resource', {
    policyName: Lazy.string({ produce: () => Stack.of(scope).resolve(policy.logicalId) }),
    roles: roles.map((r) => r.roleName),
    policyDocument: new iam.PolicyDocument({ statements }),
  });
  return policy;
}
