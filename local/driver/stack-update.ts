/**
 * A stack update and its rollback, phase by phase, as ../shared/docs/cloudformation-paths.md describes them:
 *
 * UPDATE_IN_PROGRESS                          create and update in the new template's dependency order; a custom
 *                                             resource whose Update answers another physical id is replaced
 * UPDATE_COMPLETE_CLEANUP_IN_PROGRESS         delete removed resources and the old ids of replacements, dependents
 *                                             first by the *old* template; a failed delete does not fail the stack
 * UPDATE_ROLLBACK_IN_PROGRESS                 an Update back for every resource the update changed, the failed one
 *                                             included, in the old template's dependency order
 * UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS delete what the failed update created, dependents first by the *new*
 *                                             template
 */
import { AssemblyStack } from './assembly';
import { DeployedResource } from './provider-model';
import { dependenciesFirst, dependentsFirst, ResourceChange, StackOperation } from './stack-operation';
import { CfnTemplate, StackOperationResult } from './types';

export interface TemplateVersion {
  readonly template: CfnTemplate;
  readonly assemblyStack: AssemblyStack;
  readonly parameters: Record<string, unknown>;
}

export async function updateStack(op: StackOperation, next: TemplateVersion): Promise<StackOperationResult> {
  const { state } = op;
  const { template, assemblyStack, parameters, outputs, status } = state;
  const previous = { template, assemblyStack, parameters, outputs, status };
  Object.assign(state, next);
  const order = op.templateOrder();
  const removed = [...state.resources.keys()].filter((id) => !order.includes(id));
  if (removed.length === 0 && !op.hasChanges(order)) {
    Object.assign(state, { template: previous.template, assemblyStack: previous.assemblyStack, parameters: previous.parameters });
    return { stackName: state.stackName, status: previous.status, events: [], outputs: { ...state.outputs }, noChanges: true };
  }

  op.stackEvent('UPDATE_IN_PROGRESS', 'User Initiated');
  op.allowCancel();
  const changes: ResourceChange[] = [];
  let failedId: string | undefined;
  for (const logicalId of order) {
    if (op.cancelRequested) break;
    const change = state.resources.has(logicalId) ? await op.updateResource(logicalId) : await createDuringUpdate(op, logicalId);
    if (change) changes.push(change);
    if (change?.failed) {
      failedId = logicalId;
      break;
    }
  }
  op.disallowCancel();
  if (failedId !== undefined || op.cancelRequested || !op.resolveOutputs()) {
    return rollbackUpdate(op, changes, previous, failedId);
  }

  op.stackEvent('UPDATE_COMPLETE_CLEANUP_IN_PROGRESS');
  const replacedOld = changes.filter((c) => c.before && c.after && c.after.physicalId !== c.before.physicalId).map((c) => c.before!);
  const gone = removed.map((id) => state.resources.get(id)!);
  for (const res of dependentsFirst([...replacedOld, ...gone], previous.template)) {
    // A failed delete here leaves the resource behind (DELETE_FAILED) but does not fail the stack.
    await op.deleteResource(res, { forgetOnFailure: true });
  }
  op.stackEvent('UPDATE_COMPLETE');
  return op.result();
}

async function createDuringUpdate(op: StackOperation, logicalId: string): Promise<ResourceChange | undefined> {
  const ok = await op.createResource(logicalId);
  const after = op.state.resources.get(logicalId);
  // A create that failed before anything was recorded needs no cleanup.
  if (!after) return ok ? undefined : { logicalId, applied: false, failed: true };
  return { logicalId, after, applied: true, failed: !ok };
}

async function rollbackUpdate(
  op: StackOperation,
  changes: ResourceChange[],
  previous: TemplateVersion & { readonly outputs: Record<string, string> },
  failedId: string | undefined,
): Promise<StackOperationResult> {
  const { state } = op;
  const failed = changes.find((c) => c.logicalId === failedId);
  const reason = op.cancelRequested ? 'Stack update cancelled'
    : failedId ? `The following resource(s) failed to ${failed?.before ? 'update' : 'create'}: [${failedId}].`
      : op.failureReason;
  op.stackEvent('UPDATE_ROLLBACK_IN_PROGRESS', reason);
  const failedTemplate = state.template;
  Object.assign(state, { template: previous.template, assemblyStack: previous.assemblyStack, parameters: previous.parameters });

  // Created by the failed update, and physical resources it made that the rollback Updates leave behind.
  const created = changes.filter((c) => !c.before && c.after).map((c) => c.after!);
  const orphans: DeployedResource[] = [];
  for (const change of dependenciesFirst(changes.filter((c) => c.before), previous.template)) {
    if (!(await op.revertResource(change, orphans))) {
      op.stackEvent('UPDATE_ROLLBACK_FAILED', `The following resource(s) failed to update: [${change.logicalId}].`);
      return op.result();
    }
  }
  state.outputs = previous.outputs;

  op.stackEvent('UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS');
  for (const res of dependentsFirst([...created, ...orphans], failedTemplate)) {
    await op.deleteResource(res, { createdByThisOperation: created.includes(res), forgetOnFailure: true });
  }
  op.stackEvent('UPDATE_ROLLBACK_COMPLETE');
  return op.result();
}
