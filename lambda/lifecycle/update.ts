import { describeCallError, describeInstance, isConflict, isTransient } from '../errors';
import { log } from '../log';
import { physicalInstance, sameInstance } from '../physical-id';
import { InstanceProperties } from '../properties';
import * as proton from '../proton';
import { fromThisResource } from './client-token';
import { createInstance } from './create';
import { DeploymentPlan, planDeployment } from './plan';
import { desiredOf, downgrade, gone, reconcileState, refOf } from './reconcile';
import { currentPhase, isUpdateRollback } from './stack-phase';
import { applyTagChanges, tagChanges } from './tags';
import { InstanceRef, OnEventRequest, OnEventResponse, WaitState } from './types';
import { inMotion, readInstance } from './wait';
import { serviceInstanceArnIn } from '../../src/private/contract';

/**
 * Update. A new name or service is a new instance (CloudFormation then deletes the old physical id) — unless the
 * instance it names already exists and is this resource's own: in a rollback that is the instance the stack had
 * before a rename (the rollback's Update carries the old name and the new physical id), and the resource points
 * back at it without creating anything. Otherwise the deployment is decided from the instance's real state (see
 * plan.ts), sent at once when the instance is idle, and otherwise by isComplete (see reconcile.ts).
 */

/** The old properties are not passed on to isComplete, which decides from the new ones and Proton's answers. */
const NO_OLD_PROPERTIES = {};

export async function onUpdate(
  event: OnEventRequest & { PhysicalResourceId: string },
  oldProps: InstanceProperties,
  newProps: InstanceProperties,
): Promise<OnEventResponse> {
  const phase = await currentPhase(event.StackId);
  const current = physicalInstance(event.PhysicalResourceId);
  const response = current && sameInstance(current.ref, refOf(newProps))
    ? await changeInPlace(event, oldProps, newProps, phase)
    : await replace(event, newProps, phase);
  return { ...response, OldResourceProperties: NO_OLD_PROPERTIES };
}

async function replace(event: OnEventRequest, props: InstanceProperties, phase: string | undefined): Promise<OnEventResponse> {
  const ref = refOf(props);
  const { instance, retry, error } = await readInstance(ref);
  if (retry) {
    if (isUpdateRollback(phase)) {
      // A rollback points back at the instance the stack had and must complete: name it without reading it, and let
      // isComplete read it when Proton answers (as for an in-place rollback; gone, it completes empty).
      log.warn('rollback of a replacement: Proton does not answer now; pointing back at the instance, to be read by isComplete', { ...ref });
      const state = reconcileState(event, props, phase, undefined, { adopted: true });
      return { PhysicalResourceId: serviceInstanceArnIn(event.StackId, ref), ProtonState: state };
    }
    // Not knowing would mean creating an instance that may exist: fail (the SDK has retried) instead.
    throw describeCallError(error, { operation: 'GetServiceInstance', subject: describeInstance(ref) });
  }
  if (instance && instance.deploymentStatus !== 'DELETE_COMPLETE') {
    const own = fromThisResource(instance.lastClientRequestToken, event, props.clientToken);
    if (own || isUpdateRollback(phase)) {
      log.info('the instance this resource names is its own: pointing back at it; nothing is created', { ...ref, arn: instance.arn, rollback: isUpdateRollback(phase) });
      return { PhysicalResourceId: instance.arn!, ProtonState: reconcileState(event, props, phase, instance, { adopted: true }) };
    }
  } else if (isUpdateRollback(phase)) {
    log.warn('rollback of a replacement: the instance the stack had is gone; creating it again', { ...ref });
  }
  log.info('name or service changed: creating a replacement', { ...ref });
  return createInstance(event, props, phase);
}

async function changeInPlace(
  event: OnEventRequest & { PhysicalResourceId: string },
  oldProps: InstanceProperties,
  newProps: InstanceProperties,
  phase: string | undefined,
): Promise<OnEventResponse> {
  const ref = refOf(newProps);
  const { instance, retry } = await readInstance(ref);
  if (!retry && !instance) {
    if (!isUpdateRollback(phase)) throw gone(ref);
    // A rollback must complete: isComplete finds the instance gone and completes with empty attributes (rollback.ts).
    return { PhysicalResourceId: event.PhysicalResourceId, ProtonState: reconcileState(event, newProps, phase, undefined) };
  }
  const state = reconcileState(event, newProps, phase, instance);
  const plan = instance ? planDeployment(ref, desiredOf(newProps), instance) : undefined;
  if (plan?.kind === 'downgrade') {
    if (isUpdateRollback(phase)) {
      // Nothing is deployed; the old tags are restored, and isComplete waits for the upgrade's own deployment to end.
      log.warn('rollback of a major version upgrade, which Proton cannot do: the instance keeps its version and spec', { ...ref, from: plan.from, to: plan.to });
    } else if (phase !== undefined) {
      throw downgrade(ref, plan);
    } else {
      // Without the stack's status a rollback cannot be told apart: isComplete asks again (see reconcile.ts).
      return { PhysicalResourceId: event.PhysicalResourceId, ProtonState: state };
    }
  }

  const changes = tagChanges(oldProps.tags, newProps.tags);
  const tagsDeferred = changes ? (await applyTagChanges(event.PhysicalResourceId, ref, changes)).deferredBy !== undefined : false;
  const pending: WaitState = tagsDeferred ? { ...state, pendingTags: changes } : state;
  if (instance && plan?.kind === 'deploy' && !inMotion(instance) && !tagsDeferred) {
    await sendNow(ref, plan, state.token!, event.PhysicalResourceId);
  }
  return { PhysicalResourceId: event.PhysicalResourceId, ProtonState: pending };
}

/** Sends the deployment from onEvent; a refusal for now (busy, throttled) leaves it to isComplete. */
async function sendNow(ref: InstanceRef, plan: Extract<DeploymentPlan, { kind: 'deploy' }>, clientToken: string, arn: string): Promise<void> {
  try {
    const updated = await proton.updateServiceInstance({ ...plan.input, clientToken });
    log.info('update deployment started', { ...ref, deploymentType: plan.input.deploymentType, deploymentId: updated.lastAttemptedDeploymentId });
  } catch (e) {
    if (!isConflict(e) && !isTransient(e)) {
      throw describeCallError(e, { operation: 'UpdateServiceInstance', subject: describeInstance(ref), resource: arn });
    }
    log.info('instance busy, update deferred', { ...ref, error: (e as Error).name });
  }
}
