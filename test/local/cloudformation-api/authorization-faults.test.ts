import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { ACCOUNT, clientFor, errorOf, STACK_ID, useApi } from './helpers';
import { AuthorizationRequest, Authorizer, decide, principalArn } from '../../../local/iam';

const PRINCIPAL = principalArn(ACCOUNT, 'Handler-Role', 'Handler-OnEvent');

/** The handler's role may describe only the `app` stack; other access keys are principals the test does not know. */
function handlerOnly(seen: AuthorizationRequest[]): Authorizer {
  return (request) => {
    seen.push(request);
    if (request.accessKeyId !== 'AKIAHANDLER') return { allowed: true, reason: 'unknown-principal' };
    return decide(request, PRINCIPAL, {
      identity: [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'cloudformation:DescribeStacks', Resource: `arn:aws:cloudformation:us-east-1:${ACCOUNT}:stack/app/*` }] }],
    });
  };
}

describe('every DescribeStacks is authorized as cloudformation:DescribeStacks on the stack', () => {
  const seen: AuthorizationRequest[] = [];
  const ctx = useApi({ authorizer: handlerOnly(seen) });
  beforeEach(() => {
    seen.length = 0;
  });

  test('an allowed call: asked with the signing access key and the stack id (also when named)', async () => {
    expect((await ctx.client.send(new DescribeStacksCommand({ StackName: 'app' }))).Stacks?.[0].StackStatus).toBe('UPDATE_ROLLBACK_IN_PROGRESS');
    expect(seen).toEqual([{ accessKeyId: 'AKIAHANDLER', action: 'cloudformation:DescribeStacks', resource: STACK_ID }]);
  });

  test('a denied call: the SDK surfaces AccessDenied (403) with the AWS message, and the call records what was missing', async () => {
    const resource = `arn:aws:cloudformation:us-east-1:${ACCOUNT}:stack/old/11111111-2222-3333-4444-555555555555`;
    const err = await errorOf(ctx.client.send(new DescribeStacksCommand({ StackName: resource })));
    const message = `User: ${PRINCIPAL} is not authorized to perform: cloudformation:DescribeStacks on resource: ${resource} `
      + 'because no identity-based policy allows the cloudformation:DescribeStacks action';
    expect(err.name).toBe('AccessDenied');
    expect(err.message).toBe(message);
    expect(err.$metadata?.httpStatusCode).toBe(403);
    expect(ctx.api.calls.at(-1)).toMatchObject({
      status: 403,
      error: 'AccessDenied',
      accessDenied: { action: 'cloudformation:DescribeStacks', resource, reason: 'implicit-deny', principalArn: PRINCIPAL, message },
    });
    expect(ctx.api.authorizationProblems).toEqual([]);
  });

  test('an unknown stack is authorized on the name form first: a caller without the permission gets AccessDenied, not "does not exist"', async () => {
    const err = await errorOf(ctx.client.send(new DescribeStacksCommand({ StackName: 'secret' })));
    expect(err.name).toBe('AccessDenied');
    expect(seen.at(-1)?.resource).toBe(`arn:aws:cloudformation:us-east-1:${ACCOUNT}:stack/secret/*`);
    const other = clientFor(ctx.api, 'AKIATEST');
    try {
      expect((await errorOf(other.send(new DescribeStacksCommand({ StackName: 'secret' })))).name).toBe('ValidationError');
    } finally {
      other.destroy();
    }
  });

  test('setAuthorizer replaces it; undefined allows everything', async () => {
    ctx.api.setAuthorizer(undefined);
    await ctx.client.send(new DescribeStacksCommand({ StackName: `arn:aws:cloudformation:us-east-1:${ACCOUNT}:stack/old/11111111-2222-3333-4444-555555555555` }));
    ctx.api.setAuthorizer(() => ({ allowed: false, reason: 'explicit-deny', principalArn: PRINCIPAL }));
    expect((await errorOf(ctx.client.send(new DescribeStacksCommand({ StackName: 'app' })))).message).toContain('with an explicit deny in an identity-based policy');
    expect(seen).toEqual([]);
  });
});

describe('a call the local IAM evaluation cannot decide', () => {
  const ctx = useApi({
    authorizer: (request) => decide(request, PRINCIPAL, {
      identity: [{ Statement: { Effect: 'Allow', Action: 'cloudformation:*', Resource: '*', Condition: { StringEquals: { 'aws:ResourceTag/app': 'x' } } } }],
    }),
  });

  test('is AccessDenied with "Local IAM cannot evaluate ...", recorded as a problem', async () => {
    const err = await errorOf(ctx.client.send(new DescribeStacksCommand({ StackName: 'app' })));
    expect(err.name).toBe('AccessDenied');
    expect(err.message).toMatch(/^Local IAM cannot evaluate the Condition \(StringEquals\) of statement 1 of identity-based policy 1: /);
    expect(ctx.api.authorizationProblems).toEqual([expect.objectContaining({
      operation: 'DescribeStacks', action: 'cloudformation:DescribeStacks', resource: STACK_ID, reason: 'unsupported', message: err.message,
    })]);
  });
});

describe('fault injection', () => {
  const ctx = useApi();

  test('Throttling once: a 400 the SDK standard retry strategy retries, then succeeds', async () => {
    ctx.api.failNext(1, 'Throttling');
    const retrying = clientFor(ctx.api, 'AKIAHANDLER', 3);
    try {
      const out = await retrying.send(new DescribeStacksCommand({ StackName: 'app' }));
      expect(out.Stacks?.[0].StackName).toBe('app');
      expect(out.$metadata.attempts).toBe(2);
      expect(ctx.api.calls.map((c) => [c.status, c.error])).toEqual([[400, 'Throttling'], [200, undefined]]);
    } finally {
      retrying.destroy();
    }
  });

  test('without retries the SDK surfaces Throttling with its message; failNext(n) fails exactly n calls, in queue order', async () => {
    ctx.api.failNext(2).failNext(1, 'InternalFailure', 'disk on fire');
    const names: string[] = [];
    for (let i = 0; i < 4; i++) {
      names.push(await ctx.client.send(new DescribeStacksCommand({ StackName: 'app' })).then(() => 'ok', (e: Error) => `${e.name}: ${e.message}`));
    }
    expect(names).toEqual(['Throttling: Rate exceeded', 'Throttling: Rate exceeded', 'InternalFailure: disk on fire', 'ok']);
    expect(ctx.api.calls.map((c) => c.status)).toEqual([400, 400, 500, 200]);
  });

  test('faults come before authorization and lookup; clearFaults drops the queue; bad arguments are refused', async () => {
    ctx.api.failNext(1, 'ServiceUnavailable');
    const err = await errorOf(ctx.client.send(new DescribeStacksCommand({ StackName: 'nope' })));
    expect([err.name, err.$metadata?.httpStatusCode]).toEqual(['ServiceUnavailable', 503]);
    ctx.api.failNext(5).clearFaults();
    await ctx.client.send(new DescribeStacksCommand({ StackName: 'app' }));
    expect(() => ctx.api.failNext(0)).toThrow(/positive integer/);
    expect(() => ctx.api.failNext(1, 'Nope' as never)).toThrow(/not one of Throttling, InternalFailure, ServiceUnavailable/);
  });
});
