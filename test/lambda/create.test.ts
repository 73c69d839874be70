import { CreateServiceInstanceCommand, GetServiceInstanceCommand } from '@aws-sdk/client-proton';
import { ARN, completeEvent, createEvent, instance, SPEC, STACK_ID, succeeded, updateEvent, waiterEvent } from './events';
import { clockAt, describeStacksCalls, handlerLogs, proton, resetMocks, stackIs, T0 } from './mocks';
import { describeStacksDenied, SEED_ERRORS, TRANSIENT_ERRORS } from './seed-errors';
import { isComplete, onEvent } from '../../lambda';
import { clientTokenFor } from '../../lambda/lifecycle/client-token';
import { IsCompleteRequest, OnEventResponse } from '../../lambda/lifecycle/types';

beforeEach(resetMocks);

const PENDING = /^cdk-proton:pending-create:frontend\/prod:([0-9a-f]{64})$/;
const createdTokens = () => proton.commandCalls(CreateServiceInstanceCommand).map((c) => c.args[0].input.clientToken);

describe('Create', () => {
  test('creates the instance and answers its ARN as the physical id at once', async () => {
    proton.on(CreateServiceInstanceCommand).resolves({ serviceInstance: instance() });
    const event = createEvent({ Tags: { team: 'web' }, TemplateMinorVersion: '2' });
    const result = await onEvent(event);
    expect(result.PhysicalResourceId).toBe(ARN);
    expect(result.ProtonState).toEqual({ deadline: T0 + 600_000, token: clientTokenFor('CreateServiceInstance', event), creates: true });
    expect(proton).toHaveReceivedCommandTimes(CreateServiceInstanceCommand, 1);
    expect(proton).toHaveReceivedCommandWith(CreateServiceInstanceCommand, {
      serviceName: 'frontend',
      name: 'prod',
      spec: SPEC,
      templateMajorVersion: '1',
      templateMinorVersion: '2',
      tags: [{ key: 'team', value: 'web' }],
      clientToken: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
  });

  test('a plain create does not ask for the stack status', async () => {
    proton.on(CreateServiceInstanceCommand).resolves({ serviceInstance: instance() });
    await onEvent(createEvent());
    expect(describeStacksCalls()).toBe(0);
  });

  test('isComplete waits for the first deployment, then completes with the ARN and the attributes', async () => {
    proton.on(CreateServiceInstanceCommand).resolves({ serviceInstance: instance() });
    const event = createEvent();
    const waiting = waiterEvent(event, await onEvent(event));
    proton.on(GetServiceInstanceCommand).resolves({ serviceInstance: instance({ lastClientRequestToken: waiting.ProtonState.token }) });
    await expect(isComplete(waiting)).resolves.toEqual({ IsComplete: false });
    proton.on(GetServiceInstanceCommand).resolves({ serviceInstance: succeeded({ lastClientRequestToken: waiting.ProtonState.token }) });
    await expect(isComplete(waiting)).resolves.toMatchObject({ IsComplete: true, PhysicalResourceId: ARN, Data: { Arn: ARN, DeploymentStatus: 'SUCCEEDED' } });
    expect(proton).toHaveReceivedCommandTimes(CreateServiceInstanceCommand, 1);
  });
});

describe('the client token', () => {
  beforeEach(() => {
    proton.on(CreateServiceInstanceCommand).resolves({ serviceInstance: instance() });
  });

  test('is derived from the request: a retry sends the same one, another request another', async () => {
    await onEvent(createEvent({}, 'req-A'));
    await onEvent(createEvent({}, 'req-A'));
    await onEvent(createEvent({}, 'req-B'));
    const [first, retry, other] = createdTokens();
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    expect(retry).toBe(first);
    expect(other).not.toBe(first);
  });

  test('depends on the operation, the stack, the logical id and the request id', () => {
    const base = { StackId: STACK_ID, LogicalResourceId: 'Prod', RequestId: 'req-1' };
    const token = clientTokenFor('CreateServiceInstance', base);
    const variants = [
      clientTokenFor('UpdateServiceInstance', base),
      clientTokenFor('CreateServiceInstance', { ...base, StackId: STACK_ID.replace('/Test/', '/Other/') }),
      clientTokenFor('CreateServiceInstance', { ...base, LogicalResourceId: 'Staging' }),
      clientTokenFor('CreateServiceInstance', { ...base, RequestId: 'req-2' }),
    ];
    expect(new Set([token, ...variants]).size).toBe(5);
    expect(clientTokenFor('CreateServiceInstance', { ...base })).toBe(token);
  });

  test('the token sent is the one derived from the event', async () => {
    const event = createEvent({}, 'req-X');
    await onEvent(event);
    expect(createdTokens()).toEqual([clientTokenFor('CreateServiceInstance', event)]);
  });

  test("a user's ClientToken seeds the derivation: never sent as is, and different for different requests", async () => {
    await onEvent(createEvent({ ClientToken: 'my-token' }, 'req-A'));
    await onEvent(createEvent({ ClientToken: 'my-token' }, 'req-A'));
    await onEvent(createEvent({ ClientToken: 'my-token' }, 'req-B'));
    await onEvent(createEvent({ ClientToken: 'other-seed' }, 'req-A'));
    await onEvent(createEvent({}, 'req-A'));
    const [seededA, seededARetry, seededB, otherSeedA, unseededA] = createdTokens();
    expect(seededA).toMatch(/^[0-9a-f]{64}$/);
    expect(seededA).not.toBe('my-token');
    expect(seededARetry).toBe(seededA);
    expect(seededB).not.toBe(seededA);
    expect(otherSeedA).not.toBe(seededA);
    expect(unseededA).not.toBe(seededA);
    expect(seededA).toBe(clientTokenFor('CreateServiceInstance', createEvent({}, 'req-A'), 'my-token'));
  });

  test('a replacement created by an Update carries a create token of that Update request', async () => {
    const event = updateEvent({ ServiceInstanceName: 'prod2' }, {}, 'req-update-7');
    await onEvent(event);
    expect(createdTokens()).toEqual([clientTokenFor('CreateServiceInstance', event)]);
    expect(createdTokens()[0]).not.toBe(clientTokenFor('UpdateServiceInstance', event));
  });
});

describe('Create meeting a ConflictException', () => {
  beforeEach(() => {
    proton.on(CreateServiceInstanceCommand).rejects(SEED_ERRORS.ConflictException());
  });

  test("an instance that carries this request's token is adopted (an earlier attempt created it)", async () => {
    const event = createEvent();
    proton.on(GetServiceInstanceCommand).resolves({ serviceInstance: instance({ lastClientRequestToken: clientTokenFor('CreateServiceInstance', event) }) });
    const result = await onEvent(event);
    expect(result.PhysicalResourceId).toBe(ARN);
    expect(result.ProtonState.creates).toBe(true);
    expect(result.ProtonState.pendingCreate).toBeUndefined();
  });

  test.each([
    ['carries another token', 'someone-else'],
    ['carries no token', undefined],
  ])('an existing instance that %s fails, naming it and the way out, and adopts nothing', async (_, token) => {
    proton.on(GetServiceInstanceCommand).resolves({ serviceInstance: succeeded({ lastClientRequestToken: token }) });
    await expect(onEvent(createEvent())).rejects.toThrow(
      "A Proton service instance 'prod' of service 'frontend' already exists and this stack did not create it (ConflictException: Resource is busy). " +
        'Choose another serviceInstanceName, or use the existing instance with ServiceInstance.fromServiceInstanceAttributes instead of creating it.',
    );
  });

  test.each([
    ['does not exist', () => proton.on(GetServiceInstanceCommand).rejects(SEED_ERRORS.ResourceNotFoundException())],
    ['reads DELETE_COMPLETE', () => proton.on(GetServiceInstanceCommand).resolves({ serviceInstance: instance({ deploymentStatus: 'DELETE_COMPLETE' }) })],
  ])('an instance that %s means a busy service: the create is left pending with its token in the physical id', async (_, given) => {
    given();
    stackIs('CREATE_IN_PROGRESS');
    const event = createEvent();
    const result = await onEvent(event);
    const token = clientTokenFor('CreateServiceInstance', event);
    expect(result.PhysicalResourceId).toBe(`cdk-proton:pending-create:frontend/prod:${token}`);
    expect(result.ProtonState).toEqual({ deadline: T0 + 600_000, token, creates: true, pendingCreate: true, phase: 'CREATE_IN_PROGRESS' });
    expect(describeStacksCalls()).toBe(1);
  });

  test('a busy service while the stack status cannot be read: pending, without a recorded phase', async () => {
    proton.on(GetServiceInstanceCommand).rejects(SEED_ERRORS.ResourceNotFoundException());
    stackIs(describeStacksDenied());
    const result = await onEvent(createEvent());
    expect(result.PhysicalResourceId).toMatch(PENDING);
    expect(result.ProtonState.phase).toBeUndefined();
    expect(handlerLogs()).toContainEqual(expect.objectContaining({ level: 'WARN', message: expect.stringContaining('DescribeStacks'), error: 'AccessDenied' }));
  });

  test('the instance cannot be read: fails clearly', async () => {
    proton.on(GetServiceInstanceCommand).rejects(SEED_ERRORS.AccessDeniedException());
    await expect(onEvent(createEvent())).rejects.toThrow(/^Proton GetServiceInstance failed for service instance 'prod' of service 'frontend' \(AccessDeniedException/);
  });
});

describe('a pending create, sent again by isComplete', () => {
  let event: ReturnType<typeof createEvent>;
  let pending: IsCompleteRequest;
  let answer: OnEventResponse;
  let token: string;

  beforeEach(async () => {
    stackIs('CREATE_IN_PROGRESS');
    event = createEvent({ Tags: { team: 'web' } });
    proton.on(CreateServiceInstanceCommand).rejects(SEED_ERRORS.ConflictException());
    proton.on(GetServiceInstanceCommand).rejects(SEED_ERRORS.ResourceNotFoundException());
    answer = await onEvent(event);
    pending = waiterEvent(event, answer);
    token = answer.ProtonState.token!;
    proton.resetHistory();
  });

  test('each poll sends the same create (same input, same token) until the service takes it', async () => {
    await expect(isComplete(pending)).resolves.toEqual({ IsComplete: false });
    await expect(isComplete(pending)).resolves.toEqual({ IsComplete: false });
    const calls = proton.commandCalls(CreateServiceInstanceCommand).map((c) => c.args[0].input);
    expect(calls).toHaveLength(2);
    for (const input of calls) {
      expect(input).toEqual({ serviceName: 'frontend', name: 'prod', spec: SPEC, templateMajorVersion: '1', templateMinorVersion: undefined, tags: [{ key: 'team', value: 'web' }], clientToken: token });
    }
  });

  test('once accepted, the deployment is watched and the completing poll answers the ARN as the physical id', async () => {
    proton.on(CreateServiceInstanceCommand).resolves({ serviceInstance: instance({ lastClientRequestToken: token }) });
    await expect(isComplete(pending)).resolves.toEqual({ IsComplete: false });
    proton.on(GetServiceInstanceCommand).resolves({ serviceInstance: instance({ lastClientRequestToken: token }) });
    await expect(isComplete(pending)).resolves.toEqual({ IsComplete: false });
    proton.on(GetServiceInstanceCommand).resolves({ serviceInstance: succeeded({ lastClientRequestToken: token }) });
    const done = await isComplete(pending);
    expect(pending.PhysicalResourceId).toMatch(PENDING);
    expect(done).toMatchObject({ IsComplete: true, PhysicalResourceId: ARN, Data: { Arn: ARN, LastClientRequestToken: token } });
    expect(proton).toHaveReceivedCommandTimes(CreateServiceInstanceCommand, 1);
  });

  test('a deployment of ours that fails fails with Proton\'s message first', async () => {
    proton.on(GetServiceInstanceCommand).resolves({ serviceInstance: instance({ lastClientRequestToken: token, deploymentStatus: 'FAILED', deploymentStatusMessage: 'image not found' }) });
    await expect(isComplete(pending)).rejects.toThrow(/^image not found \(the Proton deployment of service instance 'prod' of service 'frontend' ended FAILED/);
  });

  test.each(['ConflictException', 'ThrottlingException', 'InternalServerException'] as const)('%s on the resend: ask again at the next poll', async (name) => {
    proton.on(CreateServiceInstanceCommand).rejects(SEED_ERRORS[name]());
    await expect(isComplete(pending)).resolves.toEqual({ IsComplete: false });
    await expect(isComplete(pending)).resolves.toEqual({ IsComplete: false });
    expect(proton).toHaveReceivedCommandTimes(CreateServiceInstanceCommand, 2);
  });

  test('at the deadline it fails saying what it waited for and what Proton said last', async () => {
    clockAt(pending.ProtonState.deadline - 1);
    await expect(isComplete(pending)).resolves.toEqual({ IsComplete: false });
    expect(proton).toHaveReceivedCommandTimes(CreateServiceInstanceCommand, 1);
    clockAt(pending.ProtonState.deadline);
    await expect(isComplete(pending)).rejects.toThrow(
      /^Timed out after 10 minute\(s\) waiting for Proton to accept the creation of the service instance 'prod' of service 'frontend' \(its service stayed busy\)\. The last error was ConflictException: Resource is busy\. /,
    );
    expect(proton).toHaveReceivedCommandTimes(CreateServiceInstanceCommand, 2);
  });

  test.each(['ValidationException', 'AccessDeniedException', 'ResourceNotFoundException'] as const)('%s on the resend fails at once', async (name) => {
    proton.on(CreateServiceInstanceCommand).rejects(SEED_ERRORS[name]());
    await expect(isComplete(pending)).rejects.toThrow(new RegExp(`^Proton CreateServiceInstance failed for service instance 'prod' of service 'frontend' \\(${name}`));
  });

  test('someone else created the instance meanwhile: fails, and the instance is not taken', async () => {
    proton.on(GetServiceInstanceCommand).resolves({ serviceInstance: succeeded({ lastClientRequestToken: 'someone-else' }) });
    await expect(isComplete(pending)).rejects.toThrow(
      "A Proton service instance 'prod' of service 'frontend' already exists and it was created by someone else while this stack waited for the service. ",
    );
    expect(proton).not.toHaveReceivedCommand(CreateServiceInstanceCommand);
  });

  test('an instance that reads DELETE_COMPLETE is gone: the create is sent again', async () => {
    proton.on(GetServiceInstanceCommand).resolves({ serviceInstance: instance({ deploymentStatus: 'DELETE_COMPLETE', lastClientRequestToken: 'someone-else' }) });
    await expect(isComplete(pending)).resolves.toEqual({ IsComplete: false });
    expect(proton).toHaveReceivedCommandWith(CreateServiceInstanceCommand, { clientToken: token });
  });

  test('the resend asks for the stack status, and sends while the stack is where it was', async () => {
    await isComplete(pending);
    expect(describeStacksCalls()).toBe(2);
    expect(proton).toHaveReceivedCommandTimes(CreateServiceInstanceCommand, 1);
  });

  test.each(['ROLLBACK_IN_PROGRESS', 'CREATE_COMPLETE', 'DELETE_IN_PROGRESS'] as const)('a stack that moved on to %s: fails, saying the operation ended, and creates nothing', async (status) => {
    stackIs(status);
    await expect(isComplete(pending)).rejects.toThrow(
      `The stack is ${status}: the operation this request belongs to has ended, so the Proton service instance 'prod' of service 'frontend' is not created.`,
    );
    expect(proton).not.toHaveReceivedCommand(CreateServiceInstanceCommand);
  });

  test('a stack status that cannot be read is decided without: the create is sent', async () => {
    stackIs(describeStacksDenied());
    await expect(isComplete(pending)).resolves.toEqual({ IsComplete: false });
    expect(proton).toHaveReceivedCommandTimes(CreateServiceInstanceCommand, 1);
    expect(handlerLogs()).toContainEqual(expect.objectContaining({ level: 'WARN', message: expect.stringContaining('DescribeStacks') }));
  });

  test.each(TRANSIENT_ERRORS)('the instance read failing with %s: ask again later, sending nothing', async (_, error) => {
    proton.on(GetServiceInstanceCommand).rejects(error());
    await expect(isComplete(pending)).resolves.toEqual({ IsComplete: false });
    expect(proton).not.toHaveReceivedCommand(CreateServiceInstanceCommand);
  });
});

describe('Create failing', () => {
  test.each([
    ['ValidationException', /^Proton CreateServiceInstance failed for service instance 'prod' of service 'frontend' \(ValidationException: spec is invalid at line 3\)\. Proton rejected the request/],
    ['AccessDeniedException', /\(AccessDeniedException: User is not authorized\)\. The handler role needs proton:CreateServiceInstance\..*support ended on 2026-10-07/],
    ['ThrottlingException', /\(ThrottlingException: Rate exceeded\)\. Proton kept failing after retries; deploy again later/],
    ['ResourceNotFoundException', /\(ResourceNotFoundException: Service not found\)\. Check that the Proton service exists/],
    ['InternalServerException', /\(InternalServerException: Internal error\)\. Proton kept failing after retries/],
  ] as const)('%s at create fails with a message that says what to do', async (name, message) => {
    proton.on(CreateServiceInstanceCommand).rejects(SEED_ERRORS[name]());
    await expect(onEvent(createEvent())).rejects.toThrow(message);
  });

  test('a network failure with an unknown host says the endpoint is gone', async () => {
    const err = Object.assign(new Error('getaddrinfo ENOTFOUND proton.us-east-1.amazonaws.com'), { code: 'ENOTFOUND' });
    proton.on(CreateServiceInstanceCommand).rejects(err);
    await expect(onEvent(createEvent())).rejects.toThrow(/endpoint does not resolve in this region; AWS Proton support ended on 2026-10-07/);
  });

  test('a missing required property is reported by name, before any call', async () => {
    await expect(onEvent(createEvent({ Spec: '' }))).rejects.toThrow(/the resource property Spec is missing/);
    expect(proton.calls()).toHaveLength(0);
    expect(describeStacksCalls()).toBe(0);
  });

  test('the spec is never logged, and every log line is one JSON object', async () => {
    proton.on(CreateServiceInstanceCommand).resolves({ serviceInstance: instance({ spec: 'environment: prod-env\nsecret: hunter2\n' }) });
    await onEvent(createEvent({ Spec: 'environment: prod-env\nsecret: hunter2\n' }));
    const lines = (console.log as jest.Mock).mock.calls.map((c: unknown[]) => String(c[0]));
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.join('\n')).not.toContain('hunter2');
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
  });

  test('an answer without an ARN keeps the event\'s physical id', async () => {
    proton.on(GetServiceInstanceCommand).resolves({ serviceInstance: succeeded({ arn: undefined }) });
    const result = await isComplete(completeEvent(createEvent(), { creates: true }));
    expect(result).toMatchObject({ IsComplete: true, PhysicalResourceId: ARN, Data: { Arn: '' } });
  });
});
