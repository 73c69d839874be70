/**
 * A call that cannot even connect to its API (in a VPC without a NAT gateway or an endpoint for it, or where the
 * API is gone) would otherwise fail as "network trouble" at every poll until the instance's deadline. Where a
 * failure costs nothing, such a call ends the request at once with a message that says what to route:
 *
 * - a Create, from its first call: nothing has been created, and the stack's rollback has nothing to undo;
 * - an Update only once its stack's status shows a forward update (UPDATE_IN_PROGRESS, in a stack that is not
 *   nested: whether a nested stack's own status shows its parent's rollback is unverified), which CloudFormation
 *   rolls back; a Delete only in the deletion of the stack, where the user can retry (see delete.ts). Until then,
 *   and in every rollback and cleanup, a failed request would leave the stack stuck (UPDATE_ROLLBACK_FAILED) or
 *   an instance orphaned, so connection failures are waited out like any passing trouble;
 * - never in isComplete, which follows an onEvent that did connect.
 *
 * The check runs in a middleware on each SDK client, after the SDK's own retries, so it sees every call the same
 * way and stops the request before any later call (a create after an unreachable DescribeStacks, say) is made.
 */

/** The APIs the handler calls, as the messages name them. */
export type Api = 'Proton' | 'CloudFormation';

/** fail: a call that cannot connect ends the request; wait: it is waited out; pending: wait until the phase is known. */
let mode: 'fail' | 'pending' | 'wait' = 'wait';

/**
 * The connection failure each API gave in this invocation. A route that is not there costs a call about 45 s (every
 * attempt the SDK makes waits out the 5 s connection timeout): a later call to the same API in the same invocation
 * fails with the same error at once, so that an invocation of a few calls stays well within its Lambda timeout.
 */
const unreachableNow = new Map<Api, unknown>();

/** onEvent begins: a Create fails fast at once; an Update waits until its stack's status is known; a Delete waits. */
export function beginOnEvent(requestType: 'Create' | 'Update' | 'Delete'): void {
  mode = requestType === 'Create' ? 'fail' : requestType === 'Update' ? 'pending' : 'wait';
  unreachableNow.clear();
}

/** isComplete begins: it follows an onEvent that connected, so connection failures are waited out. */
export function beginIsComplete(): void {
  mode = 'wait';
  unreachableNow.clear();
}

/** The stack's status shows a forward update: an Update that was waiting for it fails fast from now on. */
export function forwardConfirmed(): void {
  if (mode === 'pending') mode = 'fail';
}

/** onEvent has learnt that it belongs to a rollback: connection failures are waited out. */
export function waitOutConnectionFailures(): void {
  mode = 'wait';
}

/** The part of an SDK client this needs: its middleware stack. */
interface WithMiddleware {
  readonly middlewareStack: { add(middleware: any, options: { step: 'initialize'; name: string; override?: boolean }): void };
}

/**
 * Watches every call of the client: when one could not connect and the request must fail fast, the error is
 * replaced by `unreachable(api, error)`; otherwise it is remembered, and later calls to the API in the same
 * invocation fail with it without trying (see unreachableNow).
 */
export function watchReach<C extends WithMiddleware>(
  client: C,
  api: Api,
  isConnectionFailure: (e: unknown) => boolean,
  unreachable: (api: Api, error: unknown) => Error,
): C {
  client.middlewareStack.add(
    (next: (args: unknown) => Promise<unknown>) => async (args: unknown) => {
      const known = unreachableNow.get(api);
      if (known !== undefined) throw mode === 'fail' ? unreachable(api, known) : known;
      try {
        return await next(args);
      } catch (e) {
        if (!isConnectionFailure(e)) throw e;
        if (mode === 'fail') throw unreachable(api, e);
        unreachableNow.set(api, e);
        throw e;
      }
    },
    { step: 'initialize' as const, name: 'cdkProtonReach', override: true },
  );
  return client;
}

/** Whether a connection failure now ends the request: the mode, which otherwise shows only in the middleware's errors. */
export function failsFast(): boolean {
  return mode === 'fail';
}
