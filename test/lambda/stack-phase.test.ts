import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CreateServiceInstanceCommand, GetServiceInstanceCommand, UpdateServiceInstanceCommand } from '@aws-sdk/client-proton';
import { arnOf, createEvent, instance, STACK_ID, stackIdOf, succeeded, updateEvent } from './events';
import { cloudFormation, describedStacks, describeStacksCalls, handlerLogs, proton, resetMocks, stackIs, stacksAre } from './mocks';
import { DESCRIBE_STACKS_TRANSIENT, describeStacksDenied, SEED_ERRORS } from './seed-errors';
import { onEvent } from '../../lambda';
import { currentPhase, deletionPhase, isUpdateRollback, rollsBackCreation, stillInPhase } from '../../lambda/lifecycle/stack-phase';

/** Where in a stack operation a request arrives: DescribeStacks on the handler's own stack. */

beforeEach(() => {
  resetMocks();
  proton.on(GetServiceInstanceCommand).resolves({ serviceInstance: succeeded() });
  proton.on(UpdateServiceInstanceCommand).resolves({ serviceInstance: instance() });
  proton.on(CreateServiceInstanceCommand).resolves({ serviceInstance: instance({ arn: arnOf('prod2') }) });
});

describe('every Create and every Update asks for the stack status once, by the event\'s StackId', () => {
  test.each(['CREATE_IN_PROGRESS', 'UPDATE_IN_PROGRESS'] as const)('a Create (the stack %s) records it as the phase', async (status) => {
    stackIs(status);
    const answer = await onEvent(createEvent());
    expect(describedStacks()).toEqual([STACK_ID]);
    expect(answer.ProtonState.phase).toBe(status);
  });

  test.each([
    ['a spec change', { Spec: 'x: 1' }],
    ['a timeout change', { TimeoutSeconds: '900' }],
    ['a replacement', { ServiceInstanceName: 'prod2' }],
  ])('%s', async (_, props) => {
    stackIs('UPDATE_IN_PROGRESS');
    const answer = await onEvent(updateEvent(props));
    expect(describeStacksCalls()).toBe(1);
    expect(cloudFormation).toHaveReceivedCommandWith(DescribeStacksCommand, { StackName: STACK_ID });
    expect(answer.ProtonState.phase).toBe('UPDATE_IN_PROGRESS');
  });

  test('also when the instance cannot be read', async () => {
    proton.on(GetServiceInstanceCommand).rejects(SEED_ERRORS.ThrottlingException());
    const answer = await onEvent(updateEvent({ Spec: 'x: 1' }));
    expect(describeStacksCalls()).toBe(1);
    expect(answer.ProtonState.phase).toBe('UPDATE_IN_PROGRESS');
  });
});

describe('a status that cannot be read for now (throttling, 5xx, network): the handler decides without it, and says so', () => {
  test.each(DESCRIBE_STACKS_TRANSIENT)('%s: the update goes ahead as a forward one', async (_, error) => {
    stackIs(error());
    const answer = await onEvent(updateEvent({ Spec: 'x: 1' }));
    expect(answer.ProtonState.phase).toBeUndefined();
    expect(describeStacksCalls()).toBe(1);
    expect(proton).toHaveReceivedCommandTimes(UpdateServiceInstanceCommand, 1);
    expect(handlerLogs()).toContainEqual({ level: 'WARN', message: 'DescribeStacks on the own stack failed; deciding without the stack status for now', error: error().name });
  });

  test.each(DESCRIBE_STACKS_TRANSIENT)('%s: a replacement asks once too, and creates without a phase', async (_, error) => {
    stackIs(error());
    proton.on(GetServiceInstanceCommand, { name: 'prod2' }).rejects(SEED_ERRORS.ResourceNotFoundException());
    const answer = await onEvent(updateEvent({ ServiceInstanceName: 'prod2' }));
    expect(answer).toMatchObject({ PhysicalResourceId: arnOf('prod2'), ProtonState: { creates: true } });
    expect(answer.ProtonState.phase).toBeUndefined();
    expect(describeStacksCalls()).toBe(1);
    expect(handlerLogs().filter((l) => l.level === 'WARN' && l.message.includes('DescribeStacks'))).toHaveLength(1);
  });

  test('an answer without the stack: no phase', async () => {
    cloudFormation.on(DescribeStacksCommand).resolves({ Stacks: [] });
    await expect(currentPhase(STACK_ID)).resolves.toBeUndefined();
  });
});

describe('DescribeStacks refused (a permissions boundary or an SCP): a Create or an Update fails at once, rather than decide blind later', () => {
  const denied = 'CloudFormation DescribeStacks failed for its own stack (AccessDenied: User is not authorized to perform: cloudformation:DescribeStacks). ' +
    `The handler role needs cloudformation:DescribeStacks on ${STACK_ID}.`;
  beforeEach(() => stackIs(describeStacksDenied()));

  test.each([
    ['a Create', () => createEvent()],
    ['an Update in place', () => updateEvent({ Spec: 'x: 1' })],
    ['a replacement', () => updateEvent({ ServiceInstanceName: 'prod2' })],
  ])('%s fails naming the permission and the stack, and writes nothing to Proton', async (_, event) => {
    await expect(onEvent(event())).rejects.toThrow(denied);
    expect(describeStacksCalls()).toBe(1);
    expect(proton).not.toHaveReceivedCommand(CreateServiceInstanceCommand);
    expect(proton).not.toHaveReceivedCommand(UpdateServiceInstanceCommand);
  });

  test('currentPhase itself: throws for a refusal, answers undefined for throttling', async () => {
    await expect(currentPhase(STACK_ID)).rejects.toThrow(denied);
    stackIs(DESCRIBE_STACKS_TRANSIENT[0][1]());
    await expect(currentPhase(STACK_ID)).resolves.toBeUndefined();
  });

  test('a Delete never fails for it (see deletionPhase)', async () => {
    await expect(deletionPhase(STACK_ID)).resolves.toBeUndefined();
    expect(handlerLogs()).toContainEqual(expect.objectContaining({ level: 'WARN', message: 'DescribeStacks failed; deciding the removal without the stack status', error: 'AccessDenied' }));
  });
});

describe('deletionPhase: why a Delete is sent, through the parents of a nested stack', () => {
  const PARENT = stackIdOf('Parent');
  const ROOT = stackIdOf('Root', '00000000-1111-2222-3333-444444444444');

  test('a stack that is not deleting answers its own status, asking nothing more', async () => {
    stacksAre({ [STACK_ID]: { status: 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS', parentId: PARENT } });
    await expect(deletionPhase(STACK_ID)).resolves.toBe('UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS');
    expect(describedStacks()).toEqual([STACK_ID]);
  });

  test('a top-level stack being deleted: DELETE_IN_PROGRESS', async () => {
    stackIs('DELETE_IN_PROGRESS');
    await expect(deletionPhase(STACK_ID)).resolves.toBe('DELETE_IN_PROGRESS');
    expect(describedStacks()).toEqual([STACK_ID]);
  });

  test.each([
    'ROLLBACK_IN_PROGRESS',
    'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS',
    'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS',
  ] as const)('a nested stack its parent deletes: the parent\'s status (%s)', async (status) => {
    stacksAre({ [STACK_ID]: { status: 'DELETE_IN_PROGRESS', parentId: PARENT }, [PARENT]: status });
    await expect(deletionPhase(STACK_ID)).resolves.toBe(status);
    expect(describedStacks()).toEqual([STACK_ID, PARENT]);
  });

  test('a parent deleting too passes the question on to its own parent', async () => {
    stacksAre({
      [STACK_ID]: { status: 'DELETE_IN_PROGRESS', parentId: PARENT },
      [PARENT]: { status: 'DELETE_IN_PROGRESS', parentId: ROOT },
      [ROOT]: 'ROLLBACK_IN_PROGRESS',
    });
    await expect(deletionPhase(STACK_ID)).resolves.toBe('ROLLBACK_IN_PROGRESS');
    expect(describedStacks()).toEqual([STACK_ID, PARENT, ROOT]);
  });

  test('a whole tree being deleted: DELETE_IN_PROGRESS from the root, which has no parent', async () => {
    stacksAre({ [STACK_ID]: { status: 'DELETE_IN_PROGRESS', parentId: PARENT }, [PARENT]: { status: 'DELETE_IN_PROGRESS', parentId: ROOT }, [ROOT]: 'DELETE_IN_PROGRESS' });
    await expect(deletionPhase(STACK_ID)).resolves.toBe('DELETE_IN_PROGRESS');
    expect(describedStacks()).toEqual([STACK_ID, PARENT, ROOT]);
  });

  /** The stack and `levels` parents above it, each deleting; the last one's status is `top`. */
  const chain = (levels: number, top: 'ROLLBACK_IN_PROGRESS') => {
    const ids = [STACK_ID, ...Array.from({ length: levels }, (_, i) => stackIdOf(`Level${i + 1}`))];
    stacksAre(Object.fromEntries(ids.map((id, i) => [id, i === levels ? top : { status: 'DELETE_IN_PROGRESS' as const, parentId: ids[i + 1] }])));
    return ids;
  };

  test('traced through 5 levels of parents', async () => {
    const ids = chain(5, 'ROLLBACK_IN_PROGRESS');
    await expect(deletionPhase(STACK_ID)).resolves.toBe('ROLLBACK_IN_PROGRESS');
    expect(describedStacks()).toEqual(ids);
  });

  test('and no further: a sixth level is never asked, and why the stack is deleted stays unknown', async () => {
    const ids = chain(6, 'ROLLBACK_IN_PROGRESS');
    await expect(deletionPhase(STACK_ID)).resolves.toBeUndefined();
    expect(describedStacks()).toEqual(ids.slice(0, 6));
  });

  test.each([
    ['refused', describeStacksDenied, 'AccessDenied'],
    ['throttled', DESCRIBE_STACKS_TRANSIENT[0][1], 'Throttling'],
  ] as const)('a parent lookup %s: unknown (the nested stack\'s own DELETE_IN_PROGRESS may be a parent\'s rollback), with a warning naming the parent', async (_, error, name) => {
    stacksAre({ [STACK_ID]: { status: 'DELETE_IN_PROGRESS', parentId: PARENT }, [PARENT]: error() });
    await expect(deletionPhase(STACK_ID)).resolves.toBeUndefined();
    expect(handlerLogs()).toContainEqual({ level: 'WARN', message: 'DescribeStacks failed; deciding the removal without the stack status', error: name, stackId: PARENT });
  });

  test('the own stack unreadable: no status at all', async () => {
    stackIs(DESCRIBE_STACKS_TRANSIENT[0][1]());
    await expect(deletionPhase(STACK_ID)).resolves.toBeUndefined();
    expect(describedStacks()).toEqual([STACK_ID]);
  });
});

describe('the phases', () => {
  test('only UPDATE_ROLLBACK_IN_PROGRESS is an update rollback', () => {
    expect(isUpdateRollback('UPDATE_ROLLBACK_IN_PROGRESS')).toBe(true);
    for (const phase of ['UPDATE_IN_PROGRESS', 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS', 'ROLLBACK_IN_PROGRESS', undefined]) {
      expect(isUpdateRollback(phase)).toBe(false);
    }
  });

  test('ROLLBACK_IN_PROGRESS and UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS roll back the creation of what they delete', () => {
    expect(rollsBackCreation('ROLLBACK_IN_PROGRESS')).toBe(true);
    expect(rollsBackCreation('UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS')).toBe(true);
    for (const phase of ['DELETE_IN_PROGRESS', 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS', 'UPDATE_ROLLBACK_IN_PROGRESS', undefined]) {
      expect(rollsBackCreation(phase)).toBe(false);
    }
  });

  test('a late send is live only in the recorded phase, or when either status is unknown', async () => {
    stackIs('UPDATE_IN_PROGRESS');
    await expect(stillInPhase('UPDATE_IN_PROGRESS', STACK_ID)).resolves.toEqual({ live: true, now: 'UPDATE_IN_PROGRESS' });
    await expect(stillInPhase('CREATE_IN_PROGRESS', STACK_ID)).resolves.toEqual({ live: false, now: 'UPDATE_IN_PROGRESS' });
    expect(describeStacksCalls()).toBe(2);
    await expect(stillInPhase(undefined, STACK_ID)).resolves.toEqual({ live: true });
    expect(describeStacksCalls()).toBe(2);
    stackIs(describeStacksDenied());
    await expect(stillInPhase('UPDATE_IN_PROGRESS', STACK_ID)).resolves.toEqual({ live: true, now: undefined });
  });
});
