import { describeCallError, isConflict, isTransient, ProtonDeploymentError } from '../errors';
import { log } from '../log';
import { InstanceProperties, namesFromArn } from '../properties';
import * as proton from '../proton';
import { planInstanceRemoval } from '../service-spec';
import { describeInstance, InstanceRef, IsCompleteRequest, IsCompleteResponse, NOT_COMPLETE, OnEventRequest, OnEventResponse } from './types';
import { inMotion, readInstance } from './wait';

/**
 * Delete. Proton has no DeleteServiceInstance: an instance is removed by UpdateService with the service's spec
 * minus that instance. The instance named by the physical id is the one this stack created (or adopted from its
 * own earlier attempt), so nothing else is ever touched.
 */

/** Service statuses after which a removal has settled badly. */
const SERVICE_FAILED = /FAILED/;
const COMPLETE = { IsComplete: true } as const;

export async function onDelete(event: OnEventRequest & { PhysicalResourceId: string }, props: Pick<InstanceProperties, 'retain' | 'timeoutSeconds'>): Promise<OnEventResponse> {
  const physicalId = event.PhysicalResourceId;
  const deadline = Date.now() + props.timeoutSeconds * 1000;
  const done = { PhysicalResourceId: physicalId, ProtonState: { deadline, done: true } };
  const ref = namesFromArn(physicalId);
  if (!ref) {
    // Not an instance ARN: this resource never created an instance, so there is nothing to remove.
    log.warn('physical id is not a service instance ARN; nothing to remove', { physicalId });
    return done;
  }
  const { instance, retry } = await readInstance(ref);
  if (!retry && (!instance || instance.deploymentStatus === 'DELETE_COMPLETE')) {
    log.info('service instance already gone', { ...ref });
    return done;
  }
  if (instance && retained(instance, props.retain)) {
    log.info('removal policy RETAIN: the instance stays in Proton', { ...ref });
    return done;
  }
  if (props.retain && instance) {
    log.info('RETAIN, but the instance never deployed successfully: removing it', { ...ref, status: instance.deploymentStatus });
  }
  if (instance && !inMotion(instance)) {
    await requestRemoval(ref);
  }
  return { PhysicalResourceId: physicalId, ProtonState: { deadline } };
}

/**
 * RETAIN keeps an instance that has worked at least once. One whose first deployment never succeeded is a failed
 * create being rolled back: keeping it would leave an orphan behind, so it is removed even under RETAIN.
 */
function retained(instance: proton.ServiceInstance, retain: boolean): boolean {
  return retain && instance.lastSucceededDeploymentId !== undefined;
}

export async function isDeleteComplete(event: IsCompleteRequest, props: Pick<InstanceProperties, 'retain' | 'timeoutSeconds'>): Promise<IsCompleteResponse> {
  const state = event.ProtonState;
  const ref = namesFromArn(event.PhysicalResourceId);
  if (state.done || !ref) return COMPLETE;

  const { instance, retry } = await readInstance(ref);
  if (retry) return NOT_COMPLETE;
  if (!instance || instance.deploymentStatus === 'DELETE_COMPLETE') {
    return serviceSettled(ref, state.deadline, props.timeoutSeconds);
  }
  if (retained(instance, props.retain)) return COMPLETE;
  if (instance.deploymentStatus === 'DELETE_FAILED') {
    throw new ProtonDeploymentError(
      `${instance.deploymentStatusMessage?.trim() || 'Proton gave no message'} (removing the Proton ${describeInstance(ref)} ended DELETE_FAILED; ` +
        'fix the cause in Proton, then delete again)',
    );
  }
  if (Date.now() >= state.deadline) {
    throw new ProtonDeploymentError(
      `Timed out after ${Math.round(props.timeoutSeconds / 60)} minute(s) removing the Proton ${describeInstance(ref)}; ` +
        `it is ${instance.deploymentStatus}. Check the service in the Proton console, then delete again.`,
    );
  }
  if (!inMotion(instance)) {
    await requestRemoval(ref);
  }
  return NOT_COMPLETE;
}

/** Reads the instance's service; `retry` means "ask again later" (throttling, 5xx, network). */
async function readService(ref: InstanceRef): Promise<{ service?: proton.Service; retry: boolean }> {
  try {
    return { service: await proton.getService(ref.serviceName), retry: false };
  } catch (e) {
    if (isTransient(e)) return { retry: true };
    throw describeCallError(e, { operation: 'GetService', subject: `service '${ref.serviceName}'` });
  }
}

/** After the instance is gone, the service edit must finish too, or the next edit of the service would conflict. */
async function serviceSettled(ref: InstanceRef, deadline: number, timeoutSeconds: number): Promise<IsCompleteResponse> {
  const { service, retry } = await readService(ref);
  if (retry) return NOT_COMPLETE;
  const status = service?.status ?? '';
  if (!service || status === 'ACTIVE' || status.startsWith('DELETE')) {
    log.info('service instance removed', { ...ref, serviceStatus: status || 'gone' });
    return COMPLETE;
  }
  if (SERVICE_FAILED.test(status)) {
    throw new ProtonDeploymentError(
      `${service.statusMessage?.trim() || 'Proton gave no message'} (the Proton ${describeInstance(ref)} was removed, but its service ` +
        `ended ${status}; check the service in the Proton console)`,
    );
  }
  if (Date.now() >= deadline) {
    throw new ProtonDeploymentError(
      `Timed out after ${Math.round(timeoutSeconds / 60)} minute(s): the Proton ${describeInstance(ref)} was removed, but its service ` +
        `is still ${status}.`,
    );
  }
  return NOT_COMPLETE;
}

/**
 * Sends UpdateService with the spec minus this instance. A busy service (another edit running, perhaps the
 * removal of a sibling instance) is not an error: the next poll reads the spec afresh and tries again, so two
 * removals never write over each other's edit.
 */
async function requestRemoval(ref: InstanceRef): Promise<void> {
  const { service, retry } = await readService(ref);
  // Ask again at the next poll; a service that is gone took its instances with it.
  if (retry || !service) return;
  if (/IN_PROGRESS/.test(service.status ?? '')) {
    log.info('service busy, removal deferred', { ...ref, serviceStatus: service.status });
    return;
  }
  const plan = planInstanceRemoval(service.spec ?? '', ref.serviceInstanceName);
  if (plan.kind === 'last') {
    throw new ProtonDeploymentError(
      `Cannot remove the Proton ${describeInstance(ref)}: it is the last instance of the service, and a Proton service keeps ` +
        'at least one. Either delete the whole service (DeleteService) after removing this resource with removalPolicy RETAIN, ' +
        'or add another instance to the service first.',
    );
  }
  if (plan.kind === 'absent') {
    throw new ProtonDeploymentError(
      `Cannot remove the Proton ${describeInstance(ref)}: the service's spec does not list it, so UpdateService cannot leave it out. ` +
        'Remove it in the Proton console, or set removalPolicy RETAIN to leave it in place.',
    );
  }
  try {
    await proton.updateServiceSpec(ref.serviceName, plan.spec);
    log.info('removal requested through UpdateService', { ...ref, remainingInstances: plan.remaining });
  } catch (e) {
    if (isConflict(e) || isTransient(e)) {
      log.info('UpdateService refused for now, will retry', { ...ref, error: (e as Error).name });
      return;
    }
    throw describeCallError(e, { operation: 'UpdateService', subject: `service '${ref.serviceName}'`, resource: service.arn });
  }
}
