import { attributesOf, fitResponse, ResponseEnvelope } from '../attributes';
import { describeCallError, isTransient, ProtonDeploymentError } from '../errors';
import { log } from '../log';
import { requestedOutputs } from '../outputs';
import { InstanceProperties } from '../properties';
import * as proton from '../proton';
import { describeInstance, InstanceRef, IsCompleteResponse, NOT_COMPLETE } from './types';

/**
 * Watching a deployment until it ends. isComplete is called again and again with the same event, so every
 * decision is made from what Proton says now; only the deadline comes from onEvent.
 */

/** Deployment statuses that will still change by themselves. */
const IN_MOTION = new Set(['IN_PROGRESS', 'CANCELLING', 'DELETE_IN_PROGRESS']);

export function inMotion(instance: proton.ServiceInstance): boolean {
  return IN_MOTION.has(instance.deploymentStatus ?? '');
}

/** Reads the instance; undefined means "ask again later" (throttling, 5xx, network). */
export async function readInstance(ref: InstanceRef): Promise<{ instance?: proton.ServiceInstance; retry: boolean }> {
  try {
    return { instance: await proton.getServiceInstance(ref.serviceName, ref.serviceInstanceName), retry: false };
  } catch (e) {
    if (isTransient(e)) {
      log.warn('GetServiceInstance failed, will ask again at the next poll', { ...ref, error: (e as Error).name });
      return { retry: true };
    }
    throw describeCallError(e, { operation: 'GetServiceInstance', subject: describeInstance(ref) });
  }
}

/**
 * The attributes CloudFormation receives on success, with the requested outputs, cut to fit its response size.
 * Reading the outputs can hit throttling like any call: then the answer is "not yet".
 */
export async function completeWith(
  ref: InstanceRef,
  instance: proton.ServiceInstance,
  props: Pick<InstanceProperties, 'outputKeys'>,
  envelope: ResponseEnvelope,
): Promise<IsCompleteResponse> {
  const outputs = await requestedOutputs(ref, props.outputKeys);
  if (outputs.retry) return NOT_COMPLETE;
  return { IsComplete: true, Data: fitResponse({ ...attributesOf(instance), ...outputs.data }, envelope, 'DeploymentStatusMessage') };
}

/**
 * Judges a deployment that this request started: done on SUCCEEDED, wait while it moves, fail on every other
 * end with Proton's message first. At the deadline, the deployment is cancelled so that the failed stack
 * operation does not leave it running.
 */
export async function judgeDeployment(
  ref: InstanceRef,
  instance: proton.ServiceInstance,
  deadline: number,
  props: Pick<InstanceProperties, 'outputKeys' | 'timeoutSeconds'>,
  envelope: ResponseEnvelope,
): Promise<IsCompleteResponse> {
  const status = instance.deploymentStatus;
  if (status === 'SUCCEEDED') {
    log.info('deployment succeeded', { ...ref, deploymentId: instance.lastAttemptedDeploymentId });
    return completeWith(ref, instance, props, envelope);
  }
  if (status && IN_MOTION.has(status)) {
    if (Date.now() < deadline) return NOT_COMPLETE;
    throw await cancelAtDeadline(ref, instance, props.timeoutSeconds);
  }
  const message = instance.deploymentStatusMessage?.trim() || 'Proton gave no message';
  log.error('deployment ended without success', { ...ref, status, deploymentId: instance.lastAttemptedDeploymentId });
  throw new ProtonDeploymentError(
    `${message} (the Proton deployment of ${describeInstance(ref)} ended ${status}` +
      `${instance.lastAttemptedDeploymentId ? `, deployment ${instance.lastAttemptedDeploymentId}` : ''}; ` +
      'fix the cause and deploy again)',
  );
}

async function cancelAtDeadline(ref: InstanceRef, instance: proton.ServiceInstance, timeoutSeconds: number): Promise<Error> {
  const waited = `${Math.round(timeoutSeconds / 60)} minute(s)`;
  if (instance.deploymentStatus !== 'IN_PROGRESS') {
    return new ProtonDeploymentError(
      `Timed out after ${waited} waiting for ${describeInstance(ref)}, which is ${instance.deploymentStatus}. ` +
        'Raise the timeout of the ServiceInstance (at most 55 minutes) if its deployments take longer.',
    );
  }
  try {
    await proton.cancelServiceInstanceDeployment(ref.serviceName, ref.serviceInstanceName);
    log.warn('deadline reached, deployment cancelled', { ...ref, deploymentId: instance.lastAttemptedDeploymentId });
    return new ProtonDeploymentError(
      `Timed out after ${waited} waiting for the Proton deployment of ${describeInstance(ref)}; ` +
        'cancelled it with CancelServiceInstanceDeployment, and Proton reverts the instance. ' +
        'Raise the timeout of the ServiceInstance (at most 55 minutes) if its deployments take longer.',
    );
  } catch (e) {
    log.error('deadline reached, cancel failed', { ...ref, error: (e as Error).name });
    return new ProtonDeploymentError(
      `Timed out after ${waited} waiting for the Proton deployment of ${describeInstance(ref)}, and cancelling it failed ` +
        `(${(e as Error).name}: ${(e as Error).message}); cancel it in the Proton console before deploying again.`,
    );
  }
}
