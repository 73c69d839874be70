/**
 * A call that cannot even connect to its API (in a VPC without a NAT gateway or an endpoint for it, or where the
 * API is gone) would otherwise fail as "network trouble" at every poll until the instance's deadline. In onEvent,
 * where nothing has been started yet, such a call ends the request at once with a message that says what to route;
 * in isComplete, which follows an onEvent that did connect, and in a rollback, which must not fail, it stays a
 * passing trouble. The check runs in a middleware on each SDK client, after the SDK's own retries, so it sees
 * every call the same way and stops the request before any later call (a create after an unreachable
 * DescribeStacks, say) is made.
 */

/** The APIs the handler calls, as the messages name them. */
export type Api = 'Proton' | 'CloudFormation';

let failFast = false;

/** onEvent begins: a call that cannot connect ends the request. */
export function beginOnEvent(): void {
  failFast = true;
}

/** isComplete begins, or onEvent has learnt that it belongs to a rollback: connection failures are waited out. */
export function waitOutConnectionFailures(): void {
  failFast = false;
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
        if (failFast && isConnectionFailure(e)) throw unreachable(api, e);
        throw e;
      }
    },
    { step: 'initialize' as const, name: 'cdkProtonReach', override: true },
  );
  return client;
}

/** Whether a connection failure now ends the request (for tests and for the lifecycle's own checks). */
export function failsFast(): boolean {
  return failFast;
}
