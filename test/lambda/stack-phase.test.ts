import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CreateServiceInstanceCommand, GetServiceInstanceCommand, UpdateServiceInstanceCommand } from '@aws-sdk/client-proton';
import { arnOf, instance, STACK_ID, succeeded, updateEvent } from './events';
import { cloudFormation, describeStacksCalls, handlerLogs, proton, resetMocks, stackIs } from './mocks';
import { describeStacksDenied, SEED_ERRORS } from './seed-errors';
import { onEvent } from '../../lambda';
import { currentPhase, isUpdateRollback, rollsBackCreation, stillInPhase } from '../../lambda/lifecycle/stack-phase';

/** Where in a stack operation a request arrives: DescribeStacks on the handler's own stack. */

beforeEach(() => {
  resetMocks();
  proton.on(GetServiceInstanceCommand).resolves({ serviceInstance: succeeded() });
  proton.on(UpdateServiceInstanceCommand).resolves({ serviceInstance: instance() });
  proton.on(CreateServiceInstanceCommand).resolves({ serviceInstance: instance({ arn: arnOf('prod2') }) });
});

describe('every Update asks for the stack status once, by the event\'s StackId', () => {
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

describe('a status that cannot be read: the handler decides without it, and says so', () => {
  test.each([
    ['access denied', () => stackIs(describeStacksDenied()), 'AccessDenied'],
    ['throttled', () => stackIs(Object.assign(new Error('Rate exceeded'), { name: 'Throttling' })), 'Throttling'],
  ])('%s: the update goes ahead as a forward one', async (_, given, errorName) => {
    given();
    const answer = await onEvent(updateEvent({ Spec: 'x: 1' }));
    expect(answer.ProtonState.phase).toBeUndefined();
    expect(proton).toHaveReceivedCommandTimes(UpdateServiceInstanceCommand, 1);
    expect(handlerLogs()).toContainEqual({ level: 'WARN', message: 'DescribeStacks on the own stack failed; deciding without the stack status', error: errorName });
  });

  test('an answer without the stack: no phase', async () => {
    cloudFormation.on(DescribeStacksCommand).resolves({ Stacks: [] });
    await expect(currentPhase(STACK_ID)).resolves.toBeUndefined();
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
