import { GetServiceInstanceCommand, UpdateServiceInstanceCommand } from '@aws-sdk/client-proton';
import { deleteEvent, NEW_SPEC, STACK_ID, stackIdOf, succeeded, updateEvent, waiterEvent } from './events';
import { proton, resetMocks, stackIs, stacksAre } from './mocks';
import { isComplete, onEvent } from '../../lambda';
import { cannotReach, isConnectionFailure, isTransient } from '../../lambda/errors';
import { currentPhase } from '../../lambda/lifecycle/stack-phase';
import { Api, beginIsComplete, beginOnEvent, failsFast, watchReach } from '../../lambda/reach';

/**
 * A function that cannot connect to an API at all (in a VPC without a route to it, or where the API is gone) fails
 * its onEvent at once with a message that says how to route to the API, instead of waiting out the deadline. The
 * check is a middleware on the real SDK clients (the wire suite runs it through them, test/wire/unreachable.test.ts);
 * the mocks here replace the clients' send, so the middleware is tested on its own and its error is injected.
 */

const refused = () => Object.assign(new Error('connect ECONNREFUSED 10.0.0.12:443'), { code: 'ECONNREFUSED', syscall: 'connect' });
const connectTimeout = () =>
  Object.assign(new Error('@smithy/node-http-handler - the request socket did not establish a connection with the server within the configured timeout of 5000 ms.'), {
    name: 'TimeoutError',
  });

let region: string | undefined;
beforeEach(() => {
  resetMocks();
  region = process.env.AWS_REGION;
  process.env.AWS_REGION = 'eu-west-1';
});
afterEach(() => {
  if (region === undefined) delete process.env.AWS_REGION;
  else process.env.AWS_REGION = region;
});

describe('which failures are connection failures', () => {
  test.each([
    ['ECONNREFUSED on connect', refused(), true],
    ['ENOTFOUND', Object.assign(new Error('getaddrinfo ENOTFOUND proton.eu-west-1.amazonaws.com'), { code: 'ENOTFOUND' }), true],
    ['EAI_AGAIN', Object.assign(new Error('getaddrinfo EAI_AGAIN'), { code: 'EAI_AGAIN' }), true],
    ['ETIMEDOUT on connect', Object.assign(new Error('connect ETIMEDOUT'), { code: 'ETIMEDOUT', syscall: 'connect' }), true],
    ['the SDK\'s connection timeout', connectTimeout(), true],
    ['every address refused (Node\'s AggregateError: no message of its own)', Object.assign(new AggregateError([refused(), refused()], ''), { code: 'ECONNREFUSED' }), true],
    ['ECONNREFUSED inside the SDK\'s error wrapper (no code left)', new Error('AWS SDK error wrapper for Error: connect ECONNREFUSED 127.0.0.1:443'), true],
    ['ECONNRESET (a connection that was open)', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), false],
    ['a request timeout on an open connection', Object.assign(new Error('Connection timed out after 120000 ms'), { name: 'TimeoutError' }), false],
    ['throttling', Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }), false],
  ])('%s → %s', (_name, error, expected) => {
    expect(isConnectionFailure(error)).toBe(expected);
  });

  test('an AggregateError is summed up by its first error', () => {
    expect(cannotReach('Proton', new AggregateError([refused()], '')).message).toMatch(/^Cannot reach the Proton API \(AggregateError: Error: connect ECONNREFUSED 10\.0\.0\.12:443\)/);
  });

  test('a name that does not resolve is waited out too where the request must not fail; our own errors never are', () => {
    expect(isTransient(Object.assign(new Error('getaddrinfo ENOTFOUND proton.eu-west-1.amazonaws.com'), { code: 'ENOTFOUND' }))).toBe(true);
    expect(isTransient(cannotReach('Proton', refused()))).toBe(false);
    expect(isConnectionFailure(cannotReach('Proton', refused()))).toBe(false);
  });

  test('a refused connection is still worth waiting out once the API has been reached (a poll rides it out)', () => {
    expect(isTransient(refused())).toBe(true);
    expect(isTransient(connectTimeout())).toBe(true);
  });
});

describe('the middleware on each SDK client', () => {
  /** A client with a middleware stack that keeps what is added, and runs it over `next`. */
  function fakeClient(api: Api = 'Proton') {
    let middleware: ((next: (args: unknown) => Promise<unknown>) => (args: unknown) => Promise<unknown>) | undefined;
    const client = { middlewareStack: { add: (m: typeof middleware) => void (middleware = m) } };
    watchReach(client, api, isConnectionFailure, cannotReach);
    return (next: (args: unknown) => Promise<unknown>) => middleware!(next)({});
  }

  test('in onEvent, a call that could not connect becomes one error naming the VPC endpoint to add', async () => {
    const call = fakeClient();
    beginOnEvent('Create');
    await expect(call(() => Promise.reject(connectTimeout()))).rejects.toThrow(
      /^Cannot reach the Proton API \(TimeoutError: .*did not establish a connection.*\)\. The handler could not connect to the Proton API\. .*com\.amazonaws\.eu-west-1\.proton with private DNS enabled/,
    );
  });

  test('other errors, and answers, pass through unchanged', async () => {
    const call = fakeClient();
    beginOnEvent('Create');
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    await expect(call(() => Promise.reject(throttled))).rejects.toBe(throttled);
    await expect(call(() => Promise.resolve('answer'))).resolves.toBe('answer');
  });

  test('in isComplete (its onEvent connected), a connection failure is left to the lifecycle to wait out', async () => {
    const call = fakeClient();
    beginIsComplete();
    const e = refused();
    await expect(call(() => Promise.reject(e))).rejects.toBe(e);
  });

  test('once an API could not be reached, later calls to it in the same invocation fail at once with that error', async () => {
    const call = fakeClient();
    beginOnEvent('Delete');
    const e = connectTimeout();
    await expect(call(() => Promise.reject(e))).rejects.toBe(e);
    const next = jest.fn(() => Promise.resolve('answer'));
    await expect(call(next)).rejects.toBe(e);
    expect(next).not.toHaveBeenCalled();
    // The next invocation tries again.
    beginIsComplete();
    await expect(call(next)).resolves.toBe('answer');
    expect(next).toHaveBeenCalledTimes(1);
  });

  test('another API is still tried: the memory is per API', async () => {
    const protonCall = fakeClient('Proton');
    const cloudFormationCall = fakeClient('CloudFormation');
    beginOnEvent('Update');
    await expect(cloudFormationCall(() => Promise.reject(refused()))).rejects.toThrow(/ECONNREFUSED/);
    await expect(protonCall(() => Promise.resolve('answer'))).resolves.toBe('answer');
  });

  test('an error that is not a connection failure is not remembered', async () => {
    const call = fakeClient();
    beginOnEvent('Delete');
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    await expect(call(() => Promise.reject(throttled))).rejects.toBe(throttled);
    await expect(call(() => Promise.resolve('answer'))).resolves.toBe('answer');
  });
});

describe('when onEvent fails fast', () => {
  test('a Create, from its first call: nothing exists yet that a failure could leave behind', () => {
    beginOnEvent('Create');
    expect(failsFast()).toBe(true);
  });

  test('an Update in a forward update: the error the middleware raises is what CloudFormation shows, and nothing is sent', async () => {
    stackIs('UPDATE_IN_PROGRESS');
    proton.on(GetServiceInstanceCommand).rejects(cannotReach('Proton', refused()));
    await expect(onEvent(updateEvent({ Spec: NEW_SPEC }))).rejects.toThrow(/^Cannot reach the Proton API \(Error: connect ECONNREFUSED 10\.0\.0\.12:443\)\./);
    expect(proton.commandCalls(UpdateServiceInstanceCommand)).toHaveLength(0);
    expect(failsFast()).toBe(true);
  });

  test('an Update waits connection failures out until the stack\'s status shows a forward update', async () => {
    beginOnEvent('Update');
    expect(failsFast()).toBe(false);
    // DescribeStacks itself could not connect: the Update may be a rollback, so it goes on waiting.
    stackIs(refused());
    await expect(currentPhase(STACK_ID)).resolves.toBeUndefined();
    expect(failsFast()).toBe(false);
    stackIs('UPDATE_IN_PROGRESS');
    await currentPhase(STACK_ID);
    expect(failsFast()).toBe(true);
  });

  describe('an Update in a nested stack reading UPDATE_IN_PROGRESS: its parents decide', () => {
    const PARENT = stackIdOf('Parent');
    const ROOT = stackIdOf('Root', '00000000-1111-2222-3333-444444444444');

    test('every parent up to the root updating: a forward update, failing fast', async () => {
      stacksAre({ [STACK_ID]: { status: 'UPDATE_IN_PROGRESS', parentId: PARENT }, [PARENT]: { status: 'UPDATE_IN_PROGRESS', parentId: ROOT }, [ROOT]: 'UPDATE_IN_PROGRESS' });
      beginOnEvent('Update');
      await expect(currentPhase(STACK_ID)).resolves.toBe('UPDATE_IN_PROGRESS');
      expect(failsFast()).toBe(true);
    });

    test('a parent rolling back: the Update is a rollback (old and new swapped), and waits', async () => {
      stacksAre({ [STACK_ID]: { status: 'UPDATE_IN_PROGRESS', parentId: PARENT }, [PARENT]: { status: 'UPDATE_IN_PROGRESS', parentId: ROOT }, [ROOT]: 'UPDATE_ROLLBACK_IN_PROGRESS' });
      beginOnEvent('Update');
      await expect(currentPhase(STACK_ID)).resolves.toBe('UPDATE_ROLLBACK_IN_PROGRESS');
      expect(failsFast()).toBe(false);
    });

    test('a parent that cannot be read: the nested stack\'s own status, not confirmed as forward', async () => {
      stacksAre({ [STACK_ID]: { status: 'UPDATE_IN_PROGRESS', parentId: PARENT }, [PARENT]: refused() });
      beginOnEvent('Update');
      await expect(currentPhase(STACK_ID)).resolves.toBe('UPDATE_IN_PROGRESS');
      expect(failsFast()).toBe(false);
    });
  });

  test.each(['UPDATE_ROLLBACK_IN_PROGRESS', 'ROLLBACK_IN_PROGRESS', 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS'] as const)(
    'not in a rollback (%s): failing it would leave the stack stuck, so even a Create waits',
    async (status) => {
      stackIs(status);
      for (const type of ['Create', 'Update'] as const) {
        beginOnEvent(type);
        await currentPhase(STACK_ID);
        expect(failsFast()).toBe(false);
      }
    },
  );

  test('a rollback Update that cannot reach Proton waits for the next poll instead of failing', async () => {
    stackIs('UPDATE_ROLLBACK_IN_PROGRESS');
    proton.on(GetServiceInstanceCommand).rejects(refused());
    await expect(onEvent(updateEvent({ Spec: NEW_SPEC }))).resolves.toMatchObject({ PhysicalResourceId: expect.any(String) });
    expect(proton.commandCalls(UpdateServiceInstanceCommand)).toHaveLength(0);
  });

  test('a Delete in the stack\'s deletion: the user can delete again once Proton is reachable, so it fails at once', async () => {
    stackIs('DELETE_IN_PROGRESS');
    proton.on(GetServiceInstanceCommand).rejects(refused());
    await expect(onEvent(deleteEvent())).rejects.toThrow(/^Cannot reach the Proton API \(Error: connect ECONNREFUSED 10\.0\.0\.12:443\)\. .*com\.amazonaws\.eu-west-1\.proton/);
  });

  test.each([
    ['UPDATE_COMPLETE_CLEANUP_IN_PROGRESS', 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS' as const],
    ['UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS', 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS' as const],
    ['ROLLBACK_IN_PROGRESS', 'ROLLBACK_IN_PROGRESS' as const],
    ['a stack status that cannot be read', refused()],
  ])('a Delete anywhere else (%s) waits: failing would orphan the instance or stick the stack', async (_name, status) => {
    stackIs(status);
    proton.on(GetServiceInstanceCommand).rejects(refused());
    await expect(onEvent(deleteEvent())).resolves.toMatchObject({ ProtonState: { undecided: true } });
    expect(failsFast()).toBe(false);
  });

  test('isComplete follows an onEvent that connected: it waits connection failures out', async () => {
    stackIs('UPDATE_IN_PROGRESS');
    const event = updateEvent({ Tags: { team: 'web' } }, { Tags: {} });
    proton.on(GetServiceInstanceCommand).resolves({ serviceInstance: succeeded() });
    const answer = await onEvent(event);
    expect(failsFast()).toBe(true);
    await isComplete(waiterEvent(event, answer));
    expect(failsFast()).toBe(false);
  });
});
