import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
export type { InstanceRef } from '../../src/private/contract';

/**
 * What onEvent hands to isComplete. The Provider framework merges onEvent's answer into the request and gives
 * isComplete that same event on every poll, so this is the only memory a request has: everything else is
 * decided from what Proton says at each poll.
 */
export interface WaitState {
  /** Epoch milliseconds after which every wait fails (and a deployment this request started is cancelled). */
  readonly deadline: number;
  /** The stack's status when the request arrived, when it could be read (a forward update vs its rollback). */
  readonly phase?: string;
  /** Nothing is left to do (a Delete of an instance that is already gone or is retained). */
  readonly done?: boolean;
  /** The client token of this request's deployment call: an instance that carries it runs our deployment. */
  readonly token?: string;
  /** The request creates an instance (a Create, or an Update that replaces one): isComplete watches a create. */
  readonly creates?: boolean;
  /** Create: Proton refused it while the service was busy; isComplete sends it again. */
  readonly pendingCreate?: boolean;
  /** Create that had to wait: when it began (epoch ms); an instance created after it may be its own. */
  readonly startedAt?: number;
  /** Update: the instance's latest deployment when the request arrived; a later one is a new deployment. */
  readonly baseline?: DeploymentMark;
  /** Update: tag changes Proton refused for now (busy, throttled); isComplete sends them again. */
  readonly pendingTags?: TagChanges;
  /** Delete: whether RETAIN applies could not be decided yet (the instance could not be read). */
  readonly undecided?: boolean;
}

export interface DeploymentMark {
  readonly deploymentId?: string;
  /** Epoch milliseconds. */
  readonly attemptedAt?: number;
}

export interface TagChanges {
  readonly set: Record<string, string>;
  readonly remove: string[];
}

export type OnEventRequest = CloudFormationCustomResourceEvent;

export interface OnEventResponse {
  readonly PhysicalResourceId: string;
  readonly ProtonState: WaitState;
  /** CloudFormation masks the attributes; the framework redacts Data in its logs. */
  readonly NoEcho?: boolean;
  /**
   * Overrides the request's old properties in the event the framework passes on: the waiter's Step Functions
   * input is capped at 256 KiB, and two specs of Proton's maximum size would not fit in it together.
   */
  readonly OldResourceProperties?: Record<string, never>;
}

export type IsCompleteRequest = OnEventRequest & OnEventResponse;

export interface IsCompleteResponse {
  readonly IsComplete: boolean;
  readonly Data?: Record<string, string>;
  /** Replaces onEvent's physical id once a create that had to wait for a busy service has an instance. */
  readonly PhysicalResourceId?: string;
}

export const NOT_COMPLETE: IsCompleteResponse = { IsComplete: false };
