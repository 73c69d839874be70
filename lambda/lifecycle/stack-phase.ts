import { stackStatus } from '../cloudformation';
import { errorName } from '../errors';
import { log } from '../log';

/**
 * Where in a stack operation a request arrives. CloudFormation's requests do not say whether an Update is a
 * forward change or the rollback of one, nor whether a Delete removes a resource or rolls back the operation
 * that created it; the stack's own status does (see ../shared/docs/cloudformation-paths.md):
 *
 * - UPDATE_ROLLBACK_IN_PROGRESS: an Update is a rollback (old and new properties swapped).
 * - ROLLBACK_IN_PROGRESS: the stack's creation is rolled back; every Delete undoes a create.
 * - UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS: the Deletes remove what the failed update created.
 */

/** The status of the stack, or undefined when it cannot be read (the reason is logged). */
export async function currentPhase(stackId: string): Promise<string | undefined> {
  try {
    return await stackStatus(stackId);
  } catch (e) {
    log.warn('DescribeStacks on the own stack failed; deciding without the stack status', { error: errorName(e) });
    return undefined;
  }
}

export function isUpdateRollback(phase: string | undefined): boolean {
  return phase === 'UPDATE_ROLLBACK_IN_PROGRESS';
}

/** The stack operation that created the resource is being rolled back: RETAIN does not apply (RetainExceptOnCreate). */
export function rollsBackCreation(phase: string | undefined): boolean {
  return phase === 'ROLLBACK_IN_PROGRESS' || phase === 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS';
}

/**
 * Whether a request that was waiting may still act for its stack operation. A waiter keeps running after
 * CloudFormation stopped listening (a cancelled update); a deployment it sent then would undo the rollback. So a
 * deferred call is sent only while the stack is still in the phase the request arrived in.
 */
export async function stillInPhase(phase: string | undefined, stackId: string): Promise<{ live: boolean; now?: string }> {
  if (phase === undefined) return { live: true };
  const now = await currentPhase(stackId);
  return { live: now === undefined || now === phase, now };
}
