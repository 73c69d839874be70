import {
  CreateServiceInstanceCommand,
  GetServiceCommand,
  GetServiceInstanceCommand,
  ServiceInstance,
  UpdateServiceCommand,
  UpdateServiceInstanceCommand,
  TagResourceCommand,
} from '@aws-sdk/client-proton';
import { parse } from 'yaml';
import { ARN, arnOf, completeEvent, createEvent, instance, LOGICAL_ID, NEW_SPEC, service, SPEC, STACK_ID, stackIdOf, succeeded, updateEvent, waiterEvent } from './events';
import { clockAt, cloudFormation, describedStacks, describeStacksCalls, handlerLogs, proton, resetMocks, stackIs, T0 } from './mocks';
import { DESCRIBE_STACKS_TRANSIENT, describeStacksDenied, SEED_ERRORS, TRANSIENT_ERRORS } from './seed-errors';
import { isComplete, onEvent } from '../../lambda';
import { clientTokenFor, fromThisResource, resourceTokenPrefix } from '../../lambda/lifecycle/client-token';
import { IsCompleteRequest, OnEventResponse } from '../../lambda/lifecycle/types';

beforeEach(resetMocks);

/** A pending create's physical id: the instance, the create's token, and when the create began (epoch ms). */
const PENDING = /^cdk-proton:pending-create:frontend\/prod:([0-9a-f]{64}):(\d+)$/;
const createdTokens = () => proton.commandCalls(CreateServiceInstanceCommand).map((c) => c.args[0].input.clientToken);
const updatesSent = () => proton.commandCalls(UpdateServiceInstanceCommand).map((c) => c.args[0].input);
const removals = () => proton.commandCalls(UpdateServiceCommand).map((c) => c.args[0].input);
const remainingIn = (spec: string | undefined) => (parse(spec ?? '').instances as Array<{ name: string }>).map((i) => i.name);
const reads = (serviceInstance: ServiceInstance) => proton.on(GetServiceInstanceCommand).resolves({ serviceInstance });
const ATTEMPTED = Date.parse('2026-11-27T10:00:00Z');

describe('Create', () => {
  test('creates the instance and answers its ARN as the physical id at once', async () => {
    stackIs('CREATE_IN_PROGRESS');
    proton.on(CreateServiceInstanceCommand).resolves({ serviceInstance: instance() });
    const event = createEvent({ Tags: { team: 'web' }, TemplateMinorVersion: '2' });
    const result = await onEvent(event);
    expect(result.PhysicalResourceId).toBe(ARN);
    expect(result.ProtonState).toEqual({ deadline: T0 + 600_000, token: clientTokenFor('CreateServiceInstance', event), creates: true, phase: 'CREATE_IN_PROGRESS' });
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

  test('every create asks for the stack status once, by the event\'s StackId, and records it as the phase', async () => {
    stackIs('CREATE_IN_PROGRESS');
    proton.on(CreateServiceInstanceCommand).resolves({ serviceInstance: instance() });
    const answer = await onEvent(createEvent());
    expect(describedStacks()).toEqual([STACK_ID]);
    expect(answer.ProtonState.phase).toBe('CREATE_IN_PROGRESS');
  });

  test.each(DESCRIBE_STACKS_TRANSIENT)('a stack status that cannot be read for now (%s): the create goes ahead without a phase, with a warning', async (_, error) => {
    stackIs(error());
    proton.on(CreateServiceInstanceCommand).resolves({ serviceInstance: instance() });
    const answer = await onEvent(createEvent());
    expect(answer.PhysicalResourceId).toBe(ARN);
    expect(answer.ProtonState.phase).toBeUndefined();
    expect(proton).toHaveReceivedCommandTimes(CreateServiceInstanceCommand, 1);
    expect(describeStacksCalls()).toBe(1);
    expect(handlerLogs()).toContainEqual({
      level: 'WARN', message: 'DescribeStacks on the own stack failed; deciding without the stack status for now', error: error().name,
    });
  });

  test('DescribeStacks refused (AccessDenied): the create fails naming the permission and the stack, and nothing is created', async () => {
    stackIs(describeStacksDenied());
    proton.on(CreateServiceInstanceCommand).resolves({ serviceInstance: instance() });
    await expect(onEvent(createEvent())).rejects.toThrow(
      'CloudFormation DescribeStacks failed for its own stack (AccessDenied: User is not authorized to perform: cloudformation:DescribeStacks). ' +
        `The handler role needs cloudformation:DescribeStacks on ${STACK_ID}.`,
    );
    expect(proton.calls()).toHaveLength(0);
  });

  test('isComplete waits for the first deployment, then completes with the ARN and the attributes', async () => {
    stackIs('CREATE_IN_PROGRESS');
    proton.on(CreateServiceInstanceCommand).resolves({ serviceInstance: instance() });
    const event = createEvent();
    const waiting = waiterEvent(event, await onEvent(event));
    proton.on(GetServiceInstanceCommand).resolves({ serviceInstance: instance({ lastClientRequestToken: waiting.ProtonState.token }) });
    await expect(isComplete(waiting)).resolves.toEqual({ IsComplete: false });
    // A deployment still running does not ask for the stack status.
    expect(describeStacksCalls()).toBe(1);
    proton.on(GetServiceInstanceCommand).resolves({ serviceInstance: succeeded({ lastClientRequestToken: waiting.ProtonState.token }) });
    await expect(isComplete(waiting)).resolves.toMatchObject({ IsComplete: true, PhysicalResourceId: ARN, Data: { Arn: ARN, DeploymentStatus: 'SUCCEEDED' } });
    expect(proton).toHaveReceivedCommandTimes(CreateServiceInstanceCommand, 1);
    // The completing poll asked once whether the stack is still where the create began.
    expect(describeStacksCalls()).toBe(2);
    expect(proton).not.toHaveReceivedCommand(UpdateServiceCommand);
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

  test('has two halves: 24 hex characters that name the resource, then 40 that name the request', () => {
    const base = { StackId: STACK_ID, LogicalResourceId: LOGICAL_ID, RequestId: 'req-1' };
    const prefix = resourceTokenPrefix(base);
    expect(prefix).toMatch(/^[0-9a-f]{24}$/);
    const tokens = [
      clientTokenFor('CreateServiceInstance', base),
      clientTokenFor('UpdateServiceInstance', base),
      clientTokenFor('CreateServiceInstance', { ...base, RequestId: 'req-2' }),
      clientTokenFor('UpdateServiceInstance', { ...base, RequestId: 'req-3' }),
    ];
    for (const token of tokens) {
      expect(token).toMatch(/^[0-9a-f]{64}$/);
      expect(token.slice(0, 24)).toBe(prefix);
    }
    expect(new Set(tokens.map((t) => t.slice(24))).size).toBe(tokens.length);
  });

  test('the resource half depends on the stack, the logical id and the seed, never on the request', () => {
    const base = { StackId: STACK_ID, LogicalResourceId: LOGICAL_ID };
    const prefix = resourceTokenPrefix(base);
    expect(resourceTokenPrefix({ ...base, RequestId: 'req-9' } as typeof base)).toBe(prefix);
    const others = [
      resourceTokenPrefix({ ...base, StackId: stackIdOf('Other') }),
      resourceTokenPrefix({ ...base, LogicalResourceId: 'Staging' }),
      resourceTokenPrefix(base, 'my-seed'),
    ];
    expect(new Set([prefix, ...others]).size).toBe(4);
  });

  test('fromThisResource: a token of any request of this resource, and nothing else', () => {
    const base = { StackId: STACK_ID, LogicalResourceId: LOGICAL_ID };
    const ofRequest = (requestId: string, operation = 'UpdateServiceInstance', seed?: string) => clientTokenFor(operation, { ...base, RequestId: requestId }, seed);
    expect(fromThisResource(ofRequest('req-old'), base)).toBe(true);
    expect(fromThisResource(ofRequest('req-old', 'CreateServiceInstance'), base)).toBe(true);
    expect(fromThisResource(ofRequest('req-old', 'UpdateServiceInstance', 'seed'), base, 'seed')).toBe(true);
    // Another resource, another stack, another seed, someone else, no token at all.
    expect(fromThisResource(clientTokenFor('UpdateServiceInstance', { ...base, LogicalResourceId: 'Staging', RequestId: 'req-old' }), base)).toBe(false);
    expect(fromThisResource(clientTokenFor('UpdateServiceInstance', { ...base, StackId: stackIdOf('Other'), RequestId: 'req-old' }), base)).toBe(false);
    expect(fromThisResource(ofRequest('req-old', 'UpdateServiceInstance', 'seed'), base)).toBe(false);
    expect(fromThisResource(ofRequest('req-old'), base, 'seed')).toBe(false);
    expect(fromThisResource('someone-else', base)).toBe(false);
    expect(fromThisResource(undefined, base)).toBe(false);
    // The resource half counts only at the start.
    expect(fromThisResource(`0${resourceTokenPrefix(base)}${'0'.repeat(39)}`, base)).toBe(false);
  });

  test('a replacement created by an Update carries a create token of that Update request', async () => {
    // The replacement's name is free.
    proton.on(GetServiceInstanceCommand).rejects(SEED_ERRORS.ResourceNotFoundException());
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
    const token = clientTokenFor('CreateServiceInstance', event);
    proton.on(GetServiceInstanceCommand).resolves({ serviceInstance: instance({ lastClientRequestToken: token }) });
    const result = await onEvent(event);
    expect(result.PhysicalResourceId).toBe(ARN);
    // Watched as this request's own create.
    expect(result.ProtonState).toEqual({ deadline: T0 + 600_000, token, phase: 'UPDATE_IN_PROGRESS', creates: true });
  });

  describe('an instance this resource last deployed, by another of its requests', () => {
    const event = createEvent({ Spec: NEW_SPEC }, 'req-create-2');
    const earlier = clientTokenFor('UpdateServiceInstance', createEvent({}, 'req-older'));
    let token: string;
    beforeEach(() => {
      token = clientTokenFor('UpdateServiceInstance', event);
      proton.on(UpdateServiceInstanceCommand).resolves({ serviceInstance: instance() });
      reads(succeeded({ lastClientRequestToken: earlier }));
    });

    test('is adopted with a reconcile state: nothing created or sent from onEvent', async () => {
      const answer = await onEvent(event);
      expect(answer).toEqual({
        PhysicalResourceId: ARN,
        ProtonState: { deadline: T0 + 600_000, phase: 'UPDATE_IN_PROGRESS', token, baseline: { deploymentId: 'dep-1', attemptedAt: ATTEMPTED } },
      });
      expect(proton).toHaveReceivedCommandTimes(CreateServiceInstanceCommand, 1);
      expect(updatesSent()).toHaveLength(0);
      expect(handlerLogs()).toContainEqual(expect.objectContaining({ level: 'INFO', message: expect.stringContaining('this resource deployed before'), arn: ARN }));
    });

    test('isComplete brings it to the template\'s state as an in-place update would: the new spec, once, with an UpdateServiceInstance token', async () => {
      const poll = waiterEvent(event, await onEvent(event));
      await expect(isComplete(poll)).resolves.toEqual({ IsComplete: false });
      expect(updatesSent()).toEqual([{ serviceName: 'frontend', name: 'prod', deploymentType: 'CURRENT_VERSION', spec: NEW_SPEC, clientToken: token }]);
      expect(token).not.toBe(clientTokenFor('CreateServiceInstance', event));
      reads(instance({ spec: NEW_SPEC, lastAttemptedDeploymentId: 'dep-2', lastClientRequestToken: token }));
      await expect(isComplete(poll)).resolves.toEqual({ IsComplete: false });
      reads(succeeded({ spec: NEW_SPEC, lastAttemptedDeploymentId: 'dep-2', lastClientRequestToken: token }));
      await expect(isComplete(poll)).resolves.toMatchObject({ IsComplete: true, PhysicalResourceId: ARN, Data: { LastAttemptedDeploymentId: 'dep-2' } });
      expect(updatesSent()).toHaveLength(1);
      expect(proton).toHaveReceivedCommandTimes(CreateServiceInstanceCommand, 1);
    });

    test('the template\'s tags are set on the adopted instance, which its old properties never described', async () => {
      const tagged = createEvent({ Spec: NEW_SPEC, Tags: { team: 'web' } }, 'req-create-2');
      const answer = await onEvent(tagged);
      expect(answer.ProtonState.pendingTags).toEqual({ set: { team: 'web' }, remove: [] });
      await expect(isComplete(waiterEvent(tagged, answer))).resolves.toEqual({ IsComplete: false });
      expect(proton).toHaveReceivedCommandWith(TagResourceCommand, { resourceArn: ARN, tags: [{ key: 'team', value: 'web' }] });
    });

    test('already as the template says: completes without a deployment', async () => {
      const same = createEvent({}, 'req-create-2');
      const poll = waiterEvent(same, await onEvent(same));
      await expect(isComplete(poll)).resolves.toMatchObject({ IsComplete: true, PhysicalResourceId: ARN, Data: { LastClientRequestToken: earlier } });
      expect(updatesSent()).toHaveLength(0);
    });

    test('a deployment of this resource\'s still running is waited for, not judged as this request\'s', async () => {
      reads(instance({ lastClientRequestToken: earlier, deploymentStatus: 'IN_PROGRESS' }));
      const poll = waiterEvent(event, await onEvent(event));
      reads(instance({ lastClientRequestToken: earlier, deploymentStatus: 'FAILED', deploymentStatusMessage: 'an earlier failure' }));
      // Not this request's failure: the template's spec is sent.
      await expect(isComplete(poll)).resolves.toEqual({ IsComplete: false });
      expect(updatesSent()).toEqual([expect.objectContaining({ spec: NEW_SPEC, clientToken: token })]);
    });
  });

  test.each([
    ['another resource of this stack', () => clientTokenFor('UpdateServiceInstance', { StackId: STACK_ID, LogicalResourceId: 'Staging', RequestId: 'req-older' })],
    ['the same logical id in another stack', () => clientTokenFor('UpdateServiceInstance', { StackId: stackIdOf('Test'), LogicalResourceId: LOGICAL_ID, RequestId: 'req-older' })],
  ])('an existing instance last deployed by %s fails, and adopts nothing', async (_, tokenOf) => {
    reads(succeeded({ lastClientRequestToken: tokenOf() }));
    await expect(onEvent(createEvent())).rejects.toThrow(/^A Proton service instance 'prod' of service 'frontend' already exists and this stack did not create it \(ConflictException/);
    expect(updatesSent()).toHaveLength(0);
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
    expect(result.PhysicalResourceId).toBe(`cdk-proton:pending-create:frontend/prod:${token}:${T0}`);
    expect(result.ProtonState).toEqual({ deadline: T0 + 600_000, token, creates: true, pendingCreate: true, phase: 'CREATE_IN_PROGRESS', startedAt: T0 });
    expect(describeStacksCalls()).toBe(1);
  });

  test('a busy service while the stack status cannot be read for now (throttled): pending, without a recorded phase', async () => {
    proton.on(GetServiceInstanceCommand).rejects(SEED_ERRORS.ResourceNotFoundException());
    stackIs(DESCRIBE_STACKS_TRANSIENT[0][1]());
    const result = await onEvent(createEvent());
    expect(result.PhysicalResourceId).toMatch(PENDING);
    expect(result.ProtonState.pendingCreate).toBe(true);
    expect(result.ProtonState.phase).toBeUndefined();
    expect(describeStacksCalls()).toBe(1);
    expect(handlerLogs()).toContainEqual(expect.objectContaining({ level: 'WARN', message: expect.stringContaining('DescribeStacks'), error: 'Throttling' }));
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
    expect(pending.PhysicalResourceId).toBe(`cdk-proton:pending-create:frontend/prod:${token}:${T0}`);
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

  test.each([
    ['at the moment the create began', 0],
    ['after it', 60_000],
  ])('an instance whose answer records no token, created %s, is this create\'s: judged, and completes with its ARN', async (_, offset) => {
    expect(answer.ProtonState.startedAt).toBe(T0);
    reads(succeeded({ lastClientRequestToken: undefined, createdAt: new Date(T0 + offset) }));
    await expect(isComplete(pending)).resolves.toMatchObject({ IsComplete: true, PhysicalResourceId: ARN });
    expect(proton).not.toHaveReceivedCommand(CreateServiceInstanceCommand);
  });

  test.each([
    ['before the create began', new Date(T0 - 1)],
    ['at an unknown time', undefined],
  ])('an instance whose answer records no token, created %s, is someone else\'s: fails, and it is not taken', async (_, createdAt) => {
    reads(succeeded({ lastClientRequestToken: undefined, createdAt }));
    await expect(isComplete(pending)).rejects.toThrow(/already exists and it was created by someone else while this stack waited for the service/);
    expect(proton).not.toHaveReceivedCommand(CreateServiceInstanceCommand);
    expect(proton).not.toHaveReceivedCommand(UpdateServiceCommand);
  });

  test('a pending create that began earlier (startedAt in its state) judges by that moment, not by the poll\'s', async () => {
    clockAt(T0 + 3_600_000);
    reads(succeeded({ lastClientRequestToken: undefined, createdAt: new Date(T0 + 1_000) }));
    await expect(isComplete(pending)).resolves.toMatchObject({ IsComplete: true, PhysicalResourceId: ARN });
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

describe('a create whose stack operation has ended (CloudFormation stopped waiting) removes its instance itself', () => {
  let event: ReturnType<typeof createEvent>;
  let poll: IsCompleteRequest;
  let token: string;
  const withdrawal = (stackStatus: string) => ({
    level: 'WARN',
    message: 'the stack operation this create belongs to has ended; removing the instance it created',
    serviceName: 'frontend',
    serviceInstanceName: 'prod',
    stackStatus,
  });

  beforeEach(async () => {
    stackIs('CREATE_IN_PROGRESS');
    proton.on(CreateServiceInstanceCommand).resolves({ serviceInstance: instance() });
    proton.on(GetServiceCommand).resolves({ service: service() });
    proton.on(UpdateServiceCommand).resolves({ service: service({ status: 'UPDATE_IN_PROGRESS' }) });
    event = createEvent();
    poll = waiterEvent(event, await onEvent(event));
    token = poll.ProtonState.token!;
    expect(poll.ProtonState.phase).toBe('CREATE_IN_PROGRESS');
  });

  test.each([
    ['SUCCEEDED', () => succeeded({ lastClientRequestToken: token })],
    ['FAILED', () => instance({ deploymentStatus: 'FAILED', deploymentStatusMessage: 'image not found', lastClientRequestToken: token })],
    ['CANCELLED', () => instance({ deploymentStatus: 'CANCELLED', lastClientRequestToken: token })],
  ])('its deployment ended %s after the stack moved on: GetService, then UpdateService without the instance; not complete', async (_, answer) => {
    stackIs('ROLLBACK_IN_PROGRESS');
    reads(answer());
    await expect(isComplete(poll)).resolves.toEqual({ IsComplete: false });
    expect(proton).toHaveReceivedCommandWith(GetServiceCommand, { name: 'frontend' });
    expect(removals()).toHaveLength(1);
    expect(removals()[0].name).toBe('frontend');
    expect(remainingIn(removals()[0].spec)).toEqual(['staging']);
    expect(handlerLogs()).toContainEqual(withdrawal('ROLLBACK_IN_PROGRESS'));
    expect(JSON.stringify(handlerLogs())).not.toContain('image not found');
    expect(describeStacksCalls()).toBe(2);
  });

  test('once the instance is gone, the waiter ends saying the stack operation ended and the instance is removed', async () => {
    stackIs('ROLLBACK_IN_PROGRESS');
    proton.on(GetServiceInstanceCommand).rejects(SEED_ERRORS.ResourceNotFoundException());
    await expect(isComplete(poll)).rejects.toThrow(
      "The stack is ROLLBACK_IN_PROGRESS: the operation this create belonged to ended, and the Proton service instance 'prod' of service 'frontend' it created is removed.",
    );
  });

  test('the removal meets a busy service: sent at a later poll, while the instance is not yet gone', async () => {
    stackIs('ROLLBACK_IN_PROGRESS');
    reads(succeeded({ lastClientRequestToken: token }));
    proton.on(GetServiceCommand).resolves({ service: service({ status: 'UPDATE_IN_PROGRESS' }) });
    await expect(isComplete(poll)).resolves.toEqual({ IsComplete: false });
    expect(removals()).toHaveLength(0);
    proton.on(GetServiceCommand).resolves({ service: service() });
    await expect(isComplete(poll)).resolves.toEqual({ IsComplete: false });
    expect(removals()).toHaveLength(1);
    // Proton starts removing it: the waiter waits, sending nothing more.
    reads(instance({ deploymentStatus: 'DELETE_IN_PROGRESS', lastClientRequestToken: token }));
    await expect(isComplete(poll)).resolves.toEqual({ IsComplete: false });
    expect(removals()).toHaveLength(1);
  });

  test('while its deployment runs nothing is removed, and the stack is not asked', async () => {
    stackIs('ROLLBACK_IN_PROGRESS');
    reads(instance({ lastClientRequestToken: token }));
    await expect(isComplete(poll)).resolves.toEqual({ IsComplete: false });
    expect(describeStacksCalls()).toBe(1);
    expect(proton).not.toHaveReceivedCommand(GetServiceCommand);
    expect(proton).not.toHaveReceivedCommand(UpdateServiceCommand);
  });

  test('the stack still in its phase: a failed deployment fails as before, with Proton\'s message, and nothing is removed', async () => {
    reads(instance({ deploymentStatus: 'FAILED', deploymentStatusMessage: 'image not found', lastClientRequestToken: token }));
    await expect(isComplete(poll)).rejects.toThrow(/^image not found \(the Proton deployment/);
    expect(describeStacksCalls()).toBe(2);
    expect(proton).not.toHaveReceivedCommand(UpdateServiceCommand);
  });

  test('an instance someone else deployed since is not this create\'s: never removed', async () => {
    stackIs('ROLLBACK_IN_PROGRESS');
    reads(succeeded({ lastClientRequestToken: 'someone-else' }));
    await isComplete(poll);
    expect(proton).not.toHaveReceivedCommand(GetServiceCommand);
    expect(proton).not.toHaveReceivedCommand(UpdateServiceCommand);
    expect(handlerLogs()).not.toContainEqual(expect.objectContaining({ message: withdrawal('ROLLBACK_IN_PROGRESS').message }));
  });

  test('a stack status that cannot be read at the end: taken as still running, the create completes', async () => {
    stackIs(DESCRIBE_STACKS_TRANSIENT[0][1]());
    reads(succeeded({ lastClientRequestToken: token }));
    await expect(isComplete(poll)).resolves.toMatchObject({ IsComplete: true, PhysicalResourceId: ARN });
    expect(proton).not.toHaveReceivedCommand(UpdateServiceCommand);
    expect(handlerLogs()).toContainEqual(expect.objectContaining({ level: 'WARN', message: 'DescribeStacks failed; taking the stack operation as still running' }));
  });

  test('a create whose phase was unknown at onEvent has nothing to compare: completes, without asking', async () => {
    stackIs(DESCRIBE_STACKS_TRANSIENT[0][1]());
    const unknown = waiterEvent(event, await onEvent(event));
    expect(unknown.ProtonState.phase).toBeUndefined();
    stackIs('ROLLBACK_IN_PROGRESS');
    cloudFormation.resetHistory();
    reads(succeeded({ lastClientRequestToken: token }));
    await expect(isComplete(unknown)).resolves.toMatchObject({ IsComplete: true, PhysicalResourceId: ARN });
    expect(describeStacksCalls()).toBe(0);
    expect(proton).not.toHaveReceivedCommand(UpdateServiceCommand);
  });

  test('a create that had to wait for a busy service, sent later, is removed the same way', async () => {
    proton.on(CreateServiceInstanceCommand).rejects(SEED_ERRORS.ConflictException());
    proton.on(GetServiceInstanceCommand).rejects(SEED_ERRORS.ResourceNotFoundException());
    const pending = waiterEvent(event, await onEvent(event));
    expect(pending.ProtonState.pendingCreate).toBe(true);
    stackIs('ROLLBACK_IN_PROGRESS');
    reads(succeeded({ lastClientRequestToken: token }));
    await expect(isComplete(pending)).resolves.toEqual({ IsComplete: false });
    expect(remainingIn(removals()[0].spec)).toEqual(['staging']);
    expect(handlerLogs()).toContainEqual(withdrawal('ROLLBACK_IN_PROGRESS'));
  });

  test('a replacement created by an Update whose stack moved on (UPDATE_IN_PROGRESS to UPDATE_ROLLBACK_IN_PROGRESS) is removed too', async () => {
    stackIs('UPDATE_IN_PROGRESS');
    proton.on(GetServiceInstanceCommand).rejects(SEED_ERRORS.ResourceNotFoundException());
    const update = updateEvent({}, { ServiceInstanceName: 'old' }, 'req-update-1', arnOf('old'));
    const replacing = waiterEvent(update, await onEvent(update));
    expect(replacing.ProtonState).toMatchObject({ creates: true, phase: 'UPDATE_IN_PROGRESS' });
    stackIs('UPDATE_ROLLBACK_IN_PROGRESS');
    reads(succeeded({ lastClientRequestToken: replacing.ProtonState.token }));
    await expect(isComplete(replacing)).resolves.toEqual({ IsComplete: false });
    expect(remainingIn(removals()[0].spec)).toEqual(['staging']);
    expect(handlerLogs()).toContainEqual(withdrawal('UPDATE_ROLLBACK_IN_PROGRESS'));
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

  test('a network failure with an unknown host says how to route to Proton, or that the endpoint may be gone', async () => {
    const err = Object.assign(new Error('getaddrinfo ENOTFOUND proton.us-east-1.amazonaws.com'), { code: 'ENOTFOUND' });
    proton.on(CreateServiceInstanceCommand).rejects(err);
    const failure = onEvent(createEvent());
    await expect(failure).rejects.toThrow(/NAT gateway or an interface VPC endpoint for com\.amazonaws\.\S+\.proton with private DNS enabled/);
    await expect(failure).rejects.toThrow(/the Proton endpoint may be gone from this region: AWS Proton support ended on 2026-10-07/);
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
