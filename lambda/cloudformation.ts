import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { cannotReach, isConnectionFailure } from './errors';
import { watchReach } from './reach';
import { sdkClientConfig } from './sdk-config';

/**
 * The only module that talks to CloudFormation: the handler asks for its own stack's status (and, for a nested
 * stack being deleted, its parents'), to tell a forward update from its rollback, and a removal from the rollback
 * of the operation that created the resource. The role may call DescribeStacks on those stacks only.
 */

let client: CloudFormationClient | undefined;

function cloudFormationClient(): CloudFormationClient {
  client ??= watchReach(new CloudFormationClient(sdkClientConfig()), 'CloudFormation', isConnectionFailure, cannotReach);
  return client;
}

export interface StackDescription {
  readonly status?: string;
  /** The stack id of the parent, for a nested stack. */
  readonly parentId?: string;
}

/** A stack's status and parent; the stack id works even once the stack is deleted. */
export async function describeStack(stackId: string): Promise<StackDescription> {
  const out = await cloudFormationClient().send(new DescribeStacksCommand({ StackName: stackId }));
  const stack = out.Stacks?.[0];
  return { status: stack?.StackStatus, parentId: stack?.ParentId };
}
