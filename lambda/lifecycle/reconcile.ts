import { describeCallError, describeInstance, InstanceGone, isConflict, isTransient, ProtonDeploymentError } from '../errors';
import { log } from '../log';
import { InstanceProperties } from '../properties';
import * as proton from '../proton';
import { clientTokenFor } from './client-token';
import { DeploymentPlan, DesiredInstance, planConfiguration, planDeployment } from './plan';
import { currentPhase, isUpdateRollback, stillInPhase } from './stack-phase';
import { applyTagChanges } from './tags';
import { DeploymentMark, InstanceRef, IsCompleteRequest, IsCompleteResponse, NOT_COMPLETE, OnEventRequest, WaitState } from './types';
import { completeWith, inMotion, judgeDeployment, notYet, Poll, pollOf, readInstance, timedOut } from './wait';

/**
 * Bringing an existing instance to what the template asks for, poll by poll: the isComplete side of an in-place
 * Update (and of an instance a request points back at). Every decision is made from Proton's answer at that poll;
 * the deployment is sent at most once per request — an instance that carries the request's client token runs its
 * deployment — and only while the stack is still in the phase the request arrived in.
 */

/**
 * What a request that reconciles an instance hands to isComplete. An instance the request points back at or adopts
 * (rather than one whose tags the old properties describe) gets the template's tags set as well.
 */
export function reconcileState(
  event: OnEventRequest,
  props: InstanceProperties,
  phase: string | undefined,
  instance: proton.ServiceInstance | undefined,
  how: { readonly adopted?: boolean } = {},
): WaitState {
  const tags = how.adopted && Object.keys(props.tags).length > 0 ? { pendingTags: { set: props.tags, remove: [] } } : {};
  return {
    deadline: Date.now() + props.timeoutSeconds * 1000,
    phase,
    token: clientTokenFor('UpdateServiceInstance', event, props.clientToken),
    baseline: instance ? markOf(instance) : undefined,
    ...tags,
  };
}

export async function isReconcileComplete(event: IsCompleteRequest, props: InstanceProperties): Promise<IsCompleteResponse> {
  const state = event.ProtonState;
  const ref = refOf(props);
  const poll = pollOf(ref, state.deadline, props);
  const { instance, retry, error } = await readInstance(ref);
  if (retry) return notYet(poll, `the Proton ${describeInstance(ref)} to answer`, error);
  if (!instance) throw gone(ref);

  const rollback = isUpdateRollback(state.phase);
  const ours = state.token !== undefined && instance.lastClientRequestToken === state.token;
  if (inMotion(instance)) {
    // A rollback leaves even its own deployment running at the deadline: it restores the old state.
    if (ours) return judgeDeployment(poll, instance, props, event, !rollback);
    return notYetApplied(poll, `a deployment of the Proton ${describeInstance(ref)} that this update did not start (${instance.deploymentStatus}) to finish`);
  }
  if (state.pendingTags) {
    await mustStillBeInPhase(event, state, 'its tag changes are not sent');
    const { deferredBy } = await applyTagChanges(instance.arn ?? event.PhysicalResourceId, ref, state.pendingTags);
    if (deferredBy) return notYetApplied(poll, `Proton to accept the tag changes of ${describeInstance(ref)}`, deferredBy);
  }

  const desired = desiredOf(props);
  const configuration = planConfiguration(ref, desired, instance);
  if (configuration.kind === 'downgrade') {
    // Proton cannot go back to a lower major version: in a rollback that is no failure (see update.ts). The
    // upgrade's deployment has ended and the old tags are back (above), so the attributes say what runs.
    const phase = state.phase ?? (await currentPhase(event.StackId));
    if (isUpdateRollback(phase)) return completeWith(poll, instance, props, event, true);
    if (phase === undefined) return notYet(poll, 'CloudFormation to tell whether this update is a rollback (DescribeStacks)');
    throw downgrade(ref, configuration);
  }
  // A deployment that ended after this request began and left the instance as the template says — ours, or one
  // whose token Proton did not record — is the outcome of this update.
  if (ours || (configuration.kind === 'none' && isNewDeployment(instance, state.baseline))) {
    return judgeDeployment(poll, instance, props, event, ours);
  }
  const plan = planDeployment(ref, desired, instance);
  if (plan.kind !== 'deploy') return completeWith(poll, instance, props, event, rollback);
  return sendDeferred(event, poll, plan, state);
}

async function sendDeferred(event: IsCompleteRequest, poll: Poll, plan: Extract<DeploymentPlan, { kind: 'deploy' }>, state: WaitState): Promise<IsCompleteResponse> {
  const { ref } = poll;
  await mustStillBeInPhase(event, state, `its deployment of the Proton ${describeInstance(ref)} is not sent`);
  try {
    await proton.updateServiceInstance({ ...plan.input, clientToken: state.token });
    log.info('deferred update sent', { ...ref, deploymentType: plan.input.deploymentType });
    return NOT_COMPLETE;
  } catch (e) {
    if (isConflict(e) || isTransient(e)) return notYetApplied(poll, `Proton to accept the update of ${describeInstance(ref)}`, e);
    throw describeCallError(e, { operation: 'UpdateServiceInstance', subject: describeInstance(ref), resource: event.PhysicalResourceId });
  }
}

/** A waiter whose stack operation has ended (cancelled, failed elsewhere) sends nothing more on its behalf. */
async function mustStillBeInPhase(event: IsCompleteRequest, state: WaitState, what: string): Promise<void> {
  const { live, now } = await stillInPhase(state.phase, event.StackId);
  if (!live) throw new ProtonDeploymentError(`The stack is ${now}: the operation this request belongs to has ended, so ${what}.`);
}

const NOT_APPLIED = 'This update was not applied; deploy again once it has finished.';

/** Waiting for something that stands between this update and Proton; past the deadline, nothing of it was applied. */
function notYetApplied(poll: Poll, waitingFor: string, lastError?: unknown): IsCompleteResponse {
  if (Date.now() < poll.deadline) return NOT_COMPLETE;
  throw timedOut(poll, waitingFor, lastError, NOT_APPLIED);
}

export function refOf(props: Pick<InstanceProperties, 'serviceName' | 'serviceInstanceName'>): InstanceRef {
  return { serviceName: props.serviceName, serviceInstanceName: props.serviceInstanceName };
}

export function desiredOf(props: InstanceProperties): DesiredInstance {
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

export function gone(ref: InstanceRef): InstanceGone {
  return new InstanceGone(`The Proton ${describeInstance(ref)} no longer exists; it was removed outside this stack. Deploy again to recreate it.`);
}

export function downgrade(ref: InstanceRef, plan: Extract<DeploymentPlan, { kind: 'downgrade' }>): ProtonDeploymentError {
  return new ProtonDeploymentError(
    `Cannot move the Proton ${describeInstance(ref)} from template major version ${plan.from} to ${plan.to}: Proton deploys only a ` +
      `higher major version (MAJOR_VERSION), never a lower one. Set templateMajorVersion to ${plan.from} or higher.`,
  );
}
