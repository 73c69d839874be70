import { CANNOT_EVALUATE, evaluate, explain, PolicyDocument, UnsupportedPolicyError } from '../../../local/iam';

const SERVICE = 'arn:aws:proton:us-east-1:123456789012:service/svc';
const GET = { action: 'proton:GetService', resource: SERVICE };

/** The UnsupportedPolicyError a call throws (fails the test if it throws anything else, or nothing). */
function refusal(call: () => unknown): UnsupportedPolicyError {
  try {
    call();
  } catch (err) {
    expect(err).toBeInstanceOf(UnsupportedPolicyError);
    return err as UnsupportedPolicyError;
  }
  throw new Error('expected an UnsupportedPolicyError, but the evaluation decided');
}

describe('Conditions that could change the decision are refused', () => {
  test('a conditional Allow, the only one: names the statement, its Sid, the policy and every operator', () => {
    const policy: PolicyDocument = {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: 'logs:*', Resource: '*' },
        { Sid: 'OwnTeam', Effect: 'Allow', Action: 'proton:Get*', Resource: '*', Condition: { StringEquals: { 'aws:ResourceTag/team': 'a' }, Bool: { 'aws:SecureTransport': 'true' } } },
      ],
    };
    const err = refusal(() => evaluate(GET, [{ Version: '2012-10-17', Statement: [] }, policy]));
    expect(err.message.startsWith(CANNOT_EVALUATE)).toBe(true);
    expect(err.problem).toBe(
      'the Condition (StringEquals, Bool) of statement 2 (Sid "OwnTeam") of identity-based policy 2: whether proton:GetService on '
      + `${SERVICE} is allowed depends on it (Allow if it holds, ImplicitDeny if not)`,
    );
    expect(err.message).toBe(`${CANNOT_EVALUATE} ${err.problem}`);
  });

  test('a conditional Deny over an unconditional Allow', () => {
    const statements: PolicyDocument['Statement'] = [
      { Effect: 'Allow', Action: '*', Resource: '*' },
      { Effect: 'Deny', Action: 'proton:*', Resource: '*', Condition: { StringNotEquals: { 'aws:RequestedRegion': 'us-east-1' } } },
    ];
    const err = refusal(() => evaluate(GET, [{ Statement: statements }]));
    expect(err.problem).toMatch(/^the Condition \(StringNotEquals\) of statement 2 of identity-based policy 1: .*\(ExplicitDeny if it holds, Allow if not\)$/);
  });

  test('several Conditions that matter are all named', () => {
    const conditional = (Sid: string, operator: string): PolicyDocument => ({ Statement: { Sid, Effect: 'Allow', Action: 'proton:*', Resource: '*', Condition: { [operator]: { 'aws:PrincipalTag/team': 'a' } } } });
    const err = refusal(() => evaluate(GET, [conditional('A', 'StringEquals'), conditional('B', 'StringLike')]));
    expect(err.problem).toBe('the Condition (StringEquals) of statement 1 (Sid "A") of identity-based policy 1; the Condition (StringLike) of statement 1 (Sid "B") '
      + `of identity-based policy 2: whether proton:GetService on ${SERVICE} is allowed depends on them (Allow if they hold, ImplicitDeny if not)`);
  });

  test('a conditional Allow in the permissions boundary', () => {
    const err = refusal(() => explain(GET, [{ Statement: { Effect: 'Allow', Action: '*', Resource: '*' } }], [{ Statement: { Effect: 'Allow', Action: '*', Resource: '*', Condition: { Null: { 'aws:TagKeys': 'true' } } } }]));
    expect(err.problem).toContain('the Condition (Null) of statement 1 of permissions boundary 1');
  });
});

describe('documents the evaluation does not read are refused, even when the odd statement does not apply', () => {
  const refusals: Array<[string, unknown, RegExp]> = [
    ['an unknown statement element (a typo)', { Statement: [{ Effect: 'Allow', Actions: 'proton:*', Resource: '*' }] }, /statement 1 of identity-based policy 1: it has the unknown element "Actions"/],
    ['an unknown document element', { Version: '2012-10-17', Statements: [] }, /identity-based policy 1: the document has the unknown element "Statements"/],
    ['a Principal (IAM rejects it in an identity-based policy)', { Statement: { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole', Resource: '*' } }, /it has Principal, which an identity-based policy cannot have/],
    ['an Effect in the wrong case', { Statement: { Effect: 'allow', Action: '*', Resource: '*' } }, /its Effect is "allow", not "Allow" or "Deny"/],
    ['both Action and NotAction', { Statement: { Effect: 'Allow', Action: '*', NotAction: 'iam:*', Resource: '*' } }, /it has both Action and NotAction/],
    ['no Resource (required in identity-based policies)', { Statement: { Effect: 'Allow', Action: 'proton:*' } }, /it has neither Resource nor NotResource/],
    ['an action without its service', { Statement: { Effect: 'Allow', Action: 'GetService', Resource: '*' } }, /action "GetService" is not of the form <service>:<action>/],
    ['a resource that is not an ARN', { Statement: { Effect: 'Allow', Action: 'proton:*', Resource: 'svc' } }, /resource "svc" is neither "\*" nor an ARN/],
    ['an unresolved intrinsic function', { Statement: { Effect: 'Allow', Action: 'proton:*', Resource: { 'Fn::GetAtt': ['Svc', 'Arn'] } } }, /its Resource holds \{"Fn::GetAtt":\["Svc","Arn"\]\}, not a string \(an intrinsic function left unresolved\?\)/],
    ['an empty Action list', { Statement: { Effect: 'Allow', Action: [], Resource: '*' } }, /its Action is an empty list/],
    ['an unknown Version', { Version: '2012-10-18', Statement: [] }, /Version "2012-10-18" is not a policy language version/],
    ['a policy variable (2012-10-17)', { Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 'proton:*', Resource: 'arn:aws:proton:*:*:service/${aws:username}' } }, /uses a policy variable/],
    ['a Condition that is not an object', { Statement: { Effect: 'Allow', Action: 'proton:*', Resource: '*', Condition: 'StringEquals' } }, /its Condition is "StringEquals", not an object/],
    ['a string document that is not JSON', '{"Statement": [', /identity-based policy 1: the document is a string that is not JSON/],
    ['a document that is not an object', ['arn:aws:iam::aws:policy/ReadOnlyAccess'], /identity-based policy 1: the document is \["arn:aws:iam::aws:policy\/ReadOnlyAccess"\], not an object/],
  ];

  test.each(refusals)('%s', (_name, document, message) => {
    // The odd statement sits next to an Allow of the request, so a lenient reader would have decided Allow.
    const allowing: PolicyDocument = { Statement: { Effect: 'Allow', Action: 'proton:GetService', Resource: '*' } };
    const err = refusal(() => evaluate(GET, [allowing, document as PolicyDocument]));
    expect(err.problem.replace('identity-based policy 2', 'identity-based policy 1')).toMatch(message);
  });

  test('in the permissions boundary too', () => {
    const boundary = { Statement: { Effect: 'Allow', Action: '*', Resource: '*', NotPrincipal: '*' } } as unknown as PolicyDocument;
    const err = refusal(() => evaluate(GET, [{ Statement: { Effect: 'Allow', Action: '*', Resource: '*' } }], [boundary]));
    expect(err.problem).toContain('statement 1 of permissions boundary 1: it has NotPrincipal');
  });
});
