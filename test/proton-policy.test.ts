import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ServiceInstance, ServiceInstanceSpec } from '../src';
import { PolicyScope, scopeProtonPolicy } from '../src/private/proton-policy';

/** AWS's limits on the IAM policies of one role. */
const INLINE_LIMIT = 10_240;
const MANAGED_LIMIT = 6_144;
const MANAGED_PER_ROLE = 10;

/** Pseudo parameters at their longest, so measured sizes are the worst case once CloudFormation resolves them. */
const PSEUDO: Record<string, string> = {
  'AWS::Partition': 'aws-us-gov',
  'AWS::Region': 'ap-southeast-99',
  'AWS::AccountId': '123456789012',
  'AWS::URLSuffix': 'amazonaws.com.cn',
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

function stackWith(count: number, services: number, nameLength = 12): { stack: Stack; template: Template } {
  const stack = new Stack(new App(), 'Scale', { env: { account: '123456789012', region: 'us-east-1' } });
  for (let n = 0; n < count; n++) {
    new ServiceInstance(stack, `I${n}`, {
      serviceName: `service-${n % services}`.padEnd(nameLength, 'x'),
      serviceInstanceName: `instance-${n}`.padEnd(nameLength, 'y'),
      spec: ServiceInstanceSpec.fromString('environment: env\n'),
    });
  }
  return { stack, template: Template.fromStack(stack) };
}

function handlerRolePolicies(template: Template): { inline: any[]; managedCount: number } {
  const handlerRole = Object.entries(template.findResources('AWS::IAM::Role')).find(([, r]: any) =>
    String(r.Properties.Description ?? '').startsWith('cdk-proton'),
  )!;
  const [roleId, role] = handlerRole as [string, any];
  const inline = Object.values(template.findResources('AWS::IAM::Policy')).filter((p: any) =>
    p.Properties.Roles.some((r: any) => r.Ref === roleId),
  );
  return {
    inline: [...inline.map((p: any) => p.Properties.PolicyDocument), ...(role.Properties.Policies ?? []).map((p: any) => p.PolicyDocument)],
    managedCount: (role.Properties.ManagedPolicyArns ?? []).length,
  };
}

function protonStatements(template: Template): any[] {
  const [policy] = Object.values(template.findResources('AWS::IAM::Policy', { Properties: { PolicyName: 'ProtonServiceInstances' } })) as any[];
  return policy.Properties.PolicyDocument.Statement;
}

describe('handler role policy', () => {
  test('a few instances: every ARN listed, no wildcard, no proton:*', () => {
    const { template } = stackWith(3, 2);
    const [instances, services] = protonStatements(template);
    const resources = resolveIntrinsics(instances.Resource);
    expect(resources).toHaveLength(3);
    for (const arn of resources) expect(arn).toMatch(/^arn:aws-us-gov:proton:us-east-1:123456789012:service\/service-\dx*\/service-instance\/instance-\dy*$/);
    expect(resolveIntrinsics(services.Resource)).toEqual([
      'arn:aws-us-gov:proton:us-east-1:123456789012:service/service-0xxx',
      'arn:aws-us-gov:proton:us-east-1:123456789012:service/service-1xxx',
    ]);
    expect(instances.Action).toEqual(expect.arrayContaining(['proton:CreateServiceInstance', 'proton:CancelServiceInstanceDeployment']));
    expect(services.Action).toEqual(['proton:GetService', 'proton:UpdateService']);
    const all = JSON.stringify(protonStatements(template));
    expect(all).not.toContain('proton:*');
    expect(all).not.toMatch(/"Resource":"\*"/);
  });

  test.each([
    [1, 1],
    [20, 1],
    [50, 10],
    [200, 10],
  ])('%i instances across %i services: every policy of the role stays within IAM limits', (count, services) => {
    const { template } = stackWith(count, services, 40);
    const { inline, managedCount } = handlerRolePolicies(template);
    const inlineTotal = inline.reduce((sum, doc) => sum + policySize(doc), 0);
    expect(inlineTotal).toBeLessThanOrEqual(INLINE_LIMIT);
    expect(managedCount).toBeLessThanOrEqual(MANAGED_PER_ROLE);
    for (const doc of inline) expect(policySize(doc)).toBeLessThanOrEqual(MANAGED_LIMIT);
  });

  test('200 instances across 10 services fall back to per-service scoping, never to Resource *', () => {
    const { template } = stackWith(200, 10, 40);
    const [instances, services] = protonStatements(template);
    const resources = resolveIntrinsics(instances.Resource) as string[];
    expect(resources).toHaveLength(10);
    for (const arn of resources) expect(arn).toMatch(/:service\/service-\dx+\/service-instance\/\*$/);
    expect(resolveIntrinsics(services.Resource)).toHaveLength(10);
  });
});

describe('scopeProtonPolicy', () => {
  const targets = (count: number, services: number) =>
    Array.from({ length: count }, (_, n) => ({ serviceName: `svc${n % services}`, serviceInstanceName: `inst${n}` }));

  test('picks the tightest tier that fits', () => {
    expect(scopeProtonPolicy(targets(10, 2)).scope).toBe(PolicyScope.INSTANCE);
    expect(scopeProtonPolicy(targets(200, 10)).scope).toBe(PolicyScope.SERVICE);
    expect(scopeProtonPolicy(targets(200, 200)).scope).toBe(PolicyScope.ACCOUNT);
  });

  test('the account tier still names Proton services only', () => {
    const scoped = scopeProtonPolicy(targets(200, 200));
    expect(scoped.instanceResources).toEqual(['service/*/service-instance/*']);
    expect(scoped.serviceResources).toEqual(['service/*']);
  });

  test('a token name is counted at Proton\'s longest name', () => {
    const plain = scopeProtonPolicy(targets(40, 1), 8000);
    expect(plain.scope).toBe(PolicyScope.INSTANCE);
    const withTokens = scopeProtonPolicy(
      Array.from({ length: 40 }, (_, n) => ({ serviceName: 'svc0', serviceInstanceName: `\${Token[TOKEN.${n}]}` })),
      8000,
    );
    expect(withTokens.scope).toBe(PolicyScope.SERVICE);
  });

  test('duplicate targets are listed once', () => {
    const scoped = scopeProtonPolicy([...targets(2, 1), ...targets(2, 1)]);
    expect(scoped.instanceResources).toHaveLength(2);
    expect(scoped.serviceResources).toHaveLength(1);
  });
});
