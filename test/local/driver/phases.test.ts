import { STACK, synth } from './fixture-app';
import { stackStatuses, trail, useDrivers } from './helpers';
import { StackEvent } from '../../../local/driver';

jest.setTimeout(20_000);

const newDriver = useDrivers();

/** `logicalId:type:physicalId` of the handler's onEvent calls from `from` on. */
const onEventCalls = (calls: { step: string; logicalId: string; type: string; physicalId?: string }[], from = 0) =>
  calls.slice(from).filter((c) => c.step === 'onEvent').map((c) => `${c.logicalId}:${c.type}:${c.physicalId}`);

describe('update cleanup (UPDATE_COMPLETE_CLEANUP_IN_PROGRESS)', () => {
  test('deletes removed resources and old ids of replacements, dependents first by the old template', async () => {
    const { driver, state } = newDriver();
    await driver.deploy(synth({ things: [{ id: 'A' }, { id: 'B', dependsOn: ['A'] }, { id: 'C', dependsOn: ['B'] }] }), STACK);
    const before = state().calls.length;
    const r = await driver.deploy(synth({ things: [{ id: 'A', props: { Generation: '2' } }] }), STACK);
    expect(r.status).toBe('UPDATE_COMPLETE');
    expect(onEventCalls(state().calls, before)).toEqual(['A:Update:pid-a-1', 'C:Delete:pid-c-1', 'B:Delete:pid-b-1', 'A:Delete:pid-a-1']);
    expect(stackStatuses(r.events)).toEqual(['UPDATE_IN_PROGRESS', 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS', 'UPDATE_COMPLETE']);
    expect(driver.resources(STACK).filter((id) => /^[ABC]$/.test(id))).toEqual(['A']);
  });

  test('a failed delete in the cleanup is DELETE_FAILED, the resource is left behind and the stack still completes', async () => {
    const { driver, state } = newDriver();
    await driver.deploy(synth({ things: [{ id: 'A' }, { id: 'B', props: { FailOn: 'onEvent:Delete' } }] }), STACK);
    const r = await driver.deploy(synth({ things: [{ id: 'A' }] }), STACK);
    expect(r.status).toBe('UPDATE_COMPLETE');
    expect(r.failureReason).toBeUndefined();
    expect(trail(r.events, ['B'])).toEqual(['B:DELETE_IN_PROGRESS', 'B:DELETE_FAILED']);
    expect(driver.resources(STACK)).not.toContain('B');
    expect(state().things['pid-b-1']).toBeDefined();
  });
});

describe('update rollback', () => {
  test('a FAILED answer carrying a new physical id: the rollback Update goes to it, and the cleanup deletes it', async () => {
    const { driver, state } = newDriver();
    await driver.deploy(synth({ things: [{ id: 'A' }, { id: 'B', dependsOn: ['A'] }] }), STACK);
    const before = state().calls.length;
    const r = await driver.deploy(synth({ things: [{ id: 'A' }, { id: 'B', dependsOn: ['A'], props: { Generation: '2', FailOn: 'isComplete:Update' } }] }), STACK);
    expect(r.status).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(r.events.find((e) => e.status === 'UPDATE_FAILED')).toMatchObject({ logicalId: 'B', physicalId: 'pid-b-2' });
    expect(onEventCalls(state().calls, before)).toEqual(['B:Update:pid-b-1', 'B:Update:pid-b-2', 'B:Delete:pid-b-2']);
    const rollback = state().calls.slice(before).filter((c) => c.step === 'onEvent')[1];
    expect(rollback.props).not.toHaveProperty('Generation');
    expect(rollback.oldProps).toMatchObject({ Generation: '2', FailOn: 'isComplete:Update' });
    expect(driver.physicalId(STACK, 'B')).toBe('pid-b-1');
    expect(Object.keys(state().things).sort()).toEqual(['pid-a-1', 'pid-b-1']);
  });

  test('the rollback cleanup deletes what the failed update created, dependents first by the new template', async () => {
    const { driver, state } = newDriver();
    await driver.deploy(synth({ things: [{ id: 'A' }] }), STACK);
    const before = state().calls.length;
    const r = await driver.deploy(synth({
      things: [{ id: 'A' }, { id: 'D' }, { id: 'E', dependsOn: ['D'] }, { id: 'F', dependsOn: ['E'], props: { FailOn: 'onEvent:Create' } }],
    }), STACK);
    expect(r.status).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(r.failureReason).toContain('onEvent refused Create of f');
    expect(trail(r.events, ['D', 'E', 'F']).filter((t) => t.includes('DELETE'))).toEqual([
      'F:DELETE_IN_PROGRESS', 'F:DELETE_COMPLETE', 'E:DELETE_IN_PROGRESS', 'E:DELETE_COMPLETE', 'D:DELETE_IN_PROGRESS', 'D:DELETE_COMPLETE',
    ]);
    // F's Delete carried the CREATE_FAILED marker: the framework answered it without the handler.
    expect(onEventCalls(state().calls, before)).toEqual(['D:Create:undefined', 'E:Create:undefined', 'F:Create:undefined', 'E:Delete:pid-e-1', 'D:Delete:pid-d-1']);
    expect(stackStatuses(r.events)).toEqual(['UPDATE_IN_PROGRESS', 'UPDATE_ROLLBACK_IN_PROGRESS', 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS', 'UPDATE_ROLLBACK_COMPLETE']);
    expect(driver.resources(STACK).filter((id) => /^[A-F]$/.test(id))).toEqual(['A']);
  });

  test('a failure while rolling back leaves the stack UPDATE_ROLLBACK_FAILED', async () => {
    const { driver } = newDriver();
    // The handler reads FailOn from ResourceProperties: A's old properties refuse Updates, so its rollback Update fails.
    await driver.deploy(synth({ things: [{ id: 'A', props: { FailOn: 'onEvent:Update' } }, { id: 'B', dependsOn: ['A'] }] }), STACK);
    const r = await driver.deploy(synth({ things: [{ id: 'A', props: { Tag: 'x' } }, { id: 'B', dependsOn: ['A'], props: { FailOn: 'onEvent:Update' } }] }), STACK);
    expect(r.status).toBe('UPDATE_ROLLBACK_FAILED');
    expect(trail(r.events, ['A', 'B'])).toEqual([
      'A:UPDATE_IN_PROGRESS', 'A:UPDATE_COMPLETE', 'B:UPDATE_IN_PROGRESS', 'B:UPDATE_FAILED', 'A:UPDATE_IN_PROGRESS', 'A:UPDATE_FAILED',
    ]);
    expect(driver.stackStatus(STACK)).toBe('UPDATE_ROLLBACK_FAILED');
    await expect(driver.deploy(synth({ things: [{ id: 'A' }] }), STACK)).rejects.toThrow('is in UPDATE_ROLLBACK_FAILED state and can not be updated');
  });
});

describe('CancelUpdateStack', () => {
  test('stops the wait for the resource in flight and rolls back; the cancelled request runs on and answers late', async () => {
    let cancelled = false;
    const { driver, state } = newDriver({
      log: (line) => {
        if (!cancelled && line.includes('isComplete Update A poll 2')) {
          cancelled = true;
          driver.cancelUpdate(STACK);
        }
      },
    });
    await driver.deploy(synth({ things: [{ id: 'A' }] }), STACK);
    expect(() => driver.cancelUpdate(STACK)).toThrow('CancelUpdateStack cannot be called from current stack status CREATE_COMPLETE');
    const before = state().calls.length;
    const r = await driver.deploy(synth({ things: [{ id: 'A', props: { Polls: 1000, Tag: 'new' } }] }), STACK);
    expect(r.status).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(r.events.find((e) => e.logicalId === 'A' && e.status === 'UPDATE_FAILED')!.reason).toBe('Resource update cancelled');
    expect(r.events.find((e) => e.status === 'UPDATE_ROLLBACK_IN_PROGRESS')!.reason).toBe('Stack update cancelled');
    const updates = state().calls.slice(before).filter((c) => c.step === 'onEvent');
    expect(updates.map((c) => `${c.type}:${c.props!.Tag}:${c.oldProps!.Tag}`)).toEqual(['Update:new:undefined', 'Update:undefined:new']);
    // The first request's waiter kept polling after CloudFormation stopped listening, and its answer came too late.
    const cancelledRun = driver.executions.find((x) => JSON.parse(x.input).RequestId === updates[0].requestId)!;
    await cancelledRun.done;
    expect(cancelledRun.attempts['framework-isComplete-task']).toBeGreaterThan(2);
    const late = driver.responses.filter((x) => x.requestId === updates[0].requestId);
    expect(late.map((x) => [x.body?.Status, x.late])).toEqual([[undefined, undefined], ['FAILED', true]]);
    expect(driver.physicalId(STACK, 'A')).toBe('pid-a-1');
  });
});

describe('DescribeStacks from the handler', () => {
  /** The status each request saw, as `logicalId:type:status`. */
  const seen = (calls: { step: string; logicalId: string; type: string; stackStatus?: string }[]) =>
    calls.filter((c) => c.step === 'onEvent').map((c) => `${c.logicalId}:${c.type}:${c.stackStatus}`);
  const ask = { AskStatus: 'true' };

  test('reports the stack status of every phase', async () => {
    const { driver, state } = newDriver();
    const app = (things: Parameters<typeof synth>[0]['things']) => synth({ things, describeStacks: true });
    expect((await driver.deploy(app([{ id: 'A', props: ask }]), STACK)).status).toBe('CREATE_COMPLETE');
    const failed = await driver.deploy(app([
      { id: 'A', props: { ...ask, Tag: '2' } },
      { id: 'C', props: ask },
      { id: 'B', props: { FailOn: 'onEvent:Create' }, dependsOn: ['C'] },
    ]), STACK);
    expect(failed.status).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect((await driver.deploy(app([{ id: 'X', props: ask }]), STACK)).status).toBe('UPDATE_COMPLETE');
    const { stackId } = driver.describeStack(STACK)!;
    expect((await driver.destroy(STACK)).status).toBe('DELETE_COMPLETE');
    expect(seen(state().calls)).toEqual([
      'A:Create:CREATE_IN_PROGRESS',
      'A:Update:UPDATE_IN_PROGRESS',
      'C:Create:UPDATE_IN_PROGRESS',
      'B:Create:undefined',
      'A:Update:UPDATE_ROLLBACK_IN_PROGRESS',
      'C:Delete:UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS',
      'X:Create:UPDATE_IN_PROGRESS',
      'A:Delete:UPDATE_COMPLETE_CLEANUP_IN_PROGRESS',
      'X:Delete:DELETE_IN_PROGRESS',
    ]);
    // A deleted stack is found by its id only.
    expect(driver.describeStack(stackId)).toMatchObject({ status: 'DELETE_COMPLETE', deletionTime: expect.any(Date) });
    expect(driver.describeStack(STACK)).toBeUndefined();
  });

  test('a creation rollback is ROLLBACK_IN_PROGRESS; without the grant the call is denied', async () => {
    const { driver, state } = newDriver();
    await driver.deploy(synth({ things: [{ id: 'D', props: ask }, { id: 'E', dependsOn: ['D'], props: { FailOn: 'onEvent:Create' } }], describeStacks: true }), STACK);
    expect(seen(state().calls)).toEqual(['D:Create:CREATE_IN_PROGRESS', 'E:Create:undefined', 'D:Delete:ROLLBACK_IN_PROGRESS']);

    const denied = newDriver();
    await denied.driver.deploy(synth({ things: [{ id: 'A', props: ask }] }), STACK);
    expect(denied.state().calls[0].stackStatus).toMatch(/^AccessDenied: User: \S+ is not authorized to perform: cloudformation:DescribeStacks on resource: arn:aws:cloudformation:us-east-1:123456789012:stack\/DriverTest\//);
  });
});

describe('IAM policies through the phases', () => {
  const RESOURCE = 'arn:aws:sqs:us-east-1:123456789012:queue';
  const isGrant = (e: StackEvent) => e.logicalId.startsWith('Grant');

  /** Records, at chosen events, whether the user onEvent role may call each action. */
  function probe(actions: string[]) {
    const seen: string[] = [];
    let accessKeyId: string | undefined;
    const setup = newDriver({
      onEvent: (e) => {
        if (!accessKeyId) return;
        const allowed = actions.filter((action) => setup.driver.authorizer({ accessKeyId, action, resource: RESOURCE }).allowed);
        seen.push(`${isGrant(e) ? 'Grant' : e.logicalId}:${e.status}:${allowed.join('+') || 'none'}`);
      },
    });
    return { ...setup, seen, watch: () => (accessKeyId = setup.state().calls[0].accessKey) };
  }

  test('a changed policy counts once its update is recorded; a removed one until its delete, after its dependents', async () => {
    const { driver, seen, watch } = probe(['sqs:SendMessage', 'sqs:DeleteQueue']);
    await driver.deploy(synth({ things: [{ id: 'A', dependsOn: ['Grant'] }], grant: ['sqs:SendMessage'] }), STACK);
    watch();
    await driver.deploy(synth({ things: [{ id: 'A', dependsOn: ['Grant'], props: { Tag: '2' } }], grant: ['sqs:DeleteQueue'] }), STACK);
    await driver.deploy(synth({ things: [] }), STACK);
    expect(seen.filter((s) => /^(Grant|A):/.test(s))).toEqual([
      'Grant:UPDATE_IN_PROGRESS:sqs:SendMessage',
      'Grant:UPDATE_COMPLETE:sqs:DeleteQueue',
      'A:UPDATE_IN_PROGRESS:sqs:DeleteQueue',
      'A:UPDATE_COMPLETE:sqs:DeleteQueue',
      'A:DELETE_IN_PROGRESS:sqs:DeleteQueue',
      'A:DELETE_COMPLETE:sqs:DeleteQueue',
      'Grant:DELETE_IN_PROGRESS:sqs:DeleteQueue',
      'Grant:DELETE_COMPLETE:none',
    ]);
  });

  test('a rollback reverts a changed policy before its cleanup, and deletes a policy it created after its dependents', async () => {
    const { driver, seen, watch } = probe(['sqs:SendMessage', 'sqs:DeleteQueue']);
    await driver.deploy(synth({ things: [{ id: 'A' }] }), STACK);
    watch();
    const r = await driver.deploy(synth({
      things: [{ id: 'A' }, { id: 'N', dependsOn: ['Grant'] }, { id: 'F', dependsOn: ['N'], props: { FailOn: 'onEvent:Create' } }],
      grant: ['sqs:DeleteQueue'],
    }), STACK);
    expect(r.status).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(seen.filter((s) => /^(Grant|N|DriverTest):/.test(s))).toEqual([
      'DriverTest:UPDATE_IN_PROGRESS:none',
      'Grant:CREATE_IN_PROGRESS:none',
      'Grant:CREATE_COMPLETE:sqs:DeleteQueue',
      'N:CREATE_IN_PROGRESS:sqs:DeleteQueue',
      'N:CREATE_COMPLETE:sqs:DeleteQueue',
      'DriverTest:UPDATE_ROLLBACK_IN_PROGRESS:sqs:DeleteQueue',
      'DriverTest:UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS:sqs:DeleteQueue',
      'N:DELETE_IN_PROGRESS:sqs:DeleteQueue',
      'N:DELETE_COMPLETE:sqs:DeleteQueue',
      'Grant:DELETE_IN_PROGRESS:sqs:DeleteQueue',
      'Grant:DELETE_COMPLETE:none',
      'DriverTest:UPDATE_ROLLBACK_COMPLETE:none',
    ]);
  });

  test('a rollback restores the old contents of a changed policy before the cleanup phase', async () => {
    const { driver, seen, watch } = probe(['sqs:SendMessage', 'sqs:DeleteQueue']);
    await driver.deploy(synth({ things: [{ id: 'A', dependsOn: ['Grant'] }], grant: ['sqs:SendMessage'] }), STACK);
    watch();
    const r = await driver.deploy(synth({ things: [{ id: 'A', dependsOn: ['Grant'], props: { FailOn: 'onEvent:Update' } }], grant: ['sqs:DeleteQueue'] }), STACK);
    expect(r.status).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(seen.filter((s) => /^(Grant|DriverTest):/.test(s))).toEqual([
      'DriverTest:UPDATE_IN_PROGRESS:sqs:SendMessage',
      'Grant:UPDATE_IN_PROGRESS:sqs:SendMessage',
      'Grant:UPDATE_COMPLETE:sqs:DeleteQueue',
      'DriverTest:UPDATE_ROLLBACK_IN_PROGRESS:sqs:DeleteQueue',
      'Grant:UPDATE_IN_PROGRESS:sqs:DeleteQueue',
      'Grant:UPDATE_COMPLETE:sqs:SendMessage',
      'DriverTest:UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS:sqs:SendMessage',
      'DriverTest:UPDATE_ROLLBACK_COMPLETE:sqs:SendMessage',
    ]);
  });
});
