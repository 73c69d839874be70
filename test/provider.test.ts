import { App, Duration, RemovalPolicy, Stack, Tags, Token } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { ServiceInstance, ServiceInstanceProvider, ServiceInstanceProviderProps, ServiceInstanceSpec } from '../src';
import { applyAccountBoundary, LOCKED_DOWN, lockedDownProvider } from './fixtures/locked-down';
import { resourceListOf, resourcesOf } from './template-resources';

/**
 * The provider's settings for locked-down accounts: each reaches every function the provider creates (the two
 * handlers and aws-cdk-lib's three framework functions), the provider can be configured before or after the
 * stack's instances, and a conflicting second configuration fails synth naming what differs.
 */

const SPEC = ServiceInstanceSpec.fromString('proton: ServiceSpec\nenvironment: prod-env\nspec:\n  port: 80\n');

function stack(): Stack {
  return new Stack(new App(), 'Test', { env: { account: '123456789012', region: 'us-east-1' } });
}

function instances(s: Stack, count: number): void {
  for (let n = 0; n < count; n++) {
    new ServiceInstance(s, `I${n}`, { serviceName: `svc-${n % 2}`, serviceInstanceName: `inst-${n}`, spec: SPEC });
  }
}

function lockedDown(order: 'before' | 'after', count = 3): Template {
  const s = stack();
  if (order === 'before') ServiceInstanceProvider.of(s, lockedDownProvider(s));
  instances(s, count);
  if (order === 'after') ServiceInstanceProvider.of(s, lockedDownProvider(s));
  return Template.fromStack(s);
}

const functionsOf = (t: Template) => resourceListOf(t, 'AWS::Lambda::Function');

describe('every option reaches every function', () => {
  const template = lockedDown('before');
  const functions = functionsOf(template);

  test('five functions, whatever the number of instances', () => {
    expect(functions).toHaveLength(5);
    expect(functionsOf(lockedDown('before', 12))).toHaveLength(5);
  });

  test('vpc: each function in the given subnets, with one security group that allows HTTPS out and nothing else', () => {
    const groups = resourcesOf(template, 'AWS::EC2::SecurityGroup');
    expect(Object.keys(groups)).toHaveLength(1);
    const [groupId] = Object.keys(groups);
    for (const fn of functions) {
      expect(fn.Properties.VpcConfig).toEqual({ SubnetIds: LOCKED_DOWN.subnetIds, SecurityGroupIds: [{ 'Fn::GetAtt': [groupId, 'GroupId'] }] });
    }
    expect(groups[groupId].Properties.SecurityGroupEgress).toEqual([expect.objectContaining({ CidrIp: '0.0.0.0/0', IpProtocol: 'tcp', FromPort: 443, ToPort: 443 })]);
    expect(groups[groupId].Properties.SecurityGroupIngress).toBeUndefined();
  });

  test('vpc: the three roles may manage network interfaces, and every function waits for that permission', () => {
    const policies = resourcesOf(template, 'AWS::IAM::Policy');
    const [networkId, network] = Object.entries(policies).find(([, p]) => JSON.stringify(p.Properties.PolicyDocument).includes('ec2:CreateNetworkInterface'))!;
    expect(network.Properties.Roles).toHaveLength(3);
    for (const fn of Object.values(resourcesOf(template, 'AWS::Lambda::Function'))) {
      expect(fn.DependsOn).toContain(networkId);
    }
  });

  test('environmentEncryption, architecture: on every function', () => {
    for (const fn of functions) {
      expect(fn.Properties.KmsKeyArn).toBe(LOCKED_DOWN.keyArn);
      expect(fn.Properties.Architectures).toEqual(['arm64']);
    }
  });

  test('logRetention, logRemovalPolicy: on every log group (the handlers\', the framework\'s, the waiter\'s)', () => {
    const groups = Object.values(template.findResources('AWS::Logs::LogGroup'));
    expect(groups).toHaveLength(4);
    for (const group of groups) {
      expect(group.Properties.RetentionInDays).toBe(365);
      expect(group.DeletionPolicy).toBe('Retain');
    }
  });

  test('pollInterval: the waiter polls at it, as many times as fit in its total timeout', () => {
    const [machine] = resourceListOf(template, 'AWS::StepFunctions::StateMachine');
    const definition = JSON.stringify(machine.Properties.DefinitionString);
    expect(definition).toContain('\\"IntervalSeconds\\":20');
    expect(definition).toContain('\\"MaxAttempts\\":168');
  });
});

test('configured after the instances: the same template as configured before them', () => {
  expect(lockedDown('after').toJSON()).toEqual(lockedDown('before').toJSON());
});

test('without options: no VPC, no key, no architecture set, no network permissions', () => {
  const s = stack();
  instances(s, 2);
  const template = Template.fromStack(s);
  for (const fn of functionsOf(template)) {
    expect(fn.Properties.VpcConfig).toBeUndefined();
    expect(fn.Properties.KmsKeyArn).toBeUndefined();
    expect(fn.Properties.Architectures).toBeUndefined();
  }
  expect(JSON.stringify(template.toJSON())).not.toContain('ec2:CreateNetworkInterface');
  template.resourceCountIs('AWS::EC2::SecurityGroup', 0);
});

test.each([true, false])('with @aws-cdk/aws-lambda:useCdkManagedLogGroup %s: one log group per handler, with the provider\'s log settings', (flag) => {
  const s = new Stack(new App({ context: { '@aws-cdk/aws-lambda:useCdkManagedLogGroup': flag } }), 'Test', { env: { account: '123456789012', region: 'us-east-1' } });
  ServiceInstanceProvider.of(s, { logRetention: logs.RetentionDays.ONE_YEAR, logRemovalPolicy: RemovalPolicy.RETAIN });
  instances(s, 1);
  const groups = Object.values(Template.fromStack(s).findResources('AWS::Logs::LogGroup'));
  const names = groups.map((g) => JSON.stringify(g.Properties.LogGroupName ?? '')).filter((n) => n.includes('/aws/lambda/'));
  // The two handlers' groups, each once (a second group of the same name fails the deployment).
  expect(names).toHaveLength(2);
  expect(new Set(names).size).toBe(2);
  for (const group of groups) {
    expect(group.Properties.RetentionInDays).toBe(365);
    expect(group.DeletionPolicy).toBe('Retain');
  }
});

test('a provider made to depend on VPC endpoints: every function and the waiter wait for them, so every instance does', () => {
  const s = stack();
  const vpc = new ec2.Vpc(s, 'Vpc', { natGateways: 0, subnetConfiguration: [{ name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
  const endpoint = vpc.addInterfaceEndpoint('Proton', { service: ec2.InterfaceVpcEndpointAwsService.PROTON });
  ServiceInstanceProvider.of(s, { vpc }).node.addDependency(endpoint);
  instances(s, 2);
  const template = Template.fromStack(s);
  const endpointId = Object.keys(template.findResources('AWS::EC2::VPCEndpoint'))[0];
  const dependents = [...resourceListOf(template, 'AWS::Lambda::Function'), ...resourceListOf(template, 'AWS::StepFunctions::StateMachine')];
  expect(dependents).toHaveLength(6);
  for (const resource of dependents) expect(resource.DependsOn).toContain(endpointId);
});

test('security groups of the user\'s replace the one the provider would create', () => {
  const s = stack();
  const props = lockedDownProvider(s);
  const group = ec2.SecurityGroup.fromSecurityGroupId(s, 'Group', 'sg-0123456789abcdef0');
  ServiceInstanceProvider.of(s, { ...props, securityGroups: [group] });
  instances(s, 1);
  const template = Template.fromStack(s);
  template.resourceCountIs('AWS::EC2::SecurityGroup', 0);
  for (const fn of functionsOf(template)) expect(fn.Properties.VpcConfig.SecurityGroupIds).toEqual(['sg-0123456789abcdef0']);
});

test('PermissionsBoundary.of(stack) and Tags.of(stack) reach every role and every taggable resource of the provider', () => {
  const s = stack();
  ServiceInstanceProvider.of(s, lockedDownProvider(s));
  instances(s, 2);
  applyAccountBoundary(s);
  Tags.of(s).add('cost-center', 'platform');
  const template = Template.fromStack(s);
  const roles = resourceListOf(template, 'AWS::IAM::Role');
  // The handler role, the two framework roles and the waiter's.
  expect(roles).toHaveLength(4);
  for (const role of roles) {
    expect(role.Properties.PermissionsBoundary).toEqual({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::123456789012:policy/${LOCKED_DOWN.boundaryName}`]],
    });
  }
  const taggable = ['AWS::IAM::Role', 'AWS::Lambda::Function', 'AWS::Logs::LogGroup', 'AWS::StepFunctions::StateMachine', 'AWS::EC2::SecurityGroup'];
  for (const type of taggable) {
    const resources = resourceListOf(template, type);
    expect(resources.length).toBeGreaterThan(0);
    for (const r of resources) {
      const tags = r.Properties.Tags;
      // State machines take a list of {Key, Value}, as do the others; log groups too.
      expect(tags).toEqual(expect.arrayContaining([{ Key: 'cost-center', Value: 'platform' }]));
    }
  }
});

describe('a stack configures its provider once', () => {
  test('the same settings twice: accepted', () => {
    const s = stack();
    const props = lockedDownProvider(s);
    ServiceInstanceProvider.of(s, props);
    instances(s, 1);
    expect(() => ServiceInstanceProvider.of(s, { ...props })).not.toThrow();
  });

  test('different settings: synth fails naming each option that differs, both values shown', () => {
    const s = stack();
    ServiceInstanceProvider.of(s, { architecture: lambda.Architecture.ARM_64, pollInterval: Duration.seconds(20) });
    instances(s, 1);
    expect(() => ServiceInstanceProvider.of(s, { architecture: lambda.Architecture.X86_64, pollInterval: Duration.seconds(20) })).toThrow(
      /configured twice with different settings \(architecture: arm64, then x86_64\)\. A stack has one provider: configure it once\./,
    );
    const weekly = { architecture: lambda.Architecture.ARM_64, logRetention: logs.RetentionDays.ONE_WEEK, pollInterval: Duration.seconds(20) };
    expect(() => ServiceInstanceProvider.of(s, weekly)).toThrow(/logRetention: 30, then 7/);
  });

  test('the provider found from any construct of the stack is the same one', () => {
    const s = stack();
    instances(s, 1);
    expect(ServiceInstanceProvider.of(s.node.findChild('I0'))).toBe(ServiceInstanceProvider.of(s));
  });
});

describe('each option is checked at synth, the message naming it', () => {
  const s = stack();
  const vpc = ec2.Vpc.fromVpcAttributes(s, 'Vpc', { vpcId: 'vpc-1', availabilityZones: ['us-east-1a'], privateSubnetIds: ['subnet-1'] });
  const group = ec2.SecurityGroup.fromSecurityGroupId(s, 'Group', 'sg-1');
  const cases: Array<[string, ServiceInstanceProviderProps, RegExp]> = [
    ['vpcSubnets without vpc', { vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } }, /invalid vpcSubnets: it is set without vpc/],
    ['securityGroups without vpc', { securityGroups: [group] }, /invalid securityGroups: they are set without vpc/],
    ['no security group', { vpc, securityGroups: [] }, /invalid securityGroups: the list is empty/],
    ['six security groups', { vpc, securityGroups: [1, 2, 3, 4, 5, 6].map(() => group) }, /invalid securityGroups: 6 given; a Lambda function takes at most 5/],
    ['an architecture Lambda does not run', { architecture: lambda.Architecture.custom('riscv64') }, /invalid architecture: "riscv64" is not one Lambda runs/],
    ['SNAPSHOT for log groups', { logRemovalPolicy: RemovalPolicy.SNAPSHOT }, /invalid logRemovalPolicy: snapshot does not apply to log groups/],
    ['a poll interval below 5 s', { pollInterval: Duration.seconds(4) }, /invalid pollInterval: 4 seconds is outside 5 seconds to 30 seconds/],
    ['a poll interval above 30 s', { pollInterval: Duration.minutes(1) }, /invalid pollInterval: 1 minute is outside 5 seconds to 30 seconds/],
    ['a poll interval in milliseconds', { pollInterval: Duration.millis(10_500) }, /invalid pollInterval: .* is not a whole number of seconds/],
    ['a poll interval that is a token', { pollInterval: Duration.seconds(Token.asNumber({ Ref: 'Interval' })) }, /invalid pollInterval: it is a token/],
  ];
  test.each(cases)('%s', (_name, props, message) => {
    expect(() => ServiceInstanceProvider.of(stack(), props)).toThrow(message);
  });
});

test('the waiter keeps its default interval and the template its shape when no option is given', () => {
  const s = stack();
  instances(s, 1);
  const [machine] = resourceListOf(Template.fromStack(s), 'AWS::StepFunctions::StateMachine');
  expect(JSON.stringify(machine.Properties.DefinitionString)).toContain('\\"IntervalSeconds\\":10');
  Template.fromStack(s).hasResourceProperties('AWS::IAM::Policy', { PolicyName: Match.stringLikeRegexp('HandlerLogging') });
});
