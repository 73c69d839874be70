import * as fs from 'fs';
import * as path from 'path';
import { STACK, synth } from './fixture-app';
import { trail, useDrivers } from './helpers';
import { CREATE_FAILED_PHYSICAL_ID_MARKER, describeCustomResources, readAssembly, StackEvent } from '../../../local/driver';

jest.setTimeout(20_000);

const newDriver = useDrivers();

const THINGS = ['A', 'B', 'C'];

describe('assembly reader', () => {
  test('follows the ServiceToken to the user functions and the waiter policy', () => {
    const dir = synth({ things: [{ id: 'A', serviceTimeoutSeconds: 120 }], assetMetadata: true, queryIntervalSeconds: 4, totalTimeoutSeconds: 20 });
    const [a] = describeCustomResources(readAssembly(dir), STACK);
    expect(a.logicalId).toBe('A');
    expect(a.resourceType).toBe('Custom::Thing');
    expect(a.serviceTimeoutSeconds).toBe(120);
    expect(a.onEvent.handler).toBe('index.onEvent');
    expect(a.isComplete?.handler).toBe('index.isComplete');
    expect(a.onEvent.environment.OWN_SETTING).toBe('own-us-east-1');
    expect(a.onEvent.timeoutSeconds).toBe(60);
    expect(fs.existsSync(path.join(a.onEvent.codeDir, 'index.js'))).toBe(true);
    expect(a.onEvent.codeDir.startsWith(dir)).toBe(true);
    expect(a.waiter).toEqual({ intervalSeconds: 4, maxAttempts: 5, backoffRate: 1, totalTimeoutSeconds: 20 });
  });
});

describe('create, update, delete', () => {
  const spec = {
    things: [
      { id: 'A', props: { Count: 3, Flag: true, Nested: { List: [1, false] } } },
      { id: 'B', upstream: 'A' },
      { id: 'C', dependsOn: ['B'] },
    ],
    outputs: { BName: ['B', 'Name'] as [string, string], AShared: ['A', 'Shared'] as [string, string] },
  };

  test('creates in dependency order with CloudFormation-shaped requests and merged Data', async () => {
    const seen: StackEvent[] = [];
    const d = newDriver({ onEvent: (e) => seen.push(e) });
    const r = await d.driver.deploy(synth(spec), STACK);
    expect(r.status).toBe('CREATE_COMPLETE');
    expect(r.failureReason).toBeUndefined();
    expect(trail(r.events, THINGS)).toEqual([
      'A:CREATE_IN_PROGRESS', 'A:CREATE_COMPLETE', 'B:CREATE_IN_PROGRESS', 'B:CREATE_COMPLETE', 'C:CREATE_IN_PROGRESS', 'C:CREATE_COMPLETE',
    ]);
    expect(seen).toEqual(r.events);
    const calls = d.state().calls;
    const createA = calls.find((c) => c.step === 'onEvent' && c.logicalId === 'A')!;
    // Scalars arrive as strings, as CloudFormation sends them.
    expect(createA.props).toMatchObject({ Count: '3', Flag: 'true', Nested: { List: ['1', 'false'] } });
    expect(createA.props).not.toHaveProperty('ServiceTimeout');
    expect(createA.props!.ServiceToken).toMatch(/^arn:aws:lambda:us-east-1:123456789012:function:/);
    expect(createA.event).toEqual({
      ResponseURL: expect.stringMatching(/^http/),
      StackId: expect.stringMatching(/^arn:aws:cloudformation:us-east-1:123456789012:stack\/DriverTest\//),
      ServiceToken: createA.props!.ServiceToken,
      ResourceType: 'Custom::Thing',
    });
    expect(createA.requestId).toMatch(/^[0-9a-f-]{36}$/);
    // B's property came from A's Data via GetAtt.
    expect(calls.find((c) => c.logicalId === 'B')!.props!.Upstream).toBe('a');
    // Extra onEvent fields reach isComplete; isComplete's Data wins over onEvent's.
    expect(calls.find((c) => c.step === 'isComplete' && c.logicalId === 'A')!.extra).toBe('passed-through');
    expect(d.driver.getAttribute(STACK, 'A', 'Shared')).toBe('isComplete');
    expect(d.driver.getAttribute(STACK, 'A', 'FromOnEvent')).toBe('a');
    expect(d.driver.physicalId(STACK, 'A')).toBe('pid-a-1');
    expect(r.outputs).toEqual({ BName: 'b', AShared: 'isComplete' });
    expect(d.driver.outputs(STACK)).toEqual(r.outputs);
  });

  test('updates only changed resources, replaces on a new physical id and cleans up with the old properties', async () => {
    const { driver, state } = newDriver();
    await driver.deploy(synth(spec), STACK);
    const again = await driver.deploy(synth(spec), STACK);
    expect(again.noChanges).toBe(true);
    expect(again.status).toBe('CREATE_COMPLETE');

    const changed = synth({
      things: [
        { id: 'A', props: { Count: 4, Flag: true, Nested: { List: [1, false] } } },
        { id: 'B', upstream: 'A', props: { Generation: '2' } },
        { id: 'C', dependsOn: ['B'] },
      ],
      outputs: spec.outputs,
    });
    const before = state().calls.length;
    const r = await driver.deploy(changed, STACK);
    expect(r.status).toBe('UPDATE_COMPLETE');
    const calls = state().calls.slice(before).filter((c) => c.step === 'onEvent');
    expect(calls.map((c) => `${c.logicalId}:${c.type}`)).toEqual(['A:Update', 'B:Update', 'B:Delete']);
    expect(calls[0].physicalId).toBe('pid-a-1');
    expect(calls[0].props!.Count).toBe('4');
    expect(calls[0].oldProps!.Count).toBe('3');
    // The replaced B is deleted after every update, under its old id and with its old properties.
    expect(calls[2].physicalId).toBe('pid-b-1');
    expect(calls[2].props!.Generation).toBeUndefined();
    const stackStatuses = r.events.filter((e) => e.logicalId === STACK).map((e) => e.status);
    expect(stackStatuses).toEqual(['UPDATE_IN_PROGRESS', 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS', 'UPDATE_COMPLETE']);
    expect(trail(r.events, ['B']).slice(-2)).toEqual(['B:DELETE_IN_PROGRESS', 'B:DELETE_COMPLETE']);
    expect(driver.physicalId(STACK, 'B')).toBe('pid-b-2');
    expect(Object.keys(state().things).sort()).toEqual(['pid-a-1', 'pid-b-2', 'pid-c-1']);
  });

  test('deletes removed resources in cleanup and everything in reverse order on destroy', async () => {
    const { driver, state } = newDriver();
    await driver.deploy(synth(spec), STACK);
    const r = await driver.deploy(synth({ things: [{ id: 'A', props: spec.things[0].props }, { id: 'B', upstream: 'A' }] }), STACK);
    expect(r.status).toBe('UPDATE_COMPLETE');
    expect(trail(r.events, THINGS)).toEqual(['C:DELETE_IN_PROGRESS', 'C:DELETE_COMPLETE']);
    const d = await driver.destroy(STACK);
    expect(d.status).toBe('DELETE_COMPLETE');
    expect(trail(d.events, THINGS)).toEqual(['B:DELETE_IN_PROGRESS', 'B:DELETE_COMPLETE', 'A:DELETE_IN_PROGRESS', 'A:DELETE_COMPLETE']);
    expect(state().things).toEqual({});
    expect(driver.stackStatus(STACK)).toBeUndefined();
  });

  test('defaults the physical id to the RequestId on Create', async () => {
    const { driver, state } = newDriver();
    await driver.deploy(synth({ things: [{ id: 'A', props: { NoPhysicalId: 'true' } }] }), STACK);
    const create = state().calls.find((c) => c.step === 'onEvent')!;
    expect(driver.physicalId(STACK, 'A')).toBe(create.requestId);
  });
});

describe('failures and rollback', () => {
  test('a Create failing in onEvent gets the CREATE_FAILED marker and its Delete never reaches the handler', async () => {
    const { driver, state } = newDriver();
    const r = await driver.deploy(synth({ things: [{ id: 'A' }, { id: 'B', props: { FailOn: 'onEvent:Create' }, dependsOn: ['A'] }] }), STACK);
    expect(r.status).toBe('ROLLBACK_COMPLETE');
    const failed = r.events.find((e) => e.status === 'CREATE_FAILED')!;
    expect(failed.physicalId).toBe(CREATE_FAILED_PHYSICAL_ID_MARKER);
    expect(failed.reason).toMatch(/^Received response status \[FAILED\] from custom resource\. Message returned: onEvent refused Create of b\n\nLogs: \/aws\/lambda\/DriverTest-OnEvent[^\n]*\n\n {4}at /);
    expect(failed.reason).toMatch(/\(RequestId: [0-9a-f-]{36}\)$/);
    expect(r.failureReason).toBe(failed.reason);
    expect(trail(r.events, ['B']).slice(-2)).toEqual(['B:DELETE_IN_PROGRESS', 'B:DELETE_COMPLETE']);
    const deletes = state().calls.filter((c) => c.type === 'Delete' && c.step === 'onEvent');
    expect(deletes.map((c) => c.logicalId)).toEqual(['A']);
    expect(state().things).toEqual({});
  });

  test('an isComplete failure rolls back with a real Delete for the resource', async () => {
    const { driver, state } = newDriver();
    const r = await driver.deploy(synth({ things: [{ id: 'A', props: { FailOn: 'isComplete:Create' } }] }), STACK);
    expect(r.status).toBe('ROLLBACK_COMPLETE');
    expect(r.failureReason).toContain('Message returned: isComplete refused Create of a\n\nLogs: /aws/lambda/DriverTest-IsComplete');
    const del = state().calls.find((c) => c.type === 'Delete' && c.step === 'onEvent')!;
    expect(del.physicalId).toBe('pid-a-1');
  });

  test('an update failure sends every changed resource an Update back, the replacement to its new id, and deletes the replacement', async () => {
    const { driver, state } = newDriver();
    await driver.deploy(synth({ things: [{ id: 'A' }, { id: 'B', dependsOn: ['A'] }] }), STACK);
    const before = state().calls.length;
    const r = await driver.deploy(synth({
      things: [{ id: 'A', props: { Generation: '2' } }, { id: 'B', dependsOn: ['A'], props: { FailOn: 'onEvent:Update', Tag: 'new' } }],
    }), STACK);
    expect(r.status).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(r.failureReason).toContain('onEvent refused Update of b');
    const calls = state().calls.slice(before).filter((c) => c.step === 'onEvent');
    // Rollback: A (replaced: the Update goes to its new id) and B (whose Update failed), in the old template's
    // order; A answers its old id, so its new physical resource is deleted in the cleanup.
    expect(calls.map((c) => `${c.logicalId}:${c.type}:${c.physicalId}`)).toEqual([
      'A:Update:pid-a-1', 'B:Update:pid-b-1', 'A:Update:pid-a-2', 'B:Update:pid-b-1', 'A:Delete:pid-a-2',
    ]);
    // The rollback Update carries the old properties as new and the attempted ones as old.
    expect(calls[2].props!.Generation).toBeUndefined();
    expect(calls[2].oldProps!.Generation).toBe('2');
    expect(calls[3].props!.Tag).toBeUndefined();
    expect(calls[3].oldProps!.Tag).toBe('new');
    expect(driver.physicalId(STACK, 'A')).toBe('pid-a-1');
    expect(Object.keys(state().things).sort()).toEqual(['pid-a-1', 'pid-b-1']);
    expect(r.events.filter((e) => e.logicalId === STACK).map((e) => e.status)).toEqual([
      'UPDATE_IN_PROGRESS', 'UPDATE_ROLLBACK_IN_PROGRESS', 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS', 'UPDATE_ROLLBACK_COMPLETE',
    ]);
  });

  test('Data returned with IsComplete false fails the resource', async () => {
    const { driver } = newDriver();
    const r = await driver.deploy(synth({ things: [{ id: 'A', props: { Polls: 2, DataWhileIncomplete: 'true' } }] }), STACK);
    expect(r.status).toBe('ROLLBACK_COMPLETE');
    expect(r.failureReason).toContain('Message returned: Error: "Data" is not allowed if "IsComplete" is "False"');
  });

  test('the waiter gives up after MaxAttempts retries with "Operation timed out"', async () => {
    const { driver, state } = newDriver();
    const r = await driver.deploy(synth({ things: [{ id: 'A', props: { Polls: 1000 } }], queryIntervalSeconds: 5, totalTimeoutSeconds: 30 }), STACK);
    expect(r.status).toBe('ROLLBACK_COMPLETE');
    expect(r.failureReason).toContain('Message returned: Operation timed out');
    const creates = state().calls.filter((c) => c.step === 'isComplete' && c.type === 'Create');
    expect(creates).toHaveLength(1 + 6);
  });

  test('keeps polling until complete within the attempts', async () => {
    const { driver, state } = newDriver();
    const r = await driver.deploy(synth({ things: [{ id: 'A', props: { Polls: 3 } }] }), STACK);
    expect(r.status).toBe('CREATE_COMPLETE');
    expect(state().calls.filter((c) => c.step === 'isComplete')).toHaveLength(4);
  });

  test('ServiceTimeout fails the resource when no response arrives in time', async () => {
    const { driver } = newDriver();
    const started = Date.now();
    // The waiter would poll for an hour; CloudFormation stops waiting after 30 s.
    const r = await driver.deploy(synth({ things: [{ id: 'A', props: { Polls: 1_000_000 }, serviceTimeoutSeconds: 30 }], totalTimeoutSeconds: 3600 }), STACK);
    expect(r.status).toBe('ROLLBACK_COMPLETE');
    expect(r.failureReason).toContain('did not receive a response from your Custom Resource within 30 seconds');
    // 30 s on the virtual clock: CloudFormation gave up at the first wake-up at or after 30 s.
    const failed = r.events.find((e) => e.status === 'CREATE_FAILED')!;
    const creating = r.events.find((e) => e.logicalId === 'A' && e.status === 'CREATE_IN_PROGRESS')!;
    expect(failed.timestamp.getTime() - creating.timestamp.getTime()).toBeGreaterThanOrEqual(30_000);
    expect(failed.timestamp.getTime() - creating.timestamp.getTime()).toBeLessThan(35_000);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  test('a response over 4,096 bytes is rejected', async () => {
    const { driver } = newDriver();
    const small = await driver.deploy(synth({ things: [{ id: 'A', props: { DataSize: 3000 } }] }), STACK);
    expect(small.status).toBe('CREATE_COMPLETE');
    const { driver: d2 } = newDriver();
    const big = await d2.deploy(synth({ things: [{ id: 'A', props: { DataSize: 4100 } }] }), STACK);
    expect(big.status).toBe('ROLLBACK_COMPLETE');
    expect(big.failureReason).toMatch(/^Response object is too long\. The response body is \d+ bytes/);
  });

  test('a GetAtt on a key missing from Data fails the stack', async () => {
    const { driver } = newDriver();
    const r = await driver.deploy(synth({ things: [{ id: 'A', props: { OmitData: 'true' } }, { id: 'B', upstream: 'A' }] }), STACK);
    expect(r.status).toBe('ROLLBACK_COMPLETE');
    const failed = r.events.find((e) => e.status === 'CREATE_FAILED')!;
    expect(failed.logicalId).toBe('B');
    expect(failed.reason).toMatch(/Vendor response doesn't contain Name attribute in object arn:aws:cloudformation:.*\|A\|pid-a-1$/);
  });

  test('a handler exceeding its function timeout fails like a Lambda timeout', async () => {
    const { driver } = newDriver();
    const r = await driver.deploy(synth({ things: [{ id: 'A', props: { SleepMs: 400 } }], functionTimeoutSeconds: 5 }), STACK);
    expect(r.status).toBe('ROLLBACK_COMPLETE');
    expect(r.failureReason).toMatch(/Message returned: Error: .* Task timed out after 5\.00 seconds\n\nLogs: \/aws\/lambda\//);
    await new Promise((res) => setTimeout(res, 500));
  });
});

describe('handler invocation', () => {
  test('delivers a duplicate request with the same RequestId when asked', async () => {
    const { driver, state } = newDriver();
    const r = await driver.deploy(synth({ things: [{ id: 'A' }] }), STACK, { duplicateRequests: true });
    expect(r.status).toBe('CREATE_COMPLETE');
    const creates = state().calls.filter((c) => c.step === 'onEvent' && c.type === 'Create');
    expect(creates).toHaveLength(2);
    expect(creates[0].requestId).toBe(creates[1].requestId);
    expect(state().creates['pid-a-1']).toBe(2);
    expect(driver.responses.map((x) => x.delivery)).toEqual([1, 2]);
    // The framework's onEvent function received the request twice, with the same RequestId.
    const deliveries = driver.invocations.filter((i) => i.functionName.includes('frameworkonEvent')).map((i) => (i.event as { RequestId: string }).RequestId);
    expect(deliveries).toEqual([creates[0].requestId, creates[0].requestId]);
  });

  test('runs handlers with the function environment plus the driver env, never touching process.env', async () => {
    const logs: string[] = [];
    const { driver, state } = newDriver({ log: (m) => logs.push(m) });
    delete process.env.AWS_ENDPOINT_URL_THING;
    await driver.deploy(synth({ things: [{ id: 'A' }] }), STACK);
    const call = state().calls.find((c) => c.step === 'onEvent')!;
    expect(call.env).toEqual({ endpoint: 'http://127.0.0.1:9999', own: 'own-us-east-1', region: 'us-east-1' });
    expect(call.context!.functionName).toMatch(/^DriverTest-OnEvent/);
    expect(call.context!.remaining).toBeGreaterThan(50_000);
    expect(process.env.AWS_ENDPOINT_URL_THING).toBeUndefined();
    expect(process.env.STATE_FILE).toBeUndefined();
    expect(logs.some((l) => l.includes('onEvent Create A'))).toBe(true);
    const inv = driver.invocations.find((i) => i.functionName === call.context!.functionName)!;
    expect(inv.logs.map((l) => l.message)).toEqual(['onEvent Create A']);
  });
});

describe('destroy failures', () => {
  test('a Delete error leaves the stack DELETE_FAILED with the resource kept', async () => {
    const { driver } = newDriver();
    await driver.deploy(synth({ things: [{ id: 'A', props: { FailOn: 'onEvent:Delete' } }] }), STACK);
    const r = await driver.destroy(STACK);
    expect(r.status).toBe('DELETE_FAILED');
    expect(r.failureReason).toContain('onEvent refused Delete of a');
    expect(driver.resources(STACK)).toContain('A');
  });
});
