import { DeploymentUpdateType } from '@aws-sdk/client-proton';
import { describeCallError, isConflict, isTransient, ProtonDeploymentError } from '../errors';
import { log } from '../log';
import { InstanceProperties } from '../properties';
import * as proton from '../proton';
import { clientTokenFor } from './client-token';
import { onCreate } from './create';
import { describeInstance, InstanceRef, IsCompleteRequest, IsCompleteResponse, NOT_COMPLETE, OnEventRequest, OnEventResponse, PendingUpdate } from './types';
import { completeWith, inMotion, judgeDeployment, readInstance } from './wait';

/**
 * Update: a new name or service is a new instance (CloudFormation then deletes the old physical id); otherwise
 * the change decides the deployment type, and tags change without a deployment.
 */

/** The deployment a property change calls for, or undefined when no deployment is needed. */
export function deploymentFor(
  oldProps: InstanceProperties,
  newProps: InstanceProperties,
): Omit<proton.UpdateInstanceInput, 'clientToken'> | undefined {
  const base = { serviceName: newProps.serviceName, name: newProps.serviceInstanceName };
  const specChanged = oldProps.spec !== newProps.spec;
  const spec = specChanged ? { spec: newProps.spec } : {};
  const changed = (next: string | undefined, prev: string | undefined) => next !== undefined && next !== prev;
  const versionChange = changed(newProps.templateMajorVersion, oldProps.templateMajorVersion)
    ? DeploymentUpdateType.MAJOR_VERSION
    : changed(newProps.templateMinorVersion, oldProps.templateMinorVersion)
      ? DeploymentUpdateType.MINOR_VERSION
      : undefined;
  if (versionChange) {
    return {
      ...base,
      ...spec,
      deploymentType: versionChange,
      templateMajorVersion: newProps.templateMajorVersion,
      templateMinorVersion: newProps.templateMinorVersion,
    };
  }
  if (specChanged) {
    return { ...base, ...spec, deploymentType: DeploymentUpdateType.CURRENT_VERSION };
  }
  return undefined;
}

export function replaces(oldProps: InstanceProperties, newProps: InstanceProperties): boolean {
  return oldProps.serviceName !== newProps.serviceName || oldProps.serviceInstanceName !== newProps.serviceInstanceName;
}

export async function onUpdate(
  event: OnEventRequest & { PhysicalResourceId: string },
  oldProps: InstanceProperties,
  newProps: InstanceProperties,
): Promise<OnEventResponse> {
  if (replaces(oldProps, newProps)) {
    log.info('name or service changed: creating a replacement', { from: oldProps.serviceInstanceName, to: newProps.serviceInstanceName });
    return onCreate(event, newProps);
  }
  const ref = { serviceName: newProps.serviceName, serviceInstanceName: newProps.serviceInstanceName };
  const deadline = Date.now() + newProps.timeoutSeconds * 1000;
  await updateTags(event.PhysicalResourceId, ref, oldProps.tags, newProps.tags);

  const deployment = deploymentFor(oldProps, newProps);
  if (!deployment) {
    return { PhysicalResourceId: event.PhysicalResourceId, ProtonState: { deadline, deploys: false } };
  }
  const request = { ...deployment, clientToken: clientTokenFor('UpdateServiceInstance', event) };
  try {
    const updated = await proton.updateServiceInstance(request);
    log.info('update deployment started', { ...ref, deploymentType: request.deploymentType, deploymentId: updated.lastAttemptedDeploymentId });
    return { PhysicalResourceId: event.PhysicalResourceId, ProtonState: { deadline, deploys: true } };
  } catch (e) {
    if (!isConflict(e) && !isTransient(e)) {
      throw describeCallError(e, { operation: 'UpdateServiceInstance', subject: describeInstance(ref), resource: event.PhysicalResourceId });
    }
    // A deployment is running (or Proton is busy): wait for it, then send this one from isComplete.
    const current = await proton.getServiceInstance(ref.serviceName, ref.serviceInstanceName).catch(() => undefined);
    log.info('instance busy, update deferred', { ...ref, busyDeploymentId: current?.lastAttemptedDeploymentId });
    const pendingUpdate: PendingUpdate = {
      request,
      busyDeploymentId: current?.lastAttemptedDeploymentId,
      busyAttemptedAt: current?.lastDeploymentAttemptedAt?.getTime(),
    };
    return { PhysicalResourceId: event.PhysicalResourceId, ProtonState: { deadline, deploys: true, pendingUpdate } };
  }
}

async function updateTags(arn: string, ref: InstanceRef, oldTags: Record<string, string>, newTags: Record<string, string>): Promise<void> {
  const changed = Object.fromEntries(Object.entries(newTags).filter(([k, v]) => oldTags[k] !== v));
  const removed = Object.keys(oldTags).filter((k) => !(k in newTags));
  const subject = describeInstance(ref);
  await proton.untagResource(arn, removed).catch((e) => {
    throw describeCallError(e, { operation: 'UntagResource', subject, resource: arn });
  });
  await proton.tagResource(arn, changed).catch((e) => {
    throw describeCallError(e, { operation: 'TagResource', subject, resource: arn });
  });
  if (removed.length || Object.keys(changed).length) {
    log.info('tags updated', { ...ref, set: Object.keys(changed), removed });
  }
}

export async function isUpdateComplete(event: IsCompleteRequest, props: InstanceProperties): Promise<IsCompleteResponse> {
  const ref = { serviceName: props.serviceName, serviceInstanceName: props.serviceInstanceName };
  const state = event.ProtonState;
  const { instance, retry } = await readInstance(ref);
  if (retry) return NOT_COMPLETE;
  if (!instance) {
    throw new ProtonDeploymentError(`The Proton ${describeInstance(ref)} no longer exists; it was removed outside this stack. Deploy again to recreate it.`);
  }
  if (!state.deploys) return completeWith(ref, instance, props, event);
  if (state.pendingUpdate && !isOurs(instance, state.pendingUpdate)) {
    return sendPendingUpdate(ref, instance, state.pendingUpdate, state.deadline, props.timeoutSeconds);
  }
  return judgeDeployment(ref, instance, state.deadline, props, event);
}

/**
 * Whether the instance's latest deployment is the one this request asked for. Three signals, any of which
 * Proton may leave out: our client token recorded on the instance, a deployment id other than the one that was
 * running, or a deployment attempted after the one that was running. Without any of them the update would be
 * sent again after each deployment, so all three are checked.
 */
function isOurs(instance: proton.ServiceInstance, pending: PendingUpdate): boolean {
  if (instance.lastClientRequestToken === pending.request.clientToken) return true;
  if (pending.busyDeploymentId !== undefined && instance.lastAttemptedDeploymentId !== undefined) {
    return instance.lastAttemptedDeploymentId !== pending.busyDeploymentId;
  }
  const attemptedAt = instance.lastDeploymentAttemptedAt?.getTime();
  return pending.busyAttemptedAt !== undefined && attemptedAt !== undefined && attemptedAt > pending.busyAttemptedAt;
}

async function sendPendingUpdate(
  ref: InstanceRef,
  instance: proton.ServiceInstance,
  pending: PendingUpdate,
  deadline: number,
  timeoutSeconds: number,
): Promise<IsCompleteResponse> {
  if (inMotion(instance)) {
    if (Date.now() < deadline) return NOT_COMPLETE;
    // The running deployment is not ours: leave it alone, and say that nothing was changed.
    throw new ProtonDeploymentError(
      `Timed out after ${Math.round(timeoutSeconds / 60)} minute(s) waiting for a deployment of ${describeInstance(ref)} that ` +
        `was already ${instance.deploymentStatus} to finish; this update was not applied. Deploy again once it has finished.`,
    );
  }
  try {
    await proton.updateServiceInstance(pending.request);
    log.info('deferred update sent', { ...ref, deploymentType: pending.request.deploymentType });
  } catch (e) {
    if (!isConflict(e) && !isTransient(e)) {
      throw describeCallError(e, { operation: 'UpdateServiceInstance', subject: describeInstance(ref), resource: instance.arn });
    }
  }
  return NOT_COMPLETE;
}
