import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import type { UpdateInstanceInput } from '../proton';

/** What onEvent hands to isComplete: the Provider framework passes extra response fields through unchanged. */
export interface WaitState {
  /** Epoch milliseconds after which the wait fails (and a deployment this request started is cancelled). */
  readonly deadline: number;
  /** Nothing is left to wait for (e.g. a Delete of an instance that is already gone or is retained). */
  readonly done?: boolean;
  /** An update that found the instance busy: sent by isComplete once the running deployment has finished. */
  readonly pendingUpdate?: PendingUpdate;
  /** Whether this request started a deployment (false for a tag-only or no-op update). */
  readonly deploys?: boolean;
}

export interface PendingUpdate {
  readonly request: UpdateInstanceInput;
  /** The deployment that was running when the update was refused; a different one later is ours. */
  readonly busyDeploymentId?: string;
  /** When the running deployment started (epoch ms); a deployment attempted later is ours. */
  readonly busyAttemptedAt?: number;
}

export type OnEventRequest = CloudFormationCustomResourceEvent;

export interface OnEventResponse {
  readonly PhysicalResourceId: string;
  readonly ProtonState: WaitState;
}

export type IsCompleteRequest = OnEventRequest & OnEventResponse;

export interface IsCompleteResponse {
  readonly IsComplete: boolean;
  readonly Data?: Record<string, string>;
}

/** The instance a request is about. */
export interface InstanceRef {
  readonly serviceName: string;
  readonly serviceInstanceName: string;
}

export function describeInstance(ref: InstanceRef): string {
  return `service instance '${ref.serviceInstanceName}' of service '${ref.serviceName}'`;
}

export const NOT_COMPLETE: IsCompleteResponse = { IsComplete: false };
