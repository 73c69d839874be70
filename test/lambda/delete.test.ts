import { GetServiceCommand, GetServiceInstanceCommand, ServiceInstance, UpdateServiceCommand } from '@aws-sdk/client-proton';
import { parse } from 'yaml';
import { ARN, completeEvent, deleteEvent, DeleteEvent, instance, service, SERVICE_SPEC, STACK_ID, stackIdOf, succeeded, waiterEvent } from './events';
import { clockAt, describedStacks, describeStacksCalls, handlerLogs, proton, resetMocks, StackAnswer, stackIs, stacksAre, T0 } from './mocks';
import { DESCRIBE_STACKS_TRANSIENT, describeStacksDenied, SEED_ERRORS, TRANSIENT_ERRORS } from './seed-errors';
import { isComplete, onEvent } from '../../lambda';
import { IsCompleteRequest } from '../../lambda/lifecycle/types';

const reads = (serviceInstance: ServiceInstance) => proton.on(GetServiceInstanceCommand).resolves({ serviceInstance });
const notFound = () => proton.on(GetServiceInstanceCommand).rejects(SEED_ERRORS.ResourceNotFoundException());
const removals = () => proton.commandCalls(UpdateServiceCommand).map((c) => c.args[0].input);
const remainingIn = (spec: string | undefined) => (parse(spec ?? '').instances as Array<{ name: string }>).map((i) => i.name);
const retain = (physicalId = ARN) => deleteEvent({ RemovalPolicy: 'Retain' }, physicalId);

beforeEach(() => {
  resetMocks();
  stackIs('DELETE_IN_PROGRESS');
  proton.on(GetServiceCommand).resolves({ service: service() });
  proton.on(UpdateServiceCommand).resolves({ service: service({ status: 'UPDATE_IN_PROGRESS' }) });
});

describe('Delete with DESTROY', () => {
  test('removes the instance through UpdateService, keeping the rest of the spec as written', async () => {
    reads(succeeded());
    const result = await onEvent(deleteEvent());
    expect(result).toEqual({ PhysicalResourceId: ARN, ProtonState: { deadline: T0 + 600_000 } });
    expect(removals()).toHaveLength(1);
    const spec = removals()[0].spec!;
    expect(remainingIn(spec)).toEqual(['staging']);
    expect(spec).toContain('# the pipeline stays as written');
    expect(spec).toContain('- name: staging   # keep this comment');
    expect(spec).toContain("port: '8080'");
    expect(spec).toContain('unit_test_command: "npm test"');
    expect(proton).toHaveReceivedCommandWith(UpdateServiceCommand, { name: 'frontend' });
  });

  test('does not ask for the stack status', async () => {
    reads(succeeded());
    await onEvent(deleteEvent());
    expect(describeStacksCalls()).toBe(0);
  });

  test('isComplete waits for DELETE_IN_PROGRESS, then for the service to be ACTIVE again', async () => {
    const event = completeEvent(deleteEvent());
    reads(instance({ deploymentStatus: 'DELETE_IN_PROGRESS' }));
    await expect(isComplete(event)).resolves.toEqual({ IsComplete: false });
    notFound();
    proton.on(GetServiceCommand).resolves({ service: service({ status: 'UPDATE_IN_PROGRESS' }) });
    await expect(isComplete(event)).resolves.toEqual({ IsComplete: false });
    proton.on(GetServiceCommand).resolves({ service: service({ status: 'ACTIVE' }) });
    await expect(isComplete(event)).resolves.toEqual({ IsComplete: true });
    expect(proton).not.toHaveReceivedCommand(UpdateServiceCommand);
  });

  test('an instance that reads DELETE_COMPLETE counts as gone', async () => {
    reads(instance({ deploymentStatus: 'DELETE_COMPLETE' }));
    await expect(isComplete(completeEvent(deleteEvent()))).resolves.toEqual({ IsComplete: true });
  });

  test.each([
    ['not found', notFound],
    ['DELETE_COMPLETE', () => reads(instance({ deploymentStatus: 'DELETE_COMPLETE' }))],
  ])('an instance already gone at Delete (%s) is done, without touching the service', async (_, given) => {
    given();
    const result = await onEvent(deleteEvent());
    expect(result.ProtonState.done).toBe(true);
    expect(proton).not.toHaveReceivedCommand(GetServiceCommand);
    await expect(isComplete(waiterEvent(deleteEvent(), result))).resolves.toEqual({ IsComplete: true });
  });

  test.each(['req-1234', 'AWSCDK::CustomResourceProviderFramework::MISSING_PHYSICAL_ID', 'cdk-proton:pending-create:no-token'])(
    'a physical id that names no instance (%s): done without any call',
    async (physicalId) => {
      const result = await onEvent(deleteEvent({}, physicalId));
      expect(result).toEqual({ PhysicalResourceId: physicalId, ProtonState: { deadline: T0 + 600_000, done: true } });
      await expect(isComplete(waiterEvent(deleteEvent({}, physicalId), result))).resolves.toEqual({ IsComplete: true });
      expect(proton.calls()).toHaveLength(0);
    },
  );

  test('the last instance of a service is refused with the ways out', async () => {
    reads(succeeded());
    proton.on(GetServiceCommand).resolves({ service: service({ spec: 'proton: ServiceSpec\ninstances:\n  - name: prod\n    environment: prod-env\n' }) });
    await expect(onEvent(deleteEvent())).rejects.toThrow(
      /it is the last instance of the service, and a Proton service keeps at least one\. Either delete the whole service \(DeleteService\).*removalPolicy RETAIN.*add another instance/,
    );
    expect(proton).not.toHaveReceivedCommand(UpdateServiceCommand);
  });

  test('an instance missing from the service spec is refused, not guessed at', async () => {
    reads(succeeded({ name: 'other' }));
    await expect(onEvent(deleteEvent({}, 'arn:aws:proton:us-east-1:123456789012:service/frontend/service-instance/other'))).rejects.toThrow(
      /the service's spec does not list it/,
    );
    expect(proton).not.toHaveReceivedCommand(UpdateServiceCommand);
  });

  test('a busy service defers the removal; the next poll sends it', async () => {
    reads(succeeded());
    proton.on(GetServiceCommand).resolves({ service: service({ status: 'UPDATE_IN_PROGRESS' }) });
    const result = await onEvent(deleteEvent());
    expect(proton).not.toHaveReceivedCommand(UpdateServiceCommand);
    proton.on(GetServiceCommand).resolves({ service: service() });
    await expect(isComplete(waiterEvent(deleteEvent(), result))).resolves.toEqual({ IsComplete: false });
    expect(proton).toHaveReceivedCommandTimes(UpdateServiceCommand, 1);
  });

  test.each(['ConflictException', 'ThrottlingException', 'InternalServerException'] as const)('%s from UpdateService is retried at the next poll', async (name) => {
    reads(succeeded());
    proton.on(UpdateServiceCommand).rejectsOnce(SEED_ERRORS[name]()).resolves({});
    const result = await onEvent(deleteEvent());
    await expect(isComplete(waiterEvent(deleteEvent(), result))).resolves.toEqual({ IsComplete: false });
    expect(proton).toHaveReceivedCommandTimes(UpdateServiceCommand, 2);
  });

  test('each attempt reads the service spec afresh, so a sibling removed meanwhile is not put back', async () => {
    reads(succeeded());
    const withCanary = `${SERVICE_SPEC}  - name: canary\n    environment: canary-env\n`;
    proton.on(GetServiceCommand).resolves({ service: service({ spec: withCanary }) });
    proton.on(UpdateServiceCommand).rejectsOnce(SEED_ERRORS.ConflictException()).resolves({});
    const result = await onEvent(deleteEvent());
    expect(remainingIn(removals()[0].spec)).toEqual(['staging', 'canary']);
    proton.on(GetServiceCommand).resolves({ service: service() });
    await isComplete(waiterEvent(deleteEvent(), result));
    expect(remainingIn(removals()[1].spec)).toEqual(['staging']);
  });

  test.each([
    ['ValidationException', /^Proton UpdateService failed for service 'frontend' \(ValidationException/],
    ['AccessDeniedException', /needs proton:UpdateService on arn:aws:proton:us-east-1:123456789012:service\/frontend\./],
    ['ResourceNotFoundException', /^Proton UpdateService failed .*ResourceNotFoundException/],
  ] as const)('%s from UpdateService fails the delete', async (name, message) => {
    reads(succeeded());
    proton.on(UpdateServiceCommand).rejects(SEED_ERRORS[name]());
    await expect(onEvent(deleteEvent())).rejects.toThrow(message);
  });

  test.each([
    ['ThrottlingException', 'undecided'],
    ['InternalServerException', 'undecided'],
    ['ResourceNotFoundException', 'done'],
    ['AccessDeniedException', /^Proton GetServiceInstance failed .*AccessDeniedException/],
    ['ValidationException', /^Proton GetServiceInstance failed .*ValidationException/],
    ['ConflictException', /^Proton GetServiceInstance failed .*ConflictException/],
  ] as const)('%s when reading the instance at Delete: %s', async (name, outcome) => {
    proton.on(GetServiceInstanceCommand).rejects(SEED_ERRORS[name]());
    if (outcome instanceof RegExp) {
      await expect(onEvent(deleteEvent())).rejects.toThrow(outcome);
      return;
    }
    const result = await onEvent(deleteEvent());
    expect(result.ProtonState).toEqual({ deadline: T0 + 600_000, [outcome]: true });
    expect(proton).not.toHaveReceivedCommand(UpdateServiceCommand);
  });

  test('a service that cannot be read for good fails naming GetService', async () => {
    reads(succeeded());
    proton.on(GetServiceCommand).rejects(SEED_ERRORS.AccessDeniedException());
    await expect(onEvent(deleteEvent())).rejects.toThrow(/^Proton GetService failed for service 'frontend' \(AccessDeniedException: User is not authorized\)\. The handler role needs proton:GetService\./);
  });

  test('DELETE_FAILED fails with Proton\'s message first', async () => {
    reads(instance({ deploymentStatus: 'DELETE_FAILED', deploymentStatusMessage: 'stack delete failed' }));
    await expect(isComplete(completeEvent(deleteEvent()))).rejects.toThrow(
      "stack delete failed (removing the Proton service instance 'prod' of service 'frontend' ended DELETE_FAILED; fix the cause in Proton, then delete again)",
    );
  });

  test('a service that ends UPDATE_FAILED fails the delete with its message', async () => {
    notFound();
    proton.on(GetServiceCommand).resolves({ service: service({ status: 'UPDATE_FAILED', statusMessage: 'pipeline broke' }) });
    await expect(isComplete(completeEvent(deleteEvent()))).rejects.toThrow(
      /^pipeline broke \(the Proton service instance 'prod' of service 'frontend' was removed, but its service ended UPDATE_FAILED/,
    );
  });

  test('a service that is gone, or being deleted, took the instance with it: done', async () => {
    notFound();
    proton.on(GetServiceCommand).rejects(SEED_ERRORS.ResourceNotFoundException());
    await expect(isComplete(completeEvent(deleteEvent()))).resolves.toEqual({ IsComplete: true });
    proton.on(GetServiceCommand).resolves({ service: service({ status: 'DELETE_IN_PROGRESS' }) });
    await expect(isComplete(completeEvent(deleteEvent()))).resolves.toEqual({ IsComplete: true });
  });

  test('an instance still deploying is waited for, not removed mid-deployment', async () => {
    reads(instance({ deploymentStatus: 'CANCELLING' }));
    const result = await onEvent(deleteEvent());
    await expect(isComplete(waiterEvent(deleteEvent(), result))).resolves.toEqual({ IsComplete: false });
    expect(proton).not.toHaveReceivedCommand(UpdateServiceCommand);
    reads(instance({ deploymentStatus: 'FAILED' }));
    await expect(isComplete(waiterEvent(deleteEvent(), result))).resolves.toEqual({ IsComplete: false });
    expect(proton).toHaveReceivedCommandTimes(UpdateServiceCommand, 1);
  });
});

describe('the delete waits end at the deadline, saying what they waited for', () => {
  let poll: IsCompleteRequest;
  beforeEach(() => {
    poll = completeEvent(deleteEvent(), { deadline: T0 + 600_000 });
  });
  const atDeadline = async () => {
    clockAt(T0 + 600_000 - 1);
    await expect(isComplete(poll)).resolves.toEqual({ IsComplete: false });
    clockAt(T0 + 600_000);
    return isComplete(poll);
  };

  test('an instance being removed', async () => {
    reads(instance({ deploymentStatus: 'DELETE_IN_PROGRESS' }));
    await expect(atDeadline()).rejects.toThrow(
      "Timed out after 10 minute(s) waiting for the Proton service instance 'prod' of service 'frontend', which is DELETE_IN_PROGRESS, to be removed. " +
        'Deploy again once Proton has finished, or raise the timeout of the ServiceInstance (at most 55 minutes).',
    );
  });

  test('a busy service', async () => {
    reads(succeeded());
    proton.on(GetServiceCommand).resolves({ service: service({ status: 'UPDATE_IN_PROGRESS' }) });
    await expect(atDeadline()).rejects.toThrow(
      /^Timed out after 10 minute\(s\) waiting for service 'frontend' to finish its UPDATE_IN_PROGRESS edit before the service instance 'prod' of service 'frontend' can be removed\. Deploy again/,
    );
    expect(proton).not.toHaveReceivedCommand(UpdateServiceCommand);
  });

  test('a removal Proton keeps refusing, with the last error', async () => {
    reads(succeeded());
    proton.on(UpdateServiceCommand).rejects(SEED_ERRORS.ConflictException());
    await expect(atDeadline()).rejects.toThrow(
      /^Timed out after 10 minute\(s\) waiting for Proton to accept the removal of the service instance 'prod' of service 'frontend' from service 'frontend'\. The last error was ConflictException: Resource is busy\. /,
    );
  });

  test.each(TRANSIENT_ERRORS)('a service that cannot be read (%s), with the last error', async (_, error, summary) => {
    reads(succeeded());
    proton.on(GetServiceCommand).rejects(error());
    await expect(atDeadline()).rejects.toThrow(`Timed out after 10 minute(s) waiting for service 'frontend' to answer. The last error was ${summary}. `);
  });

  test('a service still editing after the instance is gone', async () => {
    notFound();
    proton.on(GetServiceCommand).resolves({ service: service({ status: 'UPDATE_IN_PROGRESS' }) });
    await expect(atDeadline()).rejects.toThrow(
      /^Timed out after 10 minute\(s\) waiting for service 'frontend' to finish removing the service instance 'prod' of service 'frontend' \(it is UPDATE_IN_PROGRESS\)\. /,
    );
  });

  test('a removal Proton accepted but never started', async () => {
    reads(succeeded());
    await expect(atDeadline()).rejects.toThrow(
      /^Timed out after 10 minute\(s\) waiting for Proton to start removing the service instance 'prod' of service 'frontend' from service 'frontend'\. /,
    );
  });

  test('an instance whose service reads as gone', async () => {
    reads(succeeded());
    proton.on(GetServiceCommand).rejects(SEED_ERRORS.ResourceNotFoundException());
    await expect(atDeadline()).rejects.toThrow(
      /^Timed out after 10 minute\(s\) waiting for the Proton service instance 'prod' of service 'frontend' to go with its service 'frontend', which Proton no longer finds\. /,
    );
    expect(proton).not.toHaveReceivedCommand(UpdateServiceCommand);
  });
});

describe('Delete with RETAIN', () => {
  test('an instance that has deployed successfully stays in Proton', async () => {
    reads(succeeded());
    const result = await onEvent(retain());
    expect(result.ProtonState.done).toBe(true);
    expect(proton).not.toHaveReceivedCommand(UpdateServiceCommand);
    expect(proton).not.toHaveReceivedCommand(GetServiceCommand);
  });

  test('asks for the status of its own stack', async () => {
    reads(succeeded());
    await onEvent(retain());
    expect(describeStacksCalls()).toBe(1);
  });

  test.each(['ROLLBACK_IN_PROGRESS', 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS'] as const)(
    'the operation that created it is rolled back (%s): removed although it succeeded',
    async (status) => {
      stackIs(status);
      reads(succeeded());
      const result = await onEvent(retain());
      expect(result.ProtonState.done).toBeUndefined();
      expect(removals()).toHaveLength(1);
      expect(handlerLogs()).toContainEqual(expect.objectContaining({ stackStatus: status }));
    },
  );

  test.each(['DELETE_IN_PROGRESS', 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS', 'UPDATE_ROLLBACK_IN_PROGRESS'] as const)('a %s stack keeps it', async (status) => {
    stackIs(status);
    reads(succeeded());
    await expect(onEvent(retain())).resolves.toMatchObject({ ProtonState: { done: true } });
    expect(proton).not.toHaveReceivedCommand(UpdateServiceCommand);
  });

  test.each<[string, Partial<ServiceInstance>]>([
    ['status SUCCEEDED', { deploymentStatus: 'SUCCEEDED' }],
    ['a lastSucceededDeploymentId', { deploymentStatus: 'FAILED', lastSucceededDeploymentId: 'dep-0' }],
    ['a success later than the creation', { deploymentStatus: 'FAILED', lastDeploymentSucceededAt: new Date('2026-11-27T10:30:00Z') }],
  ])('any sign of a past success keeps it: %s', async (_, fields) => {
    reads(instance({ lastSucceededDeploymentId: undefined, ...fields }));
    await expect(onEvent(retain())).resolves.toMatchObject({ ProtonState: { done: true } });
    expect(proton).not.toHaveReceivedCommand(UpdateServiceCommand);
  });

  test.each(['FAILED', 'CANCELLED'] as const)('an instance that never deployed successfully (%s) is removed, so a failed create leaves no orphan', async (status) => {
    // Proton fills lastDeploymentSucceededAt with the creation time before any success.
    reads(instance({ deploymentStatus: status, lastSucceededDeploymentId: undefined }));
    await onEvent(retain());
    expect(proton).toHaveReceivedCommandTimes(UpdateServiceCommand, 1);
  });

  test('a first deployment still running is waited for, then removed', async () => {
    reads(instance({ deploymentStatus: 'IN_PROGRESS' }));
    const result = await onEvent(retain());
    expect(result.ProtonState.done).toBeUndefined();
    expect(proton).not.toHaveReceivedCommand(UpdateServiceCommand);
    reads(instance({ deploymentStatus: 'FAILED' }));
    await expect(isComplete(waiterEvent(retain(), result))).resolves.toEqual({ IsComplete: false });
    expect(proton).toHaveReceivedCommandTimes(UpdateServiceCommand, 1);
  });

  test.each([
    ['AccessDenied', describeStacksDenied],
    ...DESCRIBE_STACKS_TRANSIENT.map(([name, error]) => [name, error] as const),
  ] as const)('a stack status that cannot be read (%s) never fails the Delete: decided without, with a warning', async (_, error) => {
    stackIs(error());
    reads(succeeded());
    await expect(onEvent(retain())).resolves.toMatchObject({ ProtonState: { done: true } });
    reads(instance({ deploymentStatus: 'FAILED' }));
    await onEvent(retain());
    expect(proton).toHaveReceivedCommandTimes(UpdateServiceCommand, 1);
    expect(handlerLogs()).toContainEqual({ level: 'WARN', message: 'DescribeStacks failed; deciding the removal without the stack status', error: error().name, stackId: STACK_ID });
  });

  describe('a nested stack its parent deletes (DELETE_IN_PROGRESS with a ParentId): the parent\'s status decides', () => {
    const PARENT = stackIdOf('Parent');
    const ROOT = stackIdOf('Root', '00000000-1111-2222-3333-444444444444');
    const nested = (parent: StackAnswer, more: Record<string, StackAnswer> = {}) =>
      stacksAre({ [STACK_ID]: { status: 'DELETE_IN_PROGRESS', parentId: PARENT }, [PARENT]: parent, ...more });
    beforeEach(() => reads(succeeded()));

    test.each(['ROLLBACK_IN_PROGRESS', 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS'] as const)(
      'the parent is %s (rolling back what created the nested stack): removed under RETAIN',
      async (status) => {
        nested(status);
        const result = await onEvent(retain());
        expect(result.ProtonState.done).toBeUndefined();
        expect(remainingIn(removals()[0].spec)).toEqual(['staging']);
        expect(describedStacks()).toEqual([STACK_ID, PARENT]);
        expect(handlerLogs()).toContainEqual(expect.objectContaining({ level: 'INFO', stackStatus: status, message: expect.stringContaining('rolled back') }));
      },
    );

    test.each([
      ['UPDATE_COMPLETE_CLEANUP_IN_PROGRESS (removed from the parent\'s template)', 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS'],
      ['DELETE_IN_PROGRESS without a parent of its own (the whole tree is deleted)', 'DELETE_IN_PROGRESS'],
    ] as const)('the parent is %s: kept', async (_, status) => {
      nested(status);
      await expect(onEvent(retain())).resolves.toMatchObject({ ProtonState: { done: true } });
      expect(proton).not.toHaveReceivedCommand(UpdateServiceCommand);
      expect(handlerLogs()).toContainEqual(expect.objectContaining({ message: 'removal policy RETAIN: the instance stays in Proton', stackStatus: status }));
    });

    test('a parent deleting too: its own parent decides (a rolled-back root: removed)', async () => {
      nested({ status: 'DELETE_IN_PROGRESS', parentId: ROOT }, { [ROOT]: 'ROLLBACK_IN_PROGRESS' });
      await onEvent(retain());
      expect(describedStacks()).toEqual([STACK_ID, PARENT, ROOT]);
      expect(removals()).toHaveLength(1);
    });

    test('a parent that cannot be read: decided as a plain deletion, kept, and the Delete does not fail', async () => {
      nested(describeStacksDenied());
      await expect(onEvent(retain())).resolves.toMatchObject({ ProtonState: { done: true } });
      expect(proton).not.toHaveReceivedCommand(UpdateServiceCommand);
      expect(handlerLogs()).toContainEqual(expect.objectContaining({ level: 'WARN', stackId: PARENT, error: 'AccessDenied' }));
    });

    test('the same tree decided in isComplete, for an instance that could not be read at onEvent', async () => {
      nested('ROLLBACK_IN_PROGRESS');
      proton.on(GetServiceInstanceCommand).rejectsOnce(SEED_ERRORS.ThrottlingException()).resolves({ serviceInstance: succeeded() });
      const answer = await onEvent(retain());
      expect(answer.ProtonState.undecided).toBe(true);
      await expect(isComplete(waiterEvent(retain(), answer))).resolves.toEqual({ IsComplete: false });
      expect(describedStacks()).toEqual([STACK_ID, PARENT]);
      expect(removals()).toHaveLength(1);
    });

    test('with DESTROY no stack is asked about', async () => {
      nested('UPDATE_COMPLETE_CLEANUP_IN_PROGRESS');
      await onEvent(deleteEvent());
      expect(describeStacksCalls()).toBe(0);
      expect(removals()).toHaveLength(1);
    });
  });

  describe('an instance that cannot be read at onEvent: decided in isComplete', () => {
    let poll: IsCompleteRequest;
    beforeEach(async () => {
      proton.on(GetServiceInstanceCommand).rejects(SEED_ERRORS.ThrottlingException());
      const answer = await onEvent(retain());
      expect(answer.ProtonState).toEqual({ deadline: T0 + 600_000, undecided: true });
      expect(describeStacksCalls()).toBe(0);
      poll = waiterEvent(retain(), answer);
    });

    test('still unreadable: ask again', async () => {
      await expect(isComplete(poll)).resolves.toEqual({ IsComplete: false });
    });

    test('a succeeded instance is kept', async () => {
      reads(succeeded());
      await expect(isComplete(poll)).resolves.toEqual({ IsComplete: true });
      expect(describeStacksCalls()).toBe(1);
      expect(proton).not.toHaveReceivedCommand(UpdateServiceCommand);
    });

    test('in a creation rollback, it is removed', async () => {
      stackIs('ROLLBACK_IN_PROGRESS');
      reads(succeeded());
      await expect(isComplete(poll)).resolves.toEqual({ IsComplete: false });
      expect(proton).toHaveReceivedCommandTimes(UpdateServiceCommand, 1);
    });

    test('one that never succeeded is removed', async () => {
      reads(instance({ deploymentStatus: 'FAILED' }));
      await expect(isComplete(poll)).resolves.toEqual({ IsComplete: false });
      expect(proton).toHaveReceivedCommandTimes(UpdateServiceCommand, 1);
    });

    test('one that is gone: done', async () => {
      notFound();
      await expect(isComplete(poll)).resolves.toEqual({ IsComplete: true });
      expect(proton).not.toHaveReceivedCommand(GetServiceCommand);
    });
  });

  test('with DESTROY, an undecided delete removes the instance in isComplete', async () => {
    proton.on(GetServiceInstanceCommand).rejectsOnce(SEED_ERRORS.InternalServerException()).resolves({ serviceInstance: succeeded() });
    const answer = await onEvent(deleteEvent());
    await expect(isComplete(waiterEvent(deleteEvent(), answer))).resolves.toEqual({ IsComplete: false });
    expect(proton).toHaveReceivedCommandTimes(UpdateServiceCommand, 1);
    expect(describeStacksCalls()).toBe(0);
  });
});

describe('Delete of a create that stayed pending', () => {
  const TOKEN = 'c'.repeat(64);
  /** The physical id as it was before it carried the time the create began: still understood. */
  const PENDING = `cdk-proton:pending-create:frontend/prod:${TOKEN}`;
  /** The physical id of a create that began at T0. */
  const PENDING_SINCE = `${PENDING}:${T0}`;

  test.each([
    ['at the moment the create began', T0],
    ['after it', T0 + 60_000],
  ])('an instance whose answer records no token, created %s, is this resource\'s: removed', async (_, createdAt) => {
    reads(succeeded({ lastClientRequestToken: undefined, createdAt: new Date(createdAt) }));
    const result = await onEvent(deleteEvent({}, PENDING_SINCE));
    expect(result).toEqual({ PhysicalResourceId: PENDING_SINCE, ProtonState: { deadline: T0 + 600_000 } });
    expect(remainingIn(removals()[0].spec)).toEqual(['staging']);
    expect(handlerLogs()).toContainEqual(expect.objectContaining({ message: 'removing the instance a create of this resource left' }));
  });

  test.each<[string, Partial<ServiceInstance>]>([
    ['no token, created before the create began', { lastClientRequestToken: undefined, createdAt: new Date(T0 - 1) }],
    ['no token and no creation time', { lastClientRequestToken: undefined, createdAt: undefined }],
    ['another token, although created after', { lastClientRequestToken: 'someone-else', createdAt: new Date(T0 + 60_000) }],
  ])('an instance with %s is not this resource\'s: left alone', async (_, fields) => {
    reads(succeeded(fields));
    const result = await onEvent(deleteEvent({}, PENDING_SINCE));
    expect(result.ProtonState.done).toBe(true);
    expect(proton).not.toHaveReceivedCommand(UpdateServiceCommand);
    expect(handlerLogs()).toContainEqual(expect.objectContaining({ message: 'the instance was not created by this resource; leaving it' }));
  });

  test('an id without the time: an instance without a token, created after, is still left alone (nothing to compare with)', async () => {
    reads(succeeded({ lastClientRequestToken: undefined, createdAt: new Date(T0 + 60_000) }));
    await expect(onEvent(deleteEvent({}, PENDING))).resolves.toMatchObject({ ProtonState: { done: true } });
    expect(proton).not.toHaveReceivedCommand(UpdateServiceCommand);
  });

  test('an instance that could not be read at onEvent is judged by the same rule in isComplete', async () => {
    proton.on(GetServiceInstanceCommand).rejectsOnce(SEED_ERRORS.ThrottlingException())
      .resolves({ serviceInstance: succeeded({ lastClientRequestToken: undefined, createdAt: new Date(T0 + 1) }) });
    const answer = await onEvent(deleteEvent({}, PENDING_SINCE));
    expect(answer.ProtonState.undecided).toBe(true);
    await expect(isComplete(waiterEvent(deleteEvent({}, PENDING_SINCE), answer))).resolves.toEqual({ IsComplete: false });
    expect(removals()).toHaveLength(1);
    proton.reset();
    proton.on(GetServiceInstanceCommand).rejectsOnce(SEED_ERRORS.ThrottlingException())
      .resolves({ serviceInstance: succeeded({ lastClientRequestToken: undefined, createdAt: new Date(T0 - 1) }) });
    const other = await onEvent(deleteEvent({}, PENDING_SINCE));
    await expect(isComplete(waiterEvent(deleteEvent({}, PENDING_SINCE), other))).resolves.toEqual({ IsComplete: true });
    expect(proton).not.toHaveReceivedCommand(UpdateServiceCommand);
  });

  test.each([
    ['DESTROY', deleteEvent({}, PENDING)],
    ['RETAIN', retain(PENDING)],
    ['DESTROY, an id with the time', deleteEvent({}, PENDING_SINCE)],
    ['RETAIN, an id with the time', retain(PENDING_SINCE)],
  ] as const)('%s: the instance carrying its token is removed (this resource created it)', async (_, event: DeleteEvent) => {
    reads(succeeded({ lastClientRequestToken: TOKEN, createdAt: new Date(T0 - 60_000) }));
    const result = await onEvent(event);
    expect(result).toEqual({ PhysicalResourceId: event.PhysicalResourceId, ProtonState: { deadline: T0 + 600_000 } });
    expect(proton).toHaveReceivedCommandWith(GetServiceInstanceCommand, { serviceName: 'frontend', name: 'prod' });
    expect(removals()).toHaveLength(1);
    expect(remainingIn(removals()[0].spec)).toEqual(['staging']);
    expect(describeStacksCalls()).toBe(0);
  });

  test.each([
    ['another token', 'someone-else'],
    ['no token', undefined],
  ])('an instance with %s is not this resource\'s: left alone', async (_, token) => {
    reads(succeeded({ lastClientRequestToken: token }));
    const result = await onEvent(deleteEvent({}, PENDING));
    expect(result.ProtonState.done).toBe(true);
    expect(proton).not.toHaveReceivedCommand(UpdateServiceCommand);
    expect(proton).not.toHaveReceivedCommand(GetServiceCommand);
  });

  test('no instance: done', async () => {
    notFound();
    await expect(onEvent(deleteEvent({}, PENDING))).resolves.toMatchObject({ ProtonState: { done: true } });
  });

  test('the removal is watched like any other', async () => {
    reads(instance({ deploymentStatus: 'DELETE_IN_PROGRESS', lastClientRequestToken: TOKEN }));
    const poll = completeEvent(deleteEvent({}, PENDING), {}, PENDING);
    await expect(isComplete(poll)).resolves.toEqual({ IsComplete: false });
    notFound();
    await expect(isComplete(poll)).resolves.toEqual({ IsComplete: true });
  });
});
