import { App, CfnParameter, NestedStack, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ServiceInstance, ServiceInstanceSpec } from '../src';
import { RESOURCE_TYPE } from '../src/private/contract';
import { GrantScope, ProtonGrantPlanner, SERVICE_POLICIES_MAX } from '../src/private/proton-policy';

/** AWS's limits on the IAM policies of one role. */
const INLINE_LIMIT = 10_240;
const MANAGED_LIMIT = 6_144;
const MANAGED_PER_ROLE = 10;
/** The largest inline Proton policy earlier versions wrote: it is still attached while an upgrade's update phase runs. */
const EARLIER_INLINE_POLICY = 8_000;

/** Pseudo parameters at their longest, so measured sizes are the worst case once CloudFormation resolves them. */
const PSEUDO: Record<string, string> = {
  'AWS::Partition': 'aws-us-gov',
  'AWS::Region': 'ap-southeast-99',
  'AWS::AccountId': '123456789012',
  'AWS::URLSuffix': 'amazonaws.com.cn',
  'AWS::StackId': 'arn:aws-us-gov:cloudformation:ap-southeast-99:123456789012:stack/Scale/12345678-1234-1234-1234-123456789012',
};

/** Resolves the intrinsics a policy document uses, as CloudFormation would. */
function resolveIntrinsics(value: any): any {
  if (Array.isArray(value)) return value.map(resolveIntrinsics);
  if (value && typeof value === 'object') {
    if ('Ref' in value) return PSEUDO[value.Ref] ?? `resolved-${value.Ref}`;
    if ('Fn::GetAtt' in value) return `arn:aws-us-gov:service:ap-southeast-99:123456789012:${value['Fn::GetAtt'].join('-')}`;
    if ('Fn::Join' in value) return value['Fn::Join'][1].map(resolveIntrinsics).join(value['Fn::Join'][0]);
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveIntrinsics(v)]));
  }
  return value;
}

/** IAM counts a policy's size without white space. */
function policySize(document: unknown): number {
  return JSON.stringify(resolveIntrinsics(document)).length;
}

interface Spread {
  readonly count: number;
  readonly services: number;
  readonly nameLength?: number;
  /** Instance indexes to leave out (an app version without them). */
  readonly without?: number[];
}

function stackWith({ count, services, nameLength = 12, without = [] }: Spread): { stack: Stack; template: Template } {
  const stack = new Stack(new App(), 'Scale', { env: { account: '123456789012', region: 'us-east-1' } });
  for (let n = 0; n < count; n++) {
    if (without.includes(n)) continue;
    new ServiceInstance(stack, `I${n}`, {
      serviceName: `service-${n % services}`.padEnd(nameLength, 'x'),
      serviceInstanceName: `instance-${n}`.padEnd(nameLength, 'y'),
      spec: ServiceInstanceSpec.fromString('environment: env\n'),
    });
  }
  return { stack, template: Template.fromStack(stack) };
}

const handlerRoleId = (template: Template) =>
  Object.entries(template.findResources('AWS::IAM::Role')).find(([, r]: any) => String(r.Properties.Description ?? '').startsWith('cdk-proton: creates'))![0];

/** The handler role's inline and managed policies, as [logical id, document]. */
function handlerRolePolicies(template: Template): { inline: Array<[string, any]>; managed: Array<[string, any]> } {
  const roleId = handlerRoleId(template);
  const role = template.findResources('AWS::IAM::Role')[roleId];
  const attached = (p: any) => (p.Properties.Roles ?? []).some((r: any) => r.Ref === roleId);
  const documents = (type: string) =>
    Object.entries(template.findResources(type))
      .filter(([, p]) => attached(p))
      .map(([id, p]: any) => [id, p.Properties.PolicyDocument] as [string, any]);
  return {
    inline: [
      ...documents('AWS::IAM::Policy'),
      ...(role.Properties.Policies ?? []).map((p: any) => ['inline', p.PolicyDocument] as [string, any]),
    ],
    managed: [...documents('AWS::IAM::ManagedPolicy'), ...(role.Properties.ManagedPolicyArns ?? []).map((arn: any) => ['arn', arn] as [string, any])],
  };
}

/** The Proton policies of the handler role, by logical id. */
function protonPolicies(template: Template): Record<string, any> {
  return Object.fromEntries(
    Object.entries(template.findResources('AWS::IAM::ManagedPolicy')).filter(([, p]: any) =>
      String(p.Properties.Description).startsWith("cdk-proton: the handler's Proton permissions")),
  );
}

const isAccountWide = (policy: any) => String(policy.Properties.Description).includes('the services of this account and region');

function resourcesOf(policy: any): string[] {
  return policy.Properties.PolicyDocument.Statement.flatMap((s: any) => resolveIntrinsics(s.Resource));
}

describe('one policy per service', () => {
  test('each service gets a managed policy naming only it; each instance depends on its service\'s policy', () => {
    const { template } = stackWith({ count: 3, services: 2 });
    const policies = protonPolicies(template);
    expect(Object.keys(policies)).toHaveLength(2);
    const byService = Object.fromEntries(Object.entries(policies).map(([id, p]) => [/service\/(service-\d)x*$/.exec(resourcesOf(p)[1])![1], id]));
    for (const [service, id] of Object.entries(byService)) {
      expect(resourcesOf(policies[id]).sort()).toEqual([
        `arn:aws-us-gov:proton:us-east-1:123456789012:service/${service.padEnd(12, 'x')}`,
        `arn:aws-us-gov:proton:us-east-1:123456789012:service/${service.padEnd(12, 'x')}/service-instance/*`,
      ]);
      expect(policies[id].Properties.Roles).toEqual([{ Ref: handlerRoleId(template) }]);
    }
    for (const [, resource] of Object.entries<any>(template.findResources(RESOURCE_TYPE))) {
      const service = resource.Properties.ServiceName.replace(/x+$/, '');
      expect(resource.DependsOn).toContain(byService[service]);
    }
    const all = JSON.stringify(policies);
    expect(all).not.toContain('proton:*');
    expect(all).not.toMatch(/"Resource":"\*"/);
  });

  test('removing an instance leaves its service\'s policy exactly as it was, so its Delete keeps its permissions', () => {
    const before = protonPolicies(stackWith({ count: 4, services: 2 }).template);
    const after = protonPolicies(stackWith({ count: 4, services: 2, without: [2] }).template);
    expect(after).toEqual(before);
  });

  test('dropping the last instance of a service removes that service\'s policy, and only it', () => {
    const before = protonPolicies(stackWith({ count: 3, services: 3 }).template);
    const after = protonPolicies(stackWith({ count: 3, services: 3, without: [1] }).template);
    expect(Object.keys(before)).toHaveLength(3);
    expect(Object.keys(after)).toHaveLength(2);
    for (const [id, policy] of Object.entries(after)) expect(before[id]).toEqual(policy);
  });

  test('the role may describe its own stack, and no other', () => {
    const { template } = stackWith({ count: 1, services: 1 });
    const statements = handlerRolePolicies(template).inline.flatMap(([, doc]) => doc.Statement);
    const describe = statements.filter((s: any) => [s.Action].flat().includes('cloudformation:DescribeStacks'));
    expect(describe).toEqual([{ Action: 'cloudformation:DescribeStacks', Effect: 'Allow', Resource: { Ref: 'AWS::StackId' } }]);
    expect(JSON.stringify(statements)).not.toMatch(/cloudformation:\*/);
  });

  test.each([
    [1, 1],
    [20, 1],
    [50, SERVICE_POLICIES_MAX],
    [200, 10],
  ])('%i instances across %i services: every policy of the role stays within IAM limits', (count, services) => {
    const { template } = stackWith({ count, services, nameLength: 40 });
    const { inline, managed } = handlerRolePolicies(template);
    // Inline policies share 10,240 characters per role — even beside the inline policy of earlier versions, which an
    // upgrade keeps until its cleanup phase.
    const inlineTotal = inline.reduce((sum, [, doc]) => sum + policySize(doc), 0);
    expect(inlineTotal + EARLIER_INLINE_POLICY).toBeLessThanOrEqual(INLINE_LIMIT);
    expect(managed.length).toBeLessThanOrEqual(MANAGED_PER_ROLE);
    for (const [, doc] of managed) expect(policySize(doc)).toBeLessThanOrEqual(MANAGED_LIMIT);
    const own = Math.min(services, SERVICE_POLICIES_MAX);
    expect(Object.keys(protonPolicies(template))).toHaveLength(services > own ? own + 1 : own);
  });
});

describe('past the services that get a policy each', () => {
  test('later services share one policy for every Proton service of the account and region; earlier ones keep theirs', () => {
    const { template } = stackWith({ count: 200, services: 20, nameLength: 90 });
    const policies = protonPolicies(template);
    const account = Object.entries(policies).filter(([, p]) => isAccountWide(p));
    expect(account).toHaveLength(1);
    expect(resourcesOf(account[0][1]).sort()).toEqual([
      'arn:aws-us-gov:proton:us-east-1:123456789012:service/*',
      'arn:aws-us-gov:proton:us-east-1:123456789012:service/*/service-instance/*',
    ]);
    expect(Object.keys(policies)).toHaveLength(SERVICE_POLICIES_MAX + 1);
    // Every instance depends on the policy that grants it: its service's, or the account-wide one.
    const instances = Object.values<any>(template.findResources(RESOURCE_TYPE));
    expect(instances.filter((r) => r.DependsOn.includes(account[0][0]))).toHaveLength(200 - SERVICE_POLICIES_MAX * 10);
  });

  test('adding services never changes the policies of the services already there', () => {
    const few = protonPolicies(stackWith({ count: 5, services: 5, nameLength: 90 }).template);
    const many = protonPolicies(stackWith({ count: 200, services: 20, nameLength: 90 }).template);
    expect(Object.keys(few)).toHaveLength(5);
    for (const [id, policy] of Object.entries(few)) expect(many[id]).toEqual(policy);
  });
});

describe('ProtonGrantPlanner', () => {
  test('assigns per service up to the limit, then the account-wide grant, and never reassigns', () => {
    const planner = new ProtonGrantPlanner();
    const scopes = Array.from({ length: 12 }, (_, n) => planner.assign(`svc${n}`, `svc${n}`));
    expect(scopes).toEqual([...Array(SERVICE_POLICIES_MAX).fill(GrantScope.SERVICE), ...Array(12 - SERVICE_POLICIES_MAX).fill(GrantScope.ACCOUNT)]);
    expect(planner.assign('svc0', 'svc0')).toBe(GrantScope.SERVICE);
    expect(planner.assign('svc11', 'svc11')).toBe(GrantScope.ACCOUNT);
  });

  test('a service named by a token gets the account-wide grant: a document naming it would change with its value', () => {
    const planner = new ProtonGrantPlanner();
    expect(planner.assign('{"Ref":"ServiceName"}', '${Token[TOKEN.1]}')).toBe(GrantScope.ACCOUNT);
    expect(planner.assign('svc', 'svc')).toBe(GrantScope.SERVICE);
  });

  test('a service named by a stack parameter: its instances depend on the account-wide policy, whose document holds no parameter', () => {
    const stack = new Stack(new App(), 'Params', { env: { account: '123456789012', region: 'us-east-1' } });
    const service = new CfnParameter(stack, 'ServiceName', { default: 'frontend' });
    for (const name of ['a', 'b']) {
      new ServiceInstance(stack, name, { serviceName: service.valueAsString, serviceInstanceName: name, spec: ServiceInstanceSpec.fromString('environment: env\n') });
    }
    const template = Template.fromStack(stack);
    const policies = Object.entries(protonPolicies(template));
    expect(policies).toHaveLength(1);
    expect(isAccountWide(policies[0][1])).toBe(true);
    expect(JSON.stringify(policies[0][1].Properties.PolicyDocument)).not.toContain('ServiceName');
    for (const r of Object.values<any>(template.findResources(RESOURCE_TYPE))) expect(r.DependsOn).toContain(policies[0][0]);
  });
});

describe('nested stacks', () => {
  test('the role may describe its stack and the stacks above it, which decide why a nested stack is deleted', () => {
    const parent = new Stack(new App(), 'Parent', { env: { account: '123456789012', region: 'us-east-1' } });
    const nested = new NestedStack(parent, 'Nested');
    new ServiceInstance(nested, 'A', { serviceName: 'frontend', serviceInstanceName: 'a', spec: ServiceInstanceSpec.fromString('environment: env\n') });
    const template = Template.fromStack(nested);
    const statements = handlerRolePolicies(template).inline.flatMap(([, doc]) => doc.Statement);
    const describe = statements.find((s: any) => [s.Action].flat().includes('cloudformation:DescribeStacks'));
    expect(describe.Resource).toHaveLength(2);
    expect(describe.Resource[0]).toEqual({ Ref: 'AWS::StackId' });
    // The parent's id arrives through a parameter that CDK adds to the nested stack.
    const parameter = describe.Resource[1].Ref;
    expect(Object.keys(template.toJSON().Parameters)).toContain(parameter);
  });
});
