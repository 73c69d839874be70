import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, CfnElement, Duration, RemovalPolicy, Stack, Tags } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { ServiceInstance, ServiceInstanceSpec } from '../src';
import { resourceListOf, resourcesOf } from './template-resources';
import { ATTRIBUTES, RESOURCE_TYPE } from '../src/private/contract';

const SPEC = 'proton: ServiceSpec\nenvironment: prod-env\nspec:\n  port: 80\n';

function stack(): Stack {
  return new Stack(new App(), 'Test', { env: { account: '123456789012', region: 'us-east-1' } });
}

function instance(scope: Stack, id = 'Prod', overrides: Partial<ConstructorParameters<typeof ServiceInstance>[2]> = {}): ServiceInstance {
  return new ServiceInstance(scope, id, {
    serviceName: 'frontend',
    serviceInstanceName: id.toLowerCase(),
    spec: ServiceInstanceSpec.fromString(SPEC),
    ...overrides,
  });
}

describe('ServiceInstance resource', () => {
  test('renders the Custom::ProtonServiceInstance with every property', () => {
    const s = stack();
    instance(s, 'Prod', {
      templateMajorVersion: '1',
      templateMinorVersion: '2',
      tags: { team: 'web' },
      clientToken: 'token-1',
      removalPolicy: RemovalPolicy.DESTROY,
      timeout: Duration.minutes(20),
    });
    const template = Template.fromStack(s);
    template.hasResource(RESOURCE_TYPE, {
      Properties: {
        ServiceName: 'frontend',
        ServiceInstanceName: 'prod',
        Spec: SPEC,
        TemplateMajorVersion: '1',
        TemplateMinorVersion: '2',
        Tags: { team: 'web' },
        ClientToken: 'token-1',
        RemovalPolicy: 'Destroy',
        TimeoutSeconds: 1200,
        ServiceTimeout: '1320',
      },
      // The handler decides what a Delete does, so CloudFormation must always send it.
      DeletionPolicy: 'Delete',
    });
  });

  test('noEcho asks CloudFormation to mask the attributes', () => {
    const s = stack();
    instance(s, 'Secret', { noEcho: true });
    instance(s, 'Plain');
    const resources = resourceListOf(Template.fromStack(s), RESOURCE_TYPE);
    expect(resources.map((r) => r.Properties.NoEcho)).toEqual(['true', undefined]);
  });

  test('defaults: RETAIN, a 50-minute timeout, no tags, no client token', () => {
    const s = stack();
    instance(s);
    const [resource] = resourceListOf(Template.fromStack(s), RESOURCE_TYPE);
    expect(resource.Properties.RemovalPolicy).toBe('Retain');
    expect(resource.Properties.TimeoutSeconds).toBe(3000);
    expect(resource.Properties.ServiceTimeout).toBe('3120');
    expect(resource.Properties.Tags).toBeUndefined();
    expect(resource.Properties.ClientToken).toBeUndefined();
    expect(resource.Properties.TemplateMajorVersion).toBeUndefined();
  });

  test('the custom resource answers within CloudFormation\'s hour even at the longest timeout', () => {
    const s = stack();
    instance(s, 'Prod', { timeout: Duration.minutes(55) });
    const [resource] = resourceListOf(Template.fromStack(s), RESOURCE_TYPE);
    expect(Number(resource.Properties.ServiceTimeout)).toBeLessThan(3600);
  });

  test('attributes are GetAtts of the custom resource', () => {
    const s = stack();
    const i = instance(s);
    const resolved = (v: string) => s.resolve(v);
    expect(resolved(i.serviceInstanceArn)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^Prod/), 'Arn'] });
    expect(resolved(i.deploymentStatus)).toEqual({ 'Fn::GetAtt': [expect.any(String), 'DeploymentStatus'] });
    expect(resolved(i.deploymentStatusMessage)['Fn::GetAtt'][1]).toBe('DeploymentStatusMessage');
    expect(resolved(i.environmentName)['Fn::GetAtt'][1]).toBe('EnvironmentName');
    expect(resolved(i.createdAt)['Fn::GetAtt'][1]).toBe('CreatedAt');
    expect(resolved(i.lastDeploymentAttemptedAt)['Fn::GetAtt'][1]).toBe('LastDeploymentAttemptedAt');
    expect(resolved(i.lastDeploymentSucceededAt)['Fn::GetAtt'][1]).toBe('LastDeploymentSucceededAt');
    expect(resolved(i.lastAttemptedDeploymentId)['Fn::GetAtt'][1]).toBe('LastAttemptedDeploymentId');
    expect(resolved(i.lastSucceededDeploymentId)['Fn::GetAtt'][1]).toBe('LastSucceededDeploymentId');
    expect(resolved(i.lastClientRequestToken)['Fn::GetAtt'][1]).toBe('LastClientRequestToken');
    expect(resolved(i.templateName)['Fn::GetAtt'][1]).toBe('TemplateName');
    expect(resolved(i.deployedTemplateMajorVersion)['Fn::GetAtt'][1]).toBe('TemplateMajorVersion');
    expect(resolved(i.deployedTemplateMinorVersion)['Fn::GetAtt'][1]).toBe('TemplateMinorVersion');
    expect(i.serviceInstanceName).toBe('prod');
    expect(i.serviceName).toBe('frontend');
  });

  test('every attribute except Name and ServiceName has a getter (those two are known at synth)', () => {
    const s = stack();
    const i = instance(s);
    const getters = [
      i.serviceInstanceArn, i.createdAt, i.deploymentStatus, i.deploymentStatusMessage, i.environmentName,
      i.lastAttemptedDeploymentId, i.lastClientRequestToken, i.lastDeploymentAttemptedAt, i.lastDeploymentSucceededAt,
      i.lastSucceededDeploymentId, i.deployedTemplateMajorVersion, i.deployedTemplateMinorVersion, i.templateName,
    ].map((v) => s.resolve(v)['Fn::GetAtt'][1]);
    expect(new Set([...getters, 'Name', 'ServiceName'])).toEqual(new Set(ATTRIBUTES));
  });

  test('Tags.of() reaches the instance and wins over the tags prop on the same key', () => {
    const s = stack();
    const i = instance(s, 'Prod', { tags: { team: 'web', tier: 'front' } });
    Tags.of(s).add('team', 'platform');
    Tags.of(i).add('cost-center', '42');
    Template.fromStack(s).hasResourceProperties(RESOURCE_TYPE, {
      Tags: { 'team': 'platform', 'tier': 'front', 'cost-center': '42' },
    });
  });

  test('more than 50 tags after merging Tags.of() fails at synth', () => {
    const s = stack();
    const tags = Object.fromEntries(Array.from({ length: 50 }, (_, n) => [`k${n}`, 'v']));
    instance(s, 'Prod', { tags });
    Tags.of(s).add('one-more', 'v');
    expect(() => Template.fromStack(s)).toThrow(/51 tags after merging Tags\.of\(\)/);
  });

  test('applyRemovalPolicy sets what the handler does; SNAPSHOT is refused', () => {
    const s = stack();
    const i = instance(s);
    i.applyRemovalPolicy(RemovalPolicy.DESTROY);
    Template.fromStack(s).hasResourceProperties(RESOURCE_TYPE, { RemovalPolicy: 'Destroy' });
    expect(() => i.applyRemovalPolicy(RemovalPolicy.SNAPSHOT)).toThrow(/SNAPSHOT is not supported/);
    expect(() => instance(stack(), 'Other', { removalPolicy: RemovalPolicy.SNAPSHOT })).toThrow(/SNAPSHOT/);
  });

  test('fromObject renders YAML, and JSON when a value is a token', () => {
    const s = stack();
    instance(s, 'Plain', { spec: ServiceInstanceSpec.fromObject({ environment: 'prod-env', spec: { port: 80 } }) });
    instance(s, 'Token', { spec: ServiceInstanceSpec.fromObject({ environment: 'prod-env', spec: { region: s.region, account: Stack.of(s).urlSuffix } }) });
    const resources = resourceListOf(Template.fromStack(s), RESOURCE_TYPE);
    const byName = (name: string) => resources.find((r) => r.Properties.ServiceInstanceName === name)!;
    expect(byName('plain').Properties.Spec).toBe('environment: prod-env\nspec:\n  port: 80\n');
    expect(JSON.stringify(byName('token').Properties.Spec)).toContain('AWS::URLSuffix');
  });

  test('fromFile reads the spec at synth and names a missing file', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'spec-')), 'spec.yaml');
    fs.writeFileSync(file, SPEC);
    const s = stack();
    instance(s, 'Prod', { spec: ServiceInstanceSpec.fromFile(file) });
    Template.fromStack(s).hasResourceProperties(RESOURCE_TYPE, { Spec: SPEC });
    expect(() => ServiceInstanceSpec.fromFile('/nonexistent/spec.yaml')).toThrow(/cannot read "\/nonexistent\/spec.yaml"/);
  });
});

describe('shared provider', () => {
  function functions(count: number): number {
    const s = stack();
    for (let n = 0; n < count; n++) {
      new ServiceInstance(s, `I${n}`, { serviceName: `svc${n % 10}`, serviceInstanceName: `inst${n}`, spec: ServiceInstanceSpec.fromString(SPEC) });
    }
    const template = Template.fromStack(s);
    template.resourceCountIs('AWS::StepFunctions::StateMachine', 1);
    template.resourceCountIs(RESOURCE_TYPE, count);
    return Object.keys(template.findResources('AWS::Lambda::Function')).length;
  }

  test('1 and 50 instances synthesize the same five Lambda functions', () => {
    expect(functions(1)).toBe(5);
    expect(functions(50)).toBe(5);
  });

  test('handlers run on the named Node.js 22 runtime and log where failures point: /aws/lambda/<function>', () => {
    const s = stack();
    instance(s);
    const template = Template.fromStack(s);
    template.resourcePropertiesCountIs('AWS::Lambda::Function', { Handler: 'index.onEvent', Runtime: 'nodejs22.x' }, 1);
    template.resourcePropertiesCountIs('AWS::Lambda::Function', { Handler: 'index.isComplete', Runtime: 'nodejs22.x' }, 1);
    // The two handlers', the Provider framework's and the waiter state machine's.
    template.resourceCountIs('AWS::Logs::LogGroup', 4);
    template.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
    // aws-cdk-lib's framework ends every failure with `Logs: /aws/lambda/<function>`: that group must be the handler's.
    const handlers = template.findResources('AWS::Lambda::Function', { Properties: { Handler: Match.stringLikeRegexp('^index\\.') } });
    expect(Object.keys(handlers)).toHaveLength(2);
    for (const [id, fn] of Object.entries<any>(handlers)) {
      expect(fn.Properties.LoggingConfig).toEqual({ LogFormat: 'JSON' });
      template.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: { 'Fn::Join': ['', ['/aws/lambda/', { Ref: id }]] } });
    }
    // No legacy logRetention custom resource.
    template.resourceCountIs('Custom::LogRetention', 0);
  });

  test('the handlers may write to their log groups before the first request reaches them', () => {
    const s = stack();
    instance(s);
    const template = Template.fromStack(s);
    const [loggingId, logging] = Object.entries<any>(template.findResources('AWS::IAM::Policy')).find(([, p]) =>
      JSON.stringify(p.Properties.PolicyDocument).includes('logs:PutLogEvents') && JSON.stringify(p.Properties.PolicyDocument).includes('OnEventLogs'))!;
    expect(logging.Properties.PolicyDocument.Statement).toHaveLength(1);
    const frameworkOnEvent = Object.values<any>(template.findResources('AWS::Lambda::Function', { Properties: { Handler: 'framework.onEvent' } }))[0];
    expect(frameworkOnEvent.DependsOn).toContain(loggingId);
  });

  test('the framework functions keep only ERROR log lines, so the requests they relay (specs, outputs) are not logged', () => {
    const s = stack();
    instance(s);
    const template = Template.fromStack(s);
    const framework = template.findResources('AWS::Lambda::Function', { Properties: { Handler: Match.stringLikeRegexp('^framework\\.') } });
    expect(Object.keys(framework)).toHaveLength(3);
    for (const fn of Object.values<any>(framework)) {
      expect(fn.Properties.LoggingConfig).toMatchObject({ LogFormat: 'JSON', ApplicationLogLevel: 'ERROR' });
    }
  });

  test('the waiter polls every 10 s and outlasts the longest instance timeout', () => {
    const s = stack();
    instance(s);
    const [machine] = resourceListOf(Template.fromStack(s), 'AWS::StepFunctions::StateMachine');
    const definition = JSON.stringify(machine.Properties.DefinitionString);
    expect(definition).toContain('\\"IntervalSeconds\\":10');
    // 56 minutes at 10 s = 336 attempts: longer than the 55-minute maximum timeout.
    expect(definition).toContain('\\"MaxAttempts\\":336');
  });

  test('instances of one service depend on each other in order; other services do not', () => {
    const s = stack();
    const a = instance(s, 'A');
    const b = instance(s, 'B');
    instance(s, 'C', { serviceName: 'backend' });
    const resources = resourcesOf(Template.fromStack(s), RESOURCE_TYPE);
    const logicalId = (i: ServiceInstance) => s.getLogicalId(i.node.defaultChild as CfnElement);
    const bResource = resources[logicalId(b)];
    expect(bResource.DependsOn).toContain(logicalId(a));
    const c = Object.values(resources).find((r) => r.Properties.ServiceName === 'backend')!;
    expect((c.DependsOn ?? []).some((d: string) => d === logicalId(a) || d === logicalId(b))).toBe(false);
  });

  test('custom resources depend on their service\'s Proton policy, so permissions exist before the first call and outlast the last', () => {
    const s = stack();
    instance(s);
    const template = Template.fromStack(s);
    const [resource] = resourceListOf(template, RESOURCE_TYPE);
    const policies = template.findResources('AWS::IAM::ManagedPolicy', { Properties: { Description: "cdk-proton: the handler's Proton permissions on the instances of service frontend" } });
    expect(Object.keys(policies)).toHaveLength(1);
    expect(resource.DependsOn).toEqual(expect.arrayContaining(Object.keys(policies)));
  });
});

describe('importers', () => {
  test('fromServiceInstanceArn reads both names from the ARN', () => {
    const s = stack();
    const arn = 'arn:aws:proton:us-east-1:123456789012:service/frontend/service-instance/prod';
    const imported = ServiceInstance.fromServiceInstanceArn(s, 'Imported', arn);
    expect(imported.serviceName).toBe('frontend');
    expect(imported.serviceInstanceName).toBe('prod');
    expect(imported.serviceInstanceArn).toBe(arn);
  });

  test('fromServiceInstanceArn names a bad ARN', () => {
    const s = stack();
    expect(() => ServiceInstance.fromServiceInstanceArn(s, 'Bad', 'arn:aws:proton:us-east-1:123456789012:service/frontend')).toThrow(
      /"arn:aws:proton:us-east-1:123456789012:service\/frontend" is not a Proton service instance ARN/,
    );
    expect(() => ServiceInstance.fromServiceInstanceArn(s, 'Token', s.resolve('x') && (Stack.of(s).stackId as string))).toThrow(/known at synth time/);
  });

  test('fromServiceInstanceAttributes builds the ARN in the stack\'s partition, region and account', () => {
    const s = stack();
    const imported = ServiceInstance.fromServiceInstanceAttributes(s, 'Imported', { serviceName: 'frontend', serviceInstanceName: 'prod' });
    expect(s.resolve(imported.serviceInstanceArn)).toEqual({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':proton:us-east-1:123456789012:service/frontend/service-instance/prod']],
    });
    expect(() => ServiceInstance.fromServiceInstanceAttributes(s, 'Bad', { serviceName: 'front end', serviceInstanceName: 'prod' })).toThrow(
      /invalid serviceName: "front end"/,
    );
  });
});

test('snapshot of a stack with two instances', () => {
  const s = stack();
  instance(s, 'Prod', { tags: { team: 'web' } });
  instance(s, 'Staging', { templateMajorVersion: '2', removalPolicy: RemovalPolicy.DESTROY });
  expect(Template.fromStack(s).toJSON()).toMatchSnapshot();
});
