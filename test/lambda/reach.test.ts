import { GetServiceInstanceCommand, TagResourceCommand, UpdateServiceInstanceCommand } from '@aws-sdk/client-proton';
import { NEW_SPEC, STACK_ID, succeeded, updateEvent, waiterEvent } from './events';
import { proton, resetMocks, stackIs } from './mocks';
import { isComplete, onEvent } from '../../lambda';
import { cannotReach, isConnectionFailure, isTransient } from '../../lambda/errors';
import { currentPhase, deletionPhase } from '../../lambda/lifecycle/stack-phase';
import { beginOnEvent, failsFast, waitOutConnectionFailures, watchReach } from '../../lambda/reach';

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
    ['ECONNREFUSED inside the SDK\'s error wrapper (no code left)', new Error('AWS SDK error wrapper for Error: connect ECONNREFUSED 127.0.0.1:443'), true],
    ['ECONNRESET (a connection that was open)', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), false],
    ['a request timeout on an open connection', Object.assign(new Error('Connection timed out after 120000 ms'), { name: 'TimeoutError' }), false],
    ['throttling', Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }), false],
  ])('%s → %s', (_name, error, expected) => {
    expect(isConnectionFailure(error)).toBe(expected);
  });

  test('a refused connection is still worth waiting out once the API has been reached (a poll rides it out)', () => {
    expect(isTransient(refused())).toBe(true);
    expect(isTransient(connectTimeout())).toBe(true);
  });
});

describe('the middleware on each SDK client', () => {
  /** A client with a middleware stack that keeps what is added, and runs it over `next`. */
  function fakeClient() {
    let middleware: ((next: (args: unknown) => Promise<unknown>) => (args: unknown) => Promise<unknown>) | undefined;
    const client = { middlewareStack: { add: (m: typeof middleware) => void (middleware = m) } };
    watchReach(client, 'Proton', isConnectionFailure, cannotReach);
    return (next: (args: unknown) => Promise<unknown>) => middleware!(next)({});
  }

  test('in onEvent, a call that could not connect becomes one error naming the VPC endpoint to add', async () => {
    const call = fakeClient();
    beginOnEvent();
    await expect(call(() => Promise.reject(connectTimeout()))).rejects.toThrow(
      /^Cannot reach the Proton API \(TimeoutError: .*did not establish a connection.*\)\. The handler could not connect to the Proton API\. .*com\.amazonaws\.eu-west-1\.proton with private DNS enabled/,
    );
  });

  test('other errors, and answers, pass through unchanged', async () => {
    const call = fakeClient();
    beginOnEvent();
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    await expect(call(() => Promise.reject(throttled))).rejects.toBe(throttled);
    await expect(call(() => Promise.resolve('answer'))).resolves.toBe('answer');
  });

  test('in isComplete (its onEvent connected), a connection failure is left to the lifecycle to wait out', async () => {
    const call = fakeClient();
    waitOutConnectionFailures();
    const e = refused();
    await expect(call(() => Promise.reject(e))).rejects.toBe(e);
  });
});

describe('when onEvent fails fast', () => {
  test('an Update: the error the middleware raises is what CloudFormation shows, and nothing is sent', async () => {
    stackIs('UPDATE_IN_PROGRESS');
    proton.on(GetServiceInstanceCommand).rejects(cannotReach('Proton', refused()));
    await expect(onEvent(updateEvent({ Spec: NEW_SPEC }))).rejects.toThrow(/^Cannot reach the Proton API \(Error: connect ECONNREFUSED 10\.0\.0\.12:443\)\./);
    expect(proton.commandCalls(UpdateServiceInstanceCommand)).toHaveLength(0);
    expect(failsFast()).toBe(true);
  });

  test.each(['UPDATE_ROLLBACK_IN_PROGRESS', 'ROLLBACK_IN_PROGRESS', 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS'] as const)(
    'not once the request knows it belongs to a rollback (%s): failing it would leave the stack stuck, so it waits',
    async (status) => {
      stackIs(status);
      beginOnEvent();
      await currentPhase(STACK_ID);
      expect(failsFast()).toBe(false);
      beginOnEvent();
      await deletionPhase(STACK_ID);
      expect(failsFast()).toBe(false);
    },
  );

  test.each(['UPDATE_IN_PROGRESS', 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS', 'DELETE_IN_PROGRESS', 'CREATE_IN_PROGRESS'] as const)(
    'still in a forward operation (%s)',
    async (status) => {
      stackIs(status);
      beginOnEvent();
      await currentPhase(STACK_ID);
      await deletionPhase(STACK_ID);
      expect(failsFast()).toBe(true);
    },
  );

  test('isComplete follows an onEvent that connected: it waits connection failures out', async () => {
    const event = updateEvent({ Tags: { team: 'web' } }, { Tags: {} });
    proton.on(GetServiceInstanceCommand).resolves({ serviceInstance: succeeded() });
    const answer = await onEvent(event);
    expect(failsFast()).toBe(true);
    await isComplete(waiterEvent(event, answer));
    expect(failsFast()).toBe(false);
  });

  test('a forward request keeps failing fast after reading the stack status', async () => {
    stackIs('UPDATE_IN_PROGRESS');
    proton.on(GetServiceInstanceCommand).resolves({ serviceInstance: succeeded() });
    await onEvent(updateEvent({ Tags: { team: 'web' } }, { Tags: {} }));
    expect(failsFast()).toBe(true);
    expect(proton.commandCalls(TagResourceCommand)).toHaveLength(1);
  });
});
