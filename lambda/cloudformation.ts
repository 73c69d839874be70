import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { sdkClientConfig } from './sdk-config';

/**
 * The only module that talks to CloudFormation: the handler asks for its own stack's status, to tell a forward
 * update from its rollback, and a removal from the rollback of the operation that created the resource. The role
 * may call DescribeStacks on its own stack only.
 */

let client: CloudFormationClient | undefined;

function cloudFormationClient(): CloudFormationClient {
  client ??= new CloudFormationClient(sdkClientConfig());
  return client;
}

/** The stack's status (e.g. UPDATE_ROLLBACK_IN_PROGRESS); the stack id works even once the stack is deleted. */
export async function stackStatus(stackId: string): Promise<string | undefined> {
  const out = await cloudFormationClient().send(new DescribeStacksCommand({ StackName: stackId }));
  return out.Stacks?.[0]?.StackStatus;
}
