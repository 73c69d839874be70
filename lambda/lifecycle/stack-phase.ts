import { describeStack, StackDescription } from '../cloudformation';
import { describeCallError, errorName, isTransient } from '../errors';
import { log } from '../log';
import { forwardConfirmed, waitOutConnectionFailures } from '../reach';

/**
 * Where in a stack operation a request arrives. CloudFormation's requests do not say whether an Update is a
 * forward change or the rollback of one, nor whether a Delete removes a resource or rolls back the operation
 * that created it; the stack's own status does (see ../shared/docs/cloudformation-paths.md):
 *
 * - UPDATE_ROLLBACK_IN_PROGRESS: an Update is a rollback (old and new properties swapped).
 * - ROLLBACK_IN_PROGRESS: the stack's creation is rolled back; every Delete undoes a create.
 * - UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS: the Deletes remove what the failed update created.
 *
 * A nested stack deleted by its parent is DELETE_IN_PROGRESS whatever the reason; the parent's status says why.
 */

/** The statuses in which a stack deletes what the operation rolled back had created. */
const ROLLS_BACK_CREATION = new Set(['ROLLBACK_IN_PROGRESS', 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS']);

/** How many parents a nested stack's deletion is traced through (CloudFormation allows deeper, rarely used). */
const MAX_NESTING = 5;

/**
 * The stack's status, for a Create or an Update, whose decisions depend on it. Throttling or a network failure
 * that outlasts the SDK's retries leaves it unknown (undefined); a refusal is a misconfigured role (a permissions
 * boundary or an SCP denying DescribeStacks) and fails the request, rather than let a later rollback decide blind.
 */
export async function currentPhase(stackId: string): Promise<string | undefined> {
  let stack: StackDescription;
  try {
    stack = await describeStack(stackId);
  } catch (e) {
    if (!isTransient(e)) {
      throw describeCallError(e, { operation: 'DescribeStacks', service: 'cloudformation', subject: 'its own stack', resource: stackId });
    }
    log.warn('DescribeStacks on the own stack failed; deciding without the stack status for now', { error: errorName(e) });
    return undefined;
  }
  if (stack.status !== 'UPDATE_IN_PROGRESS') return rollbackAware(stack.status);
  // For a nested stack: whether CloudFormation shows a parent's rollback in the nested stack's own status is unverified,
  // so the parents are read too. A parent rolling back makes the request a rollback; only when the root reads
  // UPDATE_IN_PROGRESS as well is it a forward update. A parent that cannot be read confirms nothing.
  const traced = await traceUp(stack, 'UPDATE_IN_PROGRESS', 'DescribeStacks on a parent stack failed; taking the nested stack\'s own status');
  if (traced === 'UPDATE_IN_PROGRESS') forwardConfirmed();
  return rollbackAware(traced === 'UPDATE_ROLLBACK_IN_PROGRESS' ? traced : stack.status);
}

/**
 * For a Delete: the status that says why the resource is deleted — the own stack's, or, for a nested stack that its
 * parent is deleting (DELETE_IN_PROGRESS), the first ancestor's that is not deleting. Undefined when unknown: a
 * Delete never fails for it, it decides without (an instance that never deployed is still removed).
 */
export async function deletionPhase(stackId: string): Promise<string | undefined> {
  const unknown = 'DescribeStacks failed; deciding the removal without the stack status';
  let stack: StackDescription;
  try {
    stack = await describeStack(stackId);
  } catch (e) {
    log.warn(unknown, { error: errorName(e), stackId });
    return undefined;
  }
  return traceUp(stack, 'DELETE_IN_PROGRESS', unknown);
}

/**
 * A nested stack's status `passing` says only that a parent is acting on it: the parents are read, up to
 * MAX_NESTING of them, until one reads otherwise or the root is reached. Answers that status (`passing` at a root
 * that reads it); undefined, unknown, when the stack MAX_NESTING parents up still reads `passing` or a parent
 * cannot be read (logged with `warning`).
 */
async function traceUp(stack: StackDescription, passing: string, warning: string): Promise<string | undefined> {
  for (let parents = 0; stack.status === passing && stack.parentId !== undefined; parents++) {
    if (parents === MAX_NESTING) return undefined;
    const parentId: string = stack.parentId;
    try {
      stack = await describeStack(parentId);
    } catch (e) {
      log.warn(warning, { error: errorName(e), stackId: parentId });
      return undefined;
    }
  }
  return stack.status;
}

/** A request that belongs to a rollback must not fail on a connection failure: it waits it out (see reach.ts). */
function rollbackAware(phase: string | undefined): string | undefined {
  if (isUpdateRollback(phase) || rollsBackCreation(phase)) waitOutConnectionFailures();
  return phase;
}

export function isUpdateRollback(phase: string | undefined): boolean {
  return phase === 'UPDATE_ROLLBACK_IN_PROGRESS';
}

/** The stack operation that created the resource is being rolled back: RETAIN does not apply (RetainExceptOnCreate). */
export function rollsBackCreation(phase: string | undefined): boolean {
  return phase !== undefined && ROLLS_BACK_CREATION.has(phase);
}

/**
 * Whether a request that was waiting may still act for its stack operation. A waiter keeps running after
 * CloudFormation stopped listening (a cancelled update, another resource's failure); a deployment it sent then
 * would undo the rollback. So a deferred call is sent only while the stack is still in the phase the request
 * arrived in.
 */
export async function stillInPhase(phase: string | undefined, stackId: string): Promise<{ live: boolean; now?: string }> {
  if (phase === undefined) return { live: true };
  let now: string | undefined;
  try {
    now = (await describeStack(stackId)).status;
  } catch (e) {
    log.warn('DescribeStacks failed; taking the stack operation as still running', { error: errorName(e) });
  }
  return { live: now === undefined || now === phase, now };
}
