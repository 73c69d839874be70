import {
  AuthorizationRequest, Authorizer, decide, firstDenial, PolicyDocument, RolePolicies, UnsupportedPolicyError,
} from '../../../local/iam';

const PRINCIPAL = 'arn:aws:sts::123456789012:assumed-role/role/fn';
const INSTANCE = 'arn:aws:proton:us-east-1:123456789012:service/svc/service-instance/web';
const CREATE = { action: 'proton:CreateServiceInstance', resource: INSTANCE };
const TAG = { action: 'proton:TagResource', resource: INSTANCE };
const allowOnly = (...Action: string[]): PolicyDocument => ({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action, Resource: '*' }] });

describe('decide: the evaluation as an Authorizer decision', () => {
  test('allowed, explicit and implicit denials carry the principal and the denying policy type', () => {
    expect(decide(CREATE, PRINCIPAL, { identity: [allowOnly('proton:*')] })).toEqual({ allowed: true, reason: 'allowed', principalArn: PRINCIPAL });
    const deny: PolicyDocument = { Statement: { Effect: 'Deny', Action: 'proton:Create*', Resource: '*' } };
    expect(decide(CREATE, PRINCIPAL, { identity: [allowOnly('proton:*'), deny] }))
      .toEqual({ allowed: false, reason: 'explicit-deny', principalArn: PRINCIPAL, deniedBy: 'identity-based policy' });
    expect(decide(CREATE, PRINCIPAL, { identity: [allowOnly('proton:*')], boundary: [allowOnly('logs:*')] }))
      .toEqual({ allowed: false, reason: 'implicit-deny', principalArn: PRINCIPAL, deniedBy: 'permissions boundary' });
  });

  test('a refusal, while evaluating or while gathering the policies, becomes unsupported with the problem', () => {
    const conditional: PolicyDocument = { Statement: { Effect: 'Allow', Action: '*', Resource: '*', Condition: { Bool: { 'aws:ViaAWSService': 'false' } } } };
    expect(decide(CREATE, PRINCIPAL, { identity: [conditional] })).toEqual({
      allowed: false, reason: 'unsupported', principalArn: PRINCIPAL, problem: expect.stringMatching(/^the Condition \(Bool\) of statement 1 of identity-based policy 1/),
    });
    const gathering = (): RolePolicies => {
      throw new UnsupportedPolicyError('the AWS managed policy arn:aws:iam::aws:policy/PowerUserAccess');
    };
    expect(decide(CREATE, PRINCIPAL, gathering)).toEqual({ allowed: false, reason: 'unsupported', principalArn: PRINCIPAL, problem: 'the AWS managed policy arn:aws:iam::aws:policy/PowerUserAccess' });
  });

  test('any other error is a bug and propagates', () => {
    expect(() => decide(CREATE, PRINCIPAL, () => {
      throw new TypeError('boom');
    })).toThrow(TypeError);
  });
});

describe('firstDenial: what a local service does before it acts', () => {
  const recording = (decideFor: (r: AuthorizationRequest) => ReturnType<Authorizer>) => {
    const seen: AuthorizationRequest[] = [];
    const authorizer: Authorizer = (request) => {
      seen.push(request);
      return decideFor(request);
    };
    return { seen, authorizer };
  };

  test('no authorizer: everything is allowed', () => {
    expect(firstDenial(undefined, 'AKIA', [CREATE, TAG])).toBeUndefined();
  });

  test('asks for each permission in order with the access key; the first one refused denies the call with the AWS message', () => {
    const { seen, authorizer } = recording((r) => decide(r, PRINCIPAL, { identity: [allowOnly('proton:CreateServiceInstance')] }));
    expect(firstDenial(authorizer, 'AKIAHANDLER', [CREATE, TAG])).toEqual({
      ...TAG,
      reason: 'implicit-deny',
      principalArn: PRINCIPAL,
      deniedBy: 'identity-based policy',
      message: `User: ${PRINCIPAL} is not authorized to perform: proton:TagResource on resource: ${INSTANCE} because no identity-based policy allows the proton:TagResource action`,
    });
    expect(seen).toEqual([{ accessKeyId: 'AKIAHANDLER', ...CREATE }, { accessKeyId: 'AKIAHANDLER', ...TAG }]);
  });

  test('stops at the first denial; an unknown principal is allowed', () => {
    const denying = recording(() => ({ allowed: false, reason: 'explicit-deny', principalArn: PRINCIPAL }));
    expect(firstDenial(denying.authorizer, 'AKIA', [CREATE, TAG])).toMatchObject({ ...CREATE, reason: 'explicit-deny' });
    expect(denying.seen).toHaveLength(1);
    const unknown = recording(() => ({ allowed: true, reason: 'unknown-principal' }));
    expect(firstDenial(unknown.authorizer, undefined, [CREATE, TAG])).toBeUndefined();
    expect(unknown.seen.map((r) => r.accessKeyId)).toEqual([undefined, undefined]);
  });

  test('an authorizer that throws, or denies without a denial reason, is a loud unsupported denial', () => {
    const refusing: Authorizer = () => {
      throw new UnsupportedPolicyError('the managed policy arn:aws:iam::123456789012:policy/x');
    };
    expect(firstDenial(refusing, 'AKIA', [CREATE])).toMatchObject({ reason: 'unsupported', problem: 'the managed policy arn:aws:iam::123456789012:policy/x', message: expect.stringMatching(/^Local IAM cannot evaluate the managed policy/) });
    const broken: Authorizer = () => {
      throw new Error('no role for AKIA');
    };
    expect(firstDenial(broken, 'AKIA', [CREATE])).toMatchObject({ reason: 'unsupported', message: expect.stringMatching(/^Local IAM cannot evaluate the call: the authorizer threw no role for AKIA/) });
    const confused: Authorizer = () => ({ allowed: false, reason: 'allowed' });
    expect(firstDenial(confused, 'AKIA', [CREATE])).toMatchObject({ reason: 'unsupported', problem: 'the call: the authorizer denied it with reason allowed' });
  });
});
