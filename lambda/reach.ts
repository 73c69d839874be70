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

/** onEvent begins: a Create fails fast at once; an Update waits until its stack's status is known; a Delete waits. */
export function beginOnEvent(requestType: 'Create' | 'Update' | 'Delete'): void {
  mode = requestType === 'Create' ? 'fail' : requestType === 'Update' ? 'pending' : 'wait';
}

/** The stack's status shows a forward update: an Update that was waiting for it fails fast from now on. */
export function forwardConfirmed(): void {
  if (mode === 'pending') mode = 'fail';
}

/** isComplete begins, or onEvent has learnt that it belongs to a rollback: connection failures are waited out. */
export function waitOutConnectionFailures(): void {
  mode = 'wait';
}

/** The part of an SDK client this needs: its middleware stack. */
interface WithMiddleware {
  readonly middlewareStack: { add(middleware: any, options: { step: 'initialize'; name: string; override?: boolean }): void };
}

/**
 * Watches every call of the client: when one could not connect and the request must fail fast, the error is
 * replaced by `unreachable(api, error)`.
 */
export function watchReach<C extends WithMiddleware>(
  client: C,
  api: Api,
  isConnectionFailure: (e: unknown) => boolean,
  unreachable: (api: Api, error: unknown) => Error,
): C {
  client.middlewareStack.add(
    (next: (args: unknown) => Promise<unknown>) => async (args: unknown) => {
      try {
        return await next(args);
      } catch (e) {
        if (mode === 'fail' && isConnectionFailure(e)) throw unreachable(api, e);
        throw e;
      }
    },
    { step: 'initialize' as const, name: 'cdkProtonReach', override: true },
  );
  return client;
}

/** Whether a connection failure now ends the request (for tests and for the lifecycle's own checks). */
export function failsFast(): boolean {
  return mode === 'fail';
}
