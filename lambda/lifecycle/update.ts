import { DeploymentEnded, describeCallError, describeInstance, isConflict, isTransient, ProtonDeploymentError, WaitTimedOut } from '../errors';
import { log } from '../log';
import { physicalInstance, sameInstance } from '../physical-id';
import { InstanceProperties } from '../properties';
import * as proton from '../proton';
import { clientTokenFor } from './client-token';
import { onCreate, refOf } from './create';
import { DeploymentPlan, DesiredInstance, planConfiguration, planDeployment } from './plan';
import { currentPhase, isUpdateRollback, stillInPhase } from './stack-phase';
import { applyTagChanges, tagChanges } from './tags';
import { DeploymentMark, InstanceRef, IsCompleteRequest, IsCompleteResponse, NOT_COMPLETE, OnEventRequest, OnEventResponse, WaitState } from './types';
import { completeWith, inMotion, judgeDeployment, notYet, Poll, pollOf, readInstance, timedOut } from './wait';

/**
 * Update. A new name or service is a new instance (CloudFormation then deletes the old physical id) — except in a
 * rollback, where the "new" name is the instance the stack had before, which still exists: the resource points
 * back at it and nothing is created. Otherwise the deployment is decided from the instance's real state (see
 * plan.ts), sent at once when the instance is idle, and otherwise sent by isComplete once it is, at most once
 * per request: an instance that carries this request's client token runs its deployment.
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
  if (isUpdateRollback(phase)) {
    const { instance, retry, error } = await readInstance(ref);
    // Not knowing would mean creating an instance that may exist: fail (the SDK has retried) instead.
    if (retry) throw describeCallError(error, { operation: 'GetServiceInstance', subject: describeInstance(ref) });
    if (instance && instance.deploymentStatus !== 'DELETE_COMPLETE') {
      log.info('rollback of a replacement: back to the instance the stack had; nothing is created', { ...ref, arn: instance.arn });
      return { PhysicalResourceId: instance.arn!, ProtonState: updateState(event, props, phase, instance) };
    }
    log.warn('rollback of a replacement: the instance the stack had is gone; creating it again', { ...ref });
  }
  log.info('name or service changed: creating a replacement', { ...ref });
  return onCreate(event, props, phase);
}

async function changeInPlace(
  event: OnEventRequest & { PhysicalResourceId: string },
  oldProps: InstanceProperties,
  newProps: InstanceProperties,
  phase: string | undefined,
): Promise<OnEventResponse> {
  const ref = refOf(newProps);
  const { instance, retry } = await readInstance(ref);
  if (!retry && !instance) throw gone(ref);
  const state = updateState(event, newProps, phase, instance);
  const plan = instance ? planDeployment(ref, desiredOf(newProps), instance) : undefined;
  if (plan?.kind === 'downgrade') {
    if (!isUpdateRollback(phase)) throw downgrade(ref, plan);
    log.warn('rollback of a major version upgrade, which Proton cannot do: the instance keeps its version and spec', { ...ref, from: plan.from, to: plan.to });
    return { PhysicalResourceId: event.PhysicalResourceId, ProtonState: { ...state, keepVersions: true } };
  }

  const changes = tagChanges(oldProps.tags, newProps.tags);
  const tagsDeferred = changes ? (await applyTagChanges(event.PhysicalResourceId, ref, changes)).deferredBy !== undefined : false;
  const pending: WaitState = tagsDeferred ? { ...state, pendingTags: changes } : state;
  if (instance && plan?.kind === 'deploy' && !inMotion(instance) && !tagsDeferred) {
    await sendNow(ref, plan, state.token!, event.PhysicalResourceId);
  }
  return { PhysicalResourceId: event.PhysicalResourceId, ProtonState: pending };
}

function updateState(
  event: OnEventRequest,
  props: InstanceProperties,
  phase: string | undefined,
  instance: proton.ServiceInstance | undefined,
): WaitState {
  return {
    deadline: Date.now() + props.timeoutSeconds * 1000,
    phase,
    token: clientTokenFor('UpdateServiceInstance', event, props.clientToken),
    baseline: instance ? markOf(instance) : undefined,
  };
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

export async function isUpdateComplete(event: IsCompleteRequest, props: InstanceProperties): Promise<IsCompleteResponse> {
  const state = event.ProtonState;
  const ref = refOf(props);
  const poll = pollOf(ref, state.deadline, props);
  const { instance, retry, error } = await readInstance(ref);
  if (retry) return notYet(poll, `the Proton ${describeInstance(ref)} to answer`, error);
  if (!instance) throw gone(ref);
  if (state.keepVersions) return completeWith(poll, instance, props, event);
  if (!isUpdateRollback(state.phase)) return advance(event, poll, instance, props);
  try {
    return await advance(event, poll, instance, props);
  } catch (e) {
    // Failing a rollback would leave the stack UPDATE_ROLLBACK_FAILED, which only a person can resolve. When the
    // old state could not be restored in time, or its deployment failed, the rollback completes with the
    // instance's real status in the attributes, and the next deployment plans from that real state.
    if (!(e instanceof WaitTimedOut) && !(e instanceof DeploymentEnded)) throw e;
    // The reason stays out of the log: it may quote Proton's status message, which is sensitive.
    const reason = e instanceof WaitTimedOut ? 'timed out' : 'its deployment did not succeed';
    log.warn('rollback could not restore the instance; completing so that the stack can roll back', { ...ref, reason, status: instance.deploymentStatus });
    return completeWith(poll, instance, props, event);
  }
}

/** One poll's step towards the template's state: wait, judge, or send the deployment once. */
async function advance(
  event: IsCompleteRequest,
  poll: Poll,
  instance: proton.ServiceInstance,
  props: InstanceProperties,
): Promise<IsCompleteResponse> {
  const state = event.ProtonState;
  const { ref } = poll;
  const rollback = isUpdateRollback(state.phase);
  const ours = state.token !== undefined && instance.lastClientRequestToken === state.token;
  if (inMotion(instance)) {
    // A rollback leaves even its own deployment running at the deadline: it restores the old state.
    if (ours) return judgeDeployment(poll, instance, props, event, !rollback);
    return notYetApplied(poll, `a deployment of the Proton ${describeInstance(ref)} that this update did not start (${instance.deploymentStatus}) to finish`);
  }
  if (state.pendingTags) {
    const { deferredBy } = await applyTagChanges(instance.arn ?? event.PhysicalResourceId, ref, state.pendingTags);
    if (deferredBy) return notYetApplied(poll, `Proton to accept the tag changes of ${describeInstance(ref)}`, deferredBy);
  }

  const desired = desiredOf(props);
  const configuration = planConfiguration(ref, desired, instance);
  if (configuration.kind === 'downgrade') {
    if (rollback) return completeWith(poll, instance, props, event);
    throw downgrade(ref, configuration);
  }
  // A deployment that ended after this request began and left the instance as the template says — ours, or one
  // whose token Proton did not record — is the outcome of this update.
  if (ours || (configuration.kind === 'none' && isNewDeployment(instance, state.baseline))) {
    return judgeDeployment(poll, instance, props, event, ours);
  }
  const plan = planDeployment(ref, desired, instance);
  if (plan.kind !== 'deploy') return completeWith(poll, instance, props, event);
  return sendDeferred(event, poll, plan, state);
}

async function sendDeferred(event: IsCompleteRequest, poll: Poll, plan: Extract<DeploymentPlan, { kind: 'deploy' }>, state: WaitState): Promise<IsCompleteResponse> {
  const { ref } = poll;
  const { live, now } = await stillInPhase(state.phase, event.StackId);
  if (!live) {
    throw new ProtonDeploymentError(
      `The stack is ${now}: the operation this request belongs to has ended, so its deployment of the Proton ${describeInstance(ref)} is not sent.`,
    );
  }
  try {
    await proton.updateServiceInstance({ ...plan.input, clientToken: state.token });
    log.info('deferred update sent', { ...ref, deploymentType: plan.input.deploymentType });
    return NOT_COMPLETE;
  } catch (e) {
    if (isConflict(e) || isTransient(e)) return notYetApplied(poll, `Proton to accept the update of ${describeInstance(ref)}`, e);
    throw describeCallError(e, { operation: 'UpdateServiceInstance', subject: describeInstance(ref), resource: event.PhysicalResourceId });
  }
}

const NOT_APPLIED = 'This update was not applied; deploy again once it has finished.';

/** Waiting for something that stands between this update and Proton; past the deadline, nothing of it was applied. */
function notYetApplied(poll: Poll, waitingFor: string, lastError?: unknown): IsCompleteResponse {
  if (Date.now() < poll.deadline) return NOT_COMPLETE;
  throw timedOut(poll, waitingFor, lastError, NOT_APPLIED);
}

function desiredOf(props: InstanceProperties): DesiredInstance {
  return { spec: props.spec, templateMajorVersion: props.templateMajorVersion, templateMinorVersion: props.templateMinorVersion };
}

function markOf(instance: proton.ServiceInstance): DeploymentMark {
  return { deploymentId: instance.lastAttemptedDeploymentId, attemptedAt: instance.lastDeploymentAttemptedAt?.getTime() };
}

/** Whether a deployment was attempted after the request began (a new id, or a later attempt time). */
function isNewDeployment(instance: proton.ServiceInstance, baseline: DeploymentMark | undefined): boolean {
  if (!baseline) return false;
  if (instance.lastAttemptedDeploymentId !== undefined && instance.lastAttemptedDeploymentId !== baseline.deploymentId) return true;
  const attemptedAt = instance.lastDeploymentAttemptedAt?.getTime();
  return attemptedAt !== undefined && baseline.attemptedAt !== undefined && attemptedAt > baseline.attemptedAt;
}

function gone(ref: InstanceRef): ProtonDeploymentError {
  return new ProtonDeploymentError(`The Proton ${describeInstance(ref)} no longer exists; it was removed outside this stack. Deploy again to recreate it.`);
}

function downgrade(ref: InstanceRef, plan: Extract<DeploymentPlan, { kind: 'downgrade' }>): ProtonDeploymentError {
  return new ProtonDeploymentError(
    `Cannot move the Proton ${describeInstance(ref)} from template major version ${plan.from} to ${plan.to}: Proton deploys only a ` +
      `higher major version (MAJOR_VERSION), never a lower one. Set templateMajorVersion to ${plan.from} or higher.`,
  );
}
