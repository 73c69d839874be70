import type { Authorizer } from '../iam/types';

/**
 * The contract of the local CloudFormation query API (the part a custom-resource handler calls: DescribeStacks).
 * The driver owns the stacks; the API only answers from what `describeStack` reports at the moment of the call.
 */

/** A stack as DescribeStacks reports it. */
export interface StackDescription {
  readonly stackId: string;
  readonly stackName: string;
  /** CloudFormation's StackStatus, e.g. UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS. */
  readonly status: string;
  readonly creationTime: Date;
  readonly lastUpdatedTime?: Date;
  readonly statusReason?: string;
  /** Set once the stack is deleted (DELETE_COMPLETE); CloudFormation reports it when the stack is described by id. */
  readonly deletionTime?: Date;
}

export interface CloudFormationApiOptions {
  /** Looks a stack up by name or by stack id (ARN); a deleted stack is still found by its id. */
  readonly describeStack: (nameOrId: string) => StackDescription | undefined;
  /** Decides `cloudformation:DescribeStacks` on the stack's ARN; every call is allowed when absent. */
  readonly authorizer?: Authorizer;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Default 0: a free port. */
  readonly port?: number;
  /** For the ARN an unknown stack name is authorized on (`stack/<name>/*`). Default us-east-1, as the emulator's. */
  readonly region?: string;
  /** Default 123456789012, as the emulator's. */
  readonly account?: string;
  /** The API's clock (epoch ms), for its Date header and call records: share the driver's. Default Date.now. */
  readonly now?: () => number;
}
