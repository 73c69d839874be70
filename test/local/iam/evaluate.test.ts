import { Decision, evaluate, explain, PolicyDocument, PolicyStatement } from '../../../local/iam';

const ACCOUNT = '123456789012';
const SERVICE = `arn:aws:proton:us-east-1:${ACCOUNT}:service/svc`;
const INSTANCE = `${SERVICE}/service-instance/web`;

const doc = (...Statement: PolicyStatement[]): PolicyDocument => ({ Version: '2012-10-17', Statement });
const allow = (Action: string | string[], Resource: string | string[] = '*'): PolicyStatement => ({ Effect: 'Allow', Action, Resource });
const deny = (Action: string | string[], Resource: string | string[] = '*'): PolicyStatement => ({ Effect: 'Deny', Action, Resource });

interface Case {
  readonly name: string;
  readonly action: string;
  readonly resource: string;
  readonly identity: PolicyDocument[];
  readonly boundary?: PolicyDocument[];
  readonly expected: Decision;
  readonly deniedBy?: 'identity-based policy' | 'permissions boundary';
}

const IDENTITY_CASES: Case[] = [
  { name: 'no policy at all', action: 'proton:GetServiceInstance', resource: INSTANCE, identity: [], expected: 'ImplicitDeny' },
  { name: 'an exact Allow', action: 'proton:GetServiceInstance', resource: INSTANCE, identity: [doc(allow('proton:GetServiceInstance', INSTANCE))], expected: 'Allow' },
  { name: 'an Allow of another action', action: 'proton:UpdateServiceInstance', resource: INSTANCE, identity: [doc(allow('proton:GetServiceInstance', INSTANCE))], expected: 'ImplicitDeny' },
  { name: 'action names compare case-insensitively', action: 'proton:GetServiceInstance', resource: INSTANCE, identity: [doc(allow('PROTON:getserviceinstance', INSTANCE))], expected: 'Allow' },
  { name: '`*` in an action', action: 'proton:GetServiceInstance', resource: INSTANCE, identity: [doc(allow('proton:Get*'))], expected: 'Allow' },
  { name: '`*` in an action covers only what it matches', action: 'proton:UpdateServiceInstance', resource: INSTANCE, identity: [doc(allow('proton:Get*'))], expected: 'ImplicitDeny' },
  { name: '`?` is one character', action: 'proton:GetService', resource: SERVICE, identity: [doc(allow('proton:GetServic?'))], expected: 'Allow' },
  { name: '`?` is not zero characters', action: 'proton:GetService', resource: SERVICE, identity: [doc(allow('proton:GetService?'))], expected: 'ImplicitDeny' },
  { name: 'regex characters are literal (`.` is not a wildcard)', action: 'proton:GetService', resource: SERVICE, identity: [doc(allow('proton:Get.ervice'))], expected: 'ImplicitDeny' },
  { name: '`*` alone is every action of every service', action: 'cloudformation:DescribeStacks', resource: '*', identity: [doc(allow('*'))], expected: 'Allow' },
  { name: 'a service wildcard stays in its service', action: 'cloudformation:DescribeStacks', resource: '*', identity: [doc(allow('proton:*'))], expected: 'ImplicitDeny' },
  { name: 'a list of actions: any one matches', action: 'proton:TagResource', resource: INSTANCE, identity: [doc(allow(['proton:GetService', 'proton:TagResource'], INSTANCE))], expected: 'Allow' },
  { name: 'resources compare case-sensitively', action: 'proton:GetServiceInstance', resource: INSTANCE, identity: [doc(allow('proton:*', `${SERVICE}/service-instance/WEB`))], expected: 'ImplicitDeny' },
  { name: '`*` in the resource part spans `/`', action: 'proton:GetServiceInstance', resource: INSTANCE, identity: [doc(allow('proton:*', `arn:aws:proton:us-east-1:${ACCOUNT}:service/*`))], expected: 'Allow' },
  { name: 'the service ARN does not cover its instances', action: 'proton:GetServiceInstance', resource: INSTANCE, identity: [doc(allow('proton:*', SERVICE))], expected: 'ImplicitDeny' },
  { name: '`*` and `?` in the region and account parts', action: 'proton:GetServiceInstance', resource: INSTANCE, identity: [doc(allow('proton:*', 'arn:aws:proton:us-*-?:*:service/svc/service-instance/web'))], expected: 'Allow' },
  { name: 'a region wildcard does not match another account', action: 'proton:GetServiceInstance', resource: INSTANCE, identity: [doc(allow('proton:*', 'arn:aws:proton:*:999999999999:service/*'))], expected: 'ImplicitDeny' },
  { name: 'an ARN pattern does not cover a `*` request (List calls)', action: 'proton:ListServiceInstances', resource: '*', identity: [doc(allow('proton:*', 'arn:aws:proton:*:*:*'))], expected: 'ImplicitDeny' },
  { name: 'Resource `*` covers a `*` request', action: 'proton:ListServiceInstances', resource: '*', identity: [doc(allow('proton:ListServiceInstances'))], expected: 'Allow' },
  { name: 'an explicit Deny in another policy wins over an Allow', action: 'proton:UpdateService', resource: SERVICE, identity: [doc(allow('proton:*')), doc(deny('proton:UpdateService', SERVICE))], expected: 'ExplicitDeny', deniedBy: 'identity-based policy' },
  { name: 'a Deny of another resource does not apply', action: 'proton:UpdateService', resource: SERVICE, identity: [doc(allow('proton:*'), deny('proton:UpdateService', `${SERVICE}-prod`))], expected: 'Allow' },
  { name: 'NotAction allows all but the listed actions (a listed one)', action: 'proton:DeleteService', resource: SERVICE, identity: [doc({ Effect: 'Allow', NotAction: 'proton:Delete*', Resource: '*' })], expected: 'ImplicitDeny' },
  { name: 'NotAction allows all but the listed actions (another one)', action: 'proton:GetService', resource: SERVICE, identity: [doc({ Effect: 'Allow', NotAction: 'proton:Delete*', Resource: '*' })], expected: 'Allow' },
  { name: 'Deny with NotResource denies everywhere else', action: 'proton:GetService', resource: `arn:aws:proton:us-east-1:${ACCOUNT}:service/other`, identity: [doc(allow('*'), { Effect: 'Deny', Action: 'proton:*', NotResource: `${SERVICE}*` })], expected: 'ExplicitDeny' },
  { name: 'Deny with NotResource leaves the listed resources', action: 'proton:GetServiceInstance', resource: INSTANCE, identity: [doc(allow('*'), { Effect: 'Deny', Action: 'proton:*', NotResource: `${SERVICE}*` })], expected: 'Allow' },
  { name: 'Deny with NotAction denies the other actions', action: 'proton:UpdateService', resource: SERVICE, identity: [doc(allow('*'), { Effect: 'Deny', NotAction: 'proton:Get*', Resource: '*' })], expected: 'ExplicitDeny' },
  { name: 'a single statement object and string values, as CloudFormation resolves them', action: 'proton:GetService', resource: SERVICE, identity: [{ Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 'proton:GetService', Resource: SERVICE } }], expected: 'Allow' },
  { name: 'a document given as a JSON string, as CloudFormation also accepts', action: 'proton:GetService', resource: SERVICE, identity: [JSON.stringify(doc(allow('proton:GetService', SERVICE))) as unknown as PolicyDocument], expected: 'Allow' },
  { name: 'a document without Version (2008-10-17) is evaluated the same', action: 'proton:GetService', resource: SERVICE, identity: [{ Statement: [allow('proton:GetService', SERVICE)] }], expected: 'Allow' },
  { name: 'under 2008-10-17 `${...}` is literal text', action: 'proton:GetService', resource: SERVICE, identity: [{ Version: '2008-10-17', Statement: allow('proton:GetService', 'arn:aws:proton:us-east-1:123456789012:service/${aws:username}') }], expected: 'ImplicitDeny' },
];

const BOUNDARY_CASES: Case[] = [
  { name: 'identity and boundary both allow', action: 'proton:GetService', resource: SERVICE, identity: [doc(allow('proton:GetService'))], boundary: [doc(allow('proton:*'))], expected: 'Allow' },
  { name: 'identity allows, the boundary does not', action: 'proton:GetService', resource: SERVICE, identity: [doc(allow('proton:GetService'))], boundary: [doc(allow('logs:*'))], expected: 'ImplicitDeny', deniedBy: 'permissions boundary' },
  { name: 'the boundary allows, identity does not: a boundary grants nothing', action: 'proton:GetService', resource: SERVICE, identity: [doc(allow('logs:*'))], boundary: [doc(allow('*'))], expected: 'ImplicitDeny', deniedBy: 'identity-based policy' },
  { name: 'a Deny in the boundary denies although it also allows', action: 'proton:DeleteService', resource: SERVICE, identity: [doc(allow('proton:*'))], boundary: [doc(allow('*'), deny('proton:DeleteService'))], expected: 'ExplicitDeny', deniedBy: 'permissions boundary' },
  { name: 'a boundary with no document allows nothing', action: 'proton:GetService', resource: SERVICE, identity: [doc(allow('*'))], boundary: [], expected: 'ImplicitDeny', deniedBy: 'permissions boundary' },
  { name: 'Denies in both: AWS names the identity-based policy', action: 'proton:DeleteService', resource: SERVICE, identity: [doc(allow('*'), deny('proton:Delete*'))], boundary: [doc(deny('*'))], expected: 'ExplicitDeny', deniedBy: 'identity-based policy' },
  { name: 'the boundary is checked against the resource too', action: 'proton:GetServiceInstance', resource: INSTANCE, identity: [doc(allow('proton:*'))], boundary: [doc(allow('proton:*', `arn:aws:proton:us-east-1:${ACCOUNT}:service/other/*`))], expected: 'ImplicitDeny', deniedBy: 'permissions boundary' },
];

describe('evaluate: identity-based policies', () => {
  test.each(IDENTITY_CASES)('$name → $expected', ({ action, resource, identity, expected, deniedBy }) => {
    expect(evaluate({ action, resource }, identity)).toBe(expected);
    if (deniedBy) expect(explain({ action, resource }, identity).deniedBy).toBe(deniedBy);
  });
});

describe('evaluate: with a permissions boundary', () => {
  test.each(BOUNDARY_CASES)('$name → $expected', ({ action, resource, identity, boundary, expected, deniedBy }) => {
    const evaluation = explain({ action, resource }, identity, boundary);
    expect(evaluation.decision).toBe(expected);
    expect(evaluation.deniedBy).toBe(deniedBy);
    expect(evaluate({ action, resource }, identity, boundary)).toBe(expected);
  });

  test('without a boundary the same identity policy allows', () => {
    expect(evaluate({ action: 'proton:GetService', resource: SERVICE }, [doc(allow('proton:GetService'))])).toBe('Allow');
  });
});

describe('evaluate: Conditions that cannot change the decision', () => {
  const conditional = (effect: 'Allow' | 'Deny', Action: string): PolicyStatement => ({
    Sid: 'Tagged', Effect: effect, Action, Resource: '*', Condition: { StringEquals: { 'aws:ResourceTag/team': 'a' } },
  });

  test('a Condition on a statement that does not apply is ignored', () => {
    expect(evaluate({ action: 'proton:GetService', resource: SERVICE }, [doc(allow('proton:GetService'), conditional('Deny', 'proton:Delete*'))])).toBe('Allow');
  });

  test('an unconditional Deny decides whatever a conditional Allow says', () => {
    expect(evaluate({ action: 'proton:GetService', resource: SERVICE }, [doc(deny('proton:GetService'), conditional('Allow', 'proton:*'))])).toBe('ExplicitDeny');
  });

  test('an unconditional Allow decides whatever a conditional Allow says', () => {
    expect(evaluate({ action: 'proton:GetService', resource: SERVICE }, [doc(allow('proton:GetService'), conditional('Allow', 'proton:*'))])).toBe('Allow');
  });

  test('a conditional Allow in the boundary when identity allows nothing: denied by identity either way', () => {
    const evaluation = explain({ action: 'proton:GetService', resource: SERVICE }, [doc(allow('logs:*'))], [doc(conditional('Allow', 'proton:*'))]);
    expect(evaluation).toEqual({ decision: 'ImplicitDeny', deniedBy: 'identity-based policy' });
  });
});

describe('evaluate: the request itself', () => {
  test('an action without its service prefix is a caller bug', () => {
    expect(() => evaluate({ action: 'GetService', resource: SERVICE }, [])).toThrow(/must be <service>:<Action>/);
  });
});
