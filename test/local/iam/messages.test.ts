import { accessDeniedMessage, accessKeyIdOf, principalArn } from '../../../local/iam';

const PRINCIPAL = 'arn:aws:sts::123456789012:assumed-role/Handler-Role-LOCAL/Handler-OnEvent-LOCAL';
const REQUEST = { action: 'proton:GetServiceInstance', resource: 'arn:aws:proton:us-east-1:123456789012:service/svc/service-instance/web' };

describe('principalArn', () => {
  test('an assumed Lambda role: the function name is the session name', () => {
    expect(principalArn('123456789012', 'Handler-Role-LOCAL', 'Handler-OnEvent-LOCAL')).toBe(PRINCIPAL);
    expect(principalArn('123456789012', 'r', 'f', 'aws-cn')).toBe('arn:aws-cn:sts::123456789012:assumed-role/r/f');
  });
});

describe('accessDeniedMessage', () => {
  test.each([
    [{ reason: 'implicit-deny' }, `User: ${PRINCIPAL} is not authorized to perform: proton:GetServiceInstance on resource: ${REQUEST.resource} because no identity-based policy allows the proton:GetServiceInstance action`],
    [{ reason: 'explicit-deny' }, `User: ${PRINCIPAL} is not authorized to perform: proton:GetServiceInstance on resource: ${REQUEST.resource} with an explicit deny in an identity-based policy`],
    [{ reason: 'implicit-deny', deniedBy: 'permissions boundary' }, `User: ${PRINCIPAL} is not authorized to perform: proton:GetServiceInstance on resource: ${REQUEST.resource} because no permissions boundary allows the proton:GetServiceInstance action`],
    [{ reason: 'explicit-deny', deniedBy: 'permissions boundary' }, `User: ${PRINCIPAL} is not authorized to perform: proton:GetServiceInstance on resource: ${REQUEST.resource} with an explicit deny in a permissions boundary`],
  ] as const)('%o', (decision, message) => {
    expect(accessDeniedMessage(REQUEST, { allowed: false, principalArn: PRINCIPAL, ...decision })).toBe(message);
  });

  test('unsupported: starts with "Local IAM cannot evaluate" and the problem, once however the problem was phrased', () => {
    const expected = `Local IAM cannot evaluate the Condition (StringEquals) of statement 1 of identity-based policy 1 (deciding proton:GetServiceInstance on ${REQUEST.resource} for ${PRINCIPAL})`;
    const problem = 'the Condition (StringEquals) of statement 1 of identity-based policy 1';
    expect(accessDeniedMessage(REQUEST, { allowed: false, reason: 'unsupported', principalArn: PRINCIPAL, problem })).toBe(expected);
    expect(accessDeniedMessage(REQUEST, { allowed: false, reason: 'unsupported', principalArn: PRINCIPAL, problem: `Local IAM cannot evaluate ${problem}` })).toBe(expected);
  });

  test('an allowed decision has no denial message', () => {
    expect(() => accessDeniedMessage(REQUEST, { allowed: true, reason: 'allowed' })).toThrow(/is not a denial/);
  });
});

describe('accessKeyIdOf', () => {
  test.each([
    ['the header the JS SDK sends', 'AWS4-HMAC-SHA256 Credential=AKIALOCALHANDLER/20260101/us-east-1/proton/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=abc123', 'AKIALOCALHANDLER'],
    ['Credential after the other parts', 'AWS4-HMAC-SHA256 SignedHeaders=host, Signature=0, Credential=ASIA2/20260101/us-east-1/cloudformation/aws4_request', 'ASIA2'],
    ['SigV4a', 'AWS4-ECDSA-P256-SHA256 Credential=AKIAV4A/20260101/proton/aws4_request, SignedHeaders=host, Signature=0', 'AKIAV4A'],
    ['the first of repeated headers', ['AWS4-HMAC-SHA256 Credential=FIRST/20260101/us-east-1/proton/aws4_request', 'AWS4-HMAC-SHA256 Credential=SECOND/x/y/z/aws4_request'], 'FIRST'],
    ['no header', undefined, undefined],
    ['SigV2', 'AWS AKIAOLD:signature', undefined],
    ['a Bearer token', 'Bearer Credential=AKIA/20260101/us-east-1/proton/aws4_request', undefined],
    ['a Credential without its scope', 'AWS4-HMAC-SHA256 Credential=AKIA, SignedHeaders=host, Signature=0', undefined],
    ['an empty access key id', 'AWS4-HMAC-SHA256 Credential=/20260101/us-east-1/proton/aws4_request', undefined],
  ])('%s', (_name, header, expected) => {
    expect(accessKeyIdOf(header)).toBe(expected);
  });
});
