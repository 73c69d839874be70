import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { deployedResources } from './deployed-template';
import { AWS_MANAGED_POLICIES, DeployedResource, explain, PolicyDocument, policiesForRole, UnsupportedPolicyError } from '../../../local/iam';

const ENV = { stackName: 'Handler', account: '123456789012', region: 'us-east-1' };
const INSTANCES = `arn:aws:proton:${ENV.region}:${ENV.account}:service/svc/service-instance/*`;
const INSTANCE = `arn:aws:proton:${ENV.region}:${ENV.account}:service/svc/service-instance/web`;

/** A Lambda-style role with every way CloudFormation attaches a policy to a role, plus a second role to ignore. */
function synthesize(): { resources: DeployedResource[]; roleName: string } {
  const app = new App();
  const stack = new Stack(app, ENV.stackName, { env: { account: ENV.account, region: ENV.region } });
  const boundary = new iam.ManagedPolicy(stack, 'Boundary', {
    statements: [
      new iam.PolicyStatement({ actions: ['proton:*', 'logs:*'], resources: ['*'] }),
      new iam.PolicyStatement({ effect: iam.Effect.DENY, actions: ['proton:DeleteService'], resources: ['*'] }),
    ],
  });
  const role = new iam.Role(stack, 'HandlerRole', {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSLambdaBasicExecutionRole')],
    permissionsBoundary: boundary,
    inlinePolicies: {
      Outputs: new iam.PolicyDocument({ statements: [new iam.PolicyStatement({ actions: ['proton:ListServiceInstanceOutputs'], resources: [INSTANCES] })] }),
    },
  });
  // The DefaultPolicy (AWS::IAM::Policy naming the role).
  role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['proton:GetServiceInstance', 'proton:UpdateServiceInstance'], resources: [INSTANCES] }));
  // A separate AWS::IAM::Policy naming the role.
  new iam.Policy(stack, 'Guard', {
    roles: [role],
    statements: [new iam.PolicyStatement({ effect: iam.Effect.DENY, actions: ['proton:UpdateServiceInstance'], resources: [INSTANCE] })],
  });
  // A customer managed policy attached through the role's ManagedPolicyArns ...
  role.addManagedPolicy(new iam.ManagedPolicy(stack, 'Removal', {
    statements: [new iam.PolicyStatement({ actions: ['proton:UpdateService', 'proton:DeleteService'], resources: ['*'] })],
  }));
  // ... and one attached through its own Roles.
  new iam.ManagedPolicy(stack, 'Tagging', { roles: [role], statements: [new iam.PolicyStatement({ actions: ['proton:TagResource'], resources: [INSTANCES] })] });
  new iam.CfnRolePolicy(stack, 'Describe', {
    roleName: role.roleName,
    policyName: 'Describe',
    policyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'cloudformation:DescribeStacks', Resource: '*' }] },
  });
  const other = new iam.Role(stack, 'OtherRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  other.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['proton:*'], resources: ['*'] }));

  const template = Template.fromStack(stack).toJSON() as { Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }> };
  const resources = deployedResources(template, ENV);
  const roleLogicalId = stack.getLogicalId(role.node.defaultChild as iam.CfnRole);
  return { resources, roleName: resources.find((r) => r.logicalId === roleLogicalId)!.physicalId };
}

const actionsOf = (doc: PolicyDocument): unknown[] => (Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement]).map((s) => s.Action);

describe('policiesForRole over a synthesized stack', () => {
  const { resources, roleName } = synthesize();
  const policies = policiesForRole(resources, roleName);

  test('gathers inline, AWS managed, customer managed (both ways), DefaultPolicy, Policy and RolePolicy documents, not the trust policy', () => {
    expect(policies.identity.map(actionsOf)).toEqual([
      ['proton:ListServiceInstanceOutputs'], // the role's Policies
      [['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents']], // ManagedPolicyArns: AWSLambdaBasicExecutionRole
      [['proton:UpdateService', 'proton:DeleteService']], // ManagedPolicyArns: the Removal managed policy
      [['proton:GetServiceInstance', 'proton:UpdateServiceInstance']], // the DefaultPolicy
      ['proton:UpdateServiceInstance'], // Guard
      ['proton:TagResource'], // Tagging, through its Roles
      ['cloudformation:DescribeStacks'], // the RolePolicy
    ]);
    expect(policies.identity[1]).toBe(AWS_MANAGED_POLICIES['service-role/AWSLambdaBasicExecutionRole']);
    expect(JSON.stringify(policies)).not.toContain('sts:AssumeRole');
  });

  test('the boundary is the managed policy PermissionsBoundary names', () => {
    expect(policies.boundary?.map(actionsOf)).toEqual([[['proton:*', 'logs:*'], 'proton:DeleteService']]);
  });

  test.each([
    ['proton:GetServiceInstance', INSTANCE, { decision: 'Allow' }],
    ['logs:CreateLogStream', `arn:aws:logs:${ENV.region}:${ENV.account}:log-group:/aws/lambda/fn:*`, { decision: 'Allow' }],
    ['proton:UpdateServiceInstance', INSTANCE, { decision: 'ExplicitDeny', deniedBy: 'identity-based policy' }],
    ['proton:UpdateServiceInstance', `arn:aws:proton:${ENV.region}:${ENV.account}:service/svc/service-instance/api`, { decision: 'Allow' }],
    ['proton:TagResource', INSTANCE, { decision: 'Allow' }],
    ['proton:ListServiceInstanceOutputs', INSTANCE, { decision: 'Allow' }],
    ['proton:CancelServiceInstanceDeployment', INSTANCE, { decision: 'ImplicitDeny', deniedBy: 'identity-based policy' }],
    ['cloudformation:DescribeStacks', `arn:aws:cloudformation:${ENV.region}:${ENV.account}:stack/app/*`, { decision: 'ImplicitDeny', deniedBy: 'permissions boundary' }],
    ['proton:DeleteService', `arn:aws:proton:${ENV.region}:${ENV.account}:service/svc`, { decision: 'ExplicitDeny', deniedBy: 'permissions boundary' }],
  ])('%s on %s → %o', (action, resource, expected) => {
    expect(explain({ action, resource }, policies.identity, policies.boundary)).toEqual(expected);
  });

  test('the other role gets only its own DefaultPolicy', () => {
    const other = resources.find((r) => r.type === 'AWS::IAM::Role' && r.logicalId?.startsWith('OtherRole'))!;
    expect(policiesForRole(resources, other.physicalId)).toEqual({ identity: [expect.objectContaining({ Statement: [expect.objectContaining({ Action: 'proton:*' })] })] });
  });
});

describe('policiesForRole refusals and edge cases', () => {
  const role = (properties: Record<string, unknown>): DeployedResource => ({ type: 'AWS::IAM::Role', physicalId: 'fn-role', properties });
  const allowAll: PolicyDocument = { Statement: { Effect: 'Allow', Action: '*', Resource: '*' } };

  function refusal(call: () => unknown): string {
    try {
      call();
    } catch (err) {
      expect(err).toBeInstanceOf(UnsupportedPolicyError);
      return (err as Error).message;
    }
    throw new Error('expected a refusal');
  }

  test('an AWS managed policy outside the table', () => {
    expect(refusal(() => policiesForRole([role({ ManagedPolicyArns: ['arn:aws:iam::aws:policy/AdministratorAccess'] })], 'fn-role')))
      .toBe('Local IAM cannot evaluate the AWS managed policy arn:aws:iam::aws:policy/AdministratorAccess (ManagedPolicyArns of role fn-role): its document is not in local/iam/aws-managed-policies.ts');
  });

  test('a customer managed policy that is not among the resources, as ManagedPolicyArns or as PermissionsBoundary', () => {
    expect(refusal(() => policiesForRole([role({ ManagedPolicyArns: ['arn:aws:iam::123456789012:policy/elsewhere'] })], 'fn-role')))
      .toContain('the managed policy arn:aws:iam::123456789012:policy/elsewhere (ManagedPolicyArns of role fn-role): no AWS::IAM::ManagedPolicy');
    expect(refusal(() => policiesForRole([role({ PermissionsBoundary: 'arn:aws:iam::123456789012:policy/boundary' })], 'fn-role')))
      .toContain('(PermissionsBoundary of role fn-role)');
  });

  test('a role that is not deployed, and properties left unresolved', () => {
    expect(refusal(() => policiesForRole([], 'fn-role'))).toContain('no AWS::IAM::Role among the deployed resources has that name');
    expect(refusal(() => policiesForRole([role({ ManagedPolicyArns: [{ 'Fn::Join': ['', []] }] })], 'fn-role'))).toContain('is not a list of strings');
    expect(refusal(() => policiesForRole([role({ PermissionsBoundary: { Ref: 'Boundary' } })], 'fn-role'))).toContain('is not an ARN');
  });

  test('AWS managed policies in any partition; a managed policy attached both ways counts once', () => {
    const managed: DeployedResource = { type: 'AWS::IAM::ManagedPolicy', physicalId: 'arn:aws-cn:iam::123456789012:policy/p', properties: { Roles: ['fn-role'], PolicyDocument: allowAll } };
    const found = policiesForRole([
      role({ ManagedPolicyArns: ['arn:aws-cn:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole', managed.physicalId] }),
      managed,
    ], 'fn-role');
    expect(found.identity).toEqual([AWS_MANAGED_POLICIES['service-role/AWSLambdaVPCAccessExecutionRole'], allowAll]);
    expect(found.boundary).toBeUndefined();
  });

  test('a PolicyDocument given as a JSON string is gathered and evaluated', () => {
    const found = policiesForRole([role({ Policies: [{ PolicyName: 'p', PolicyDocument: JSON.stringify(allowAll) }] })], 'fn-role');
    expect(found.identity).toEqual([JSON.stringify(allowAll)]);
    expect(explain({ action: 'proton:GetService', resource: '*' }, found.identity)).toEqual({ decision: 'Allow' });
    expect(refusal(() => policiesForRole([role({ Policies: [{ PolicyName: 'p', PolicyDocument: 42 }] })], 'fn-role'))).toContain('42 is not a policy document');
  });

  test('policies naming another role, or only users and groups, are left out', () => {
    const found = policiesForRole([
      role({}),
      { type: 'AWS::IAM::Policy', physicalId: 'p1', properties: { Roles: ['other-role'], PolicyDocument: allowAll } },
      { type: 'AWS::IAM::Policy', physicalId: 'p2', properties: { Users: ['fn-role'], PolicyDocument: allowAll } },
      { type: 'AWS::IAM::RolePolicy', physicalId: 'p3', properties: { RoleName: 'other-role', PolicyDocument: allowAll } },
    ], 'fn-role');
    expect(found).toEqual({ identity: [] });
  });
});
