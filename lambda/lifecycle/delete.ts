import { cannotReach, describeCallError, describeInstance, errorName, isConflict, isConnectionFailure, isTransient, ProtonDeploymentError, protonText } from '../errors';
import { log } from '../log';
import { PhysicalInstance, physicalInstance } from '../physical-id';
import { InstanceProperties } from '../properties';
import * as proton from '../proton';
import { planInstanceRemoval } from '../service-spec';
import { deletionPhase, rollsBackCreation } from './stack-phase';
import { InstanceRef, IsCompleteRequest, IsCompleteResponse, OnEventRequest, OnEventResponse, WaitState } from './types';
import { inMotion, notYet, Poll, pollOf, readInstance } from './wait';

/**
 * Delete. Proton has no DeleteServiceInstance: an instance is removed by UpdateService with the service's spec
 * minus that instance. The instance named by the physical id is the one this resource created (or adopted from its
 * own earlier attempt), so nothing else is ever touched.
 *
 * RETAIN keeps the instance, with CloudFormation's `RetainExceptOnCreate` rule: when the stack operation that
 * created the resource is rolled back, the instance goes anyway, so that a failed deploy leaves nothing behind
 * that the next one would meet as "already exists". An instance that never deployed successfully goes too.
 */

/** Service statuses after which a removal has settled badly. */
const SERVICE_FAILED = /FAILED/;
const COMPLETE = { IsComplete: true } as const;

type DeleteProps = Pick<InstanceProperties, 'retain' | 'timeoutSeconds'>;

export async function onDelete(event: OnEventRequest & { PhysicalResourceId: string }, props: DeleteProps): Promise<OnEventResponse> {
  const physicalId = event.PhysicalResourceId;
  const deadline = Date.now() + props.timeoutSeconds * 1000;
  const finished: OnEventResponse = { PhysicalResourceId: physicalId, ProtonState: { deadline, done: true } };
  const physical = physicalInstance(physicalId);
  if (!physical) {
    // Not an instance: this resource never created one, so there is nothing to remove.
    log.warn('physical id names no service instance; nothing to remove', { physicalId });
    return finished;
  }
  const { instance, retry, error } = await readInstance(physical.ref);
  if (retry) {
    // In the stack's deletion a failure is undone by deleting again once Proton can be reached: say so now rather
    // than wait out the deadline. In a cleanup or a rollback it would orphan the instance or stick the stack: wait.
    if (isConnectionFailure(error) && (await deletionPhase(event.StackId)) === 'DELETE_IN_PROGRESS') throw cannotReach('Proton', error);
    return { PhysicalResourceId: physicalId, ProtonState: { deadline, undecided: true } };
  }
  if (!instance || instance.deploymentStatus === 'DELETE_COMPLETE') {
    log.info('service instance already gone', { ...physical.ref });
    return finished;
  }
  if (!(await shouldRemove(event, physical, instance, props))) return finished;
  if (!inMotion(instance)) await requestRemoval(pollOf(physical.ref, deadline, props));
  return { PhysicalResourceId: physicalId, ProtonState: { deadline } };
}

/** Whether this Delete removes the instance from Proton; says why in the log either way. */
async function shouldRemove(
  event: OnEventRequest,
  physical: PhysicalInstance,
  instance: proton.ServiceInstance,
  props: DeleteProps,
): Promise<boolean> {
  const { ref, pendingToken, pendingSince } = physical;
  if (pendingToken !== undefined) {
    // A create that had to wait for a busy service and never completed: only the instance it created is ours.
    const token = instance.lastClientRequestToken;
    const createdAt = instance.createdAt?.getTime();
    const ours = token === pendingToken ||
      (token === undefined && pendingSince !== undefined && createdAt !== undefined && createdAt >= pendingSince);
    log.info(ours ? 'removing the instance a create of this resource left' : 'the instance was not created by this resource; leaving it', { ...ref });
    return ours;
  }
  if (!props.retain) return true;
  const phase = await deletionPhase(event.StackId);
  if (rollsBackCreation(phase)) {
    log.info('RETAIN, but the stack operation that created the instance is rolled back: removing it', { ...ref, stackStatus: phase });
    return true;
  }
  if (!everSucceeded(instance)) {
    log.info('RETAIN, but the instance never deployed successfully: removing it', { ...ref, status: instance.deploymentStatus });
    return true;
  }
  log.info('removal policy RETAIN: the instance stays in Proton', { ...ref, stackStatus: phase });
  return false;
}

/**
 * Whether the instance has ever deployed successfully. Any one of Proton's signals is enough, since each is
 * optional or may be filled in differently: the status, the id of a successful deployment, or a success time
 * later than the creation.
 */
function everSucceeded(instance: proton.ServiceInstance): boolean {
  if (instance.deploymentStatus === 'SUCCEEDED' || instance.lastSucceededDeploymentId) return true;
  const succeededAt = instance.lastDeploymentSucceededAt?.getTime();
  const createdAt = instance.createdAt?.getTime();
  return succeededAt !== undefined && createdAt !== undefined && succeededAt > createdAt;
}

export async function isDeleteComplete(event: IsCompleteRequest, props: DeleteProps): Promise<IsCompleteResponse> {
  const state: WaitState = event.ProtonState;
  const physical = physicalInstance(event.PhysicalResourceId);
  if (state.done || !physical) return COMPLETE;
  const { ref } = physical;
  const poll = pollOf(ref, state.deadline, props);

  const { instance, retry, error } = await readInstance(ref);
  if (retry) return notYet(poll, `the Proton ${describeInstance(ref)} to answer`, error);
  if (!instance || instance.deploymentStatus === 'DELETE_COMPLETE') {
    return state.undecided ? COMPLETE : serviceSettled(poll);
  }
  if (state.undecided && !(await shouldRemove(event, physical, instance, props))) return COMPLETE;
  if (instance.deploymentStatus === 'DELETE_FAILED') {
    throw ProtonDeploymentError.withProtonText(
      protonText(instance.deploymentStatusMessage),
      (text) => `${text} (removing the Proton ${describeInstance(ref)} ended DELETE_FAILED; fix the cause in Proton, then delete again)`,
    );
  }
  if (inMotion(instance)) return notYet(poll, `the Proton ${describeInstance(ref)}, which is ${instance.deploymentStatus}, to be removed`);
  return requestRemoval(poll);
}

/** Reads the instance's service; `retry` means "ask again later" (throttling, 5xx, network). */
async function readService(ref: InstanceRef): Promise<{ service?: proton.Service; retry: boolean; error?: unknown }> {
  try {
    return { service: await proton.getService(ref.serviceName), retry: false };
  } catch (e) {
    if (isTransient(e)) return { retry: true, error: e };
    throw describeCallError(e, { operation: 'GetService', subject: `service '${ref.serviceName}'` });
  }
}

/** After the instance is gone, the service edit must finish too, or the next edit of the service would conflict. */
async function serviceSettled(poll: Poll): Promise<IsCompleteResponse> {
  const { ref } = poll;
  const { service, retry, error } = await readService(ref);
  if (retry) return notYet(poll, `service '${ref.serviceName}' to answer`, error);
  const status = service?.status ?? '';
  if (!service || status === 'ACTIVE' || status.startsWith('DELETE')) {
    log.info('service instance removed', { ...ref, serviceStatus: status || 'gone' });
    return COMPLETE;
  }
  if (SERVICE_FAILED.test(status)) {
    throw ProtonDeploymentError.withProtonText(
      protonText(service.statusMessage),
      (text) => `${text} (the Proton ${describeInstance(ref)} was removed, but its service ended ${status}; check the service in the Proton console)`,
    );
  }
  return notYet(poll, `service '${ref.serviceName}' to finish removing the ${describeInstance(ref)} (it is ${status})`);
}

/**
 * Sends UpdateService with the spec minus this instance. A busy service (another edit running, perhaps the
 * removal of a sibling instance) is not an error: the next poll reads the spec afresh and tries again, so two
 * removals never write over each other's edit.
 */
export async function requestRemoval(poll: Poll): Promise<IsCompleteResponse> {
  const { ref } = poll;
  const { service, retry, error } = await readService(ref);
  if (retry) return notYet(poll, `service '${ref.serviceName}' to answer`, error);
  // A service that is gone took its instances with it; the next poll sees the instance gone (until the deadline).
  if (!service) return notYet(poll, `the Proton ${describeInstance(ref)} to go with its service '${ref.serviceName}', which Proton no longer finds`);
  if (/IN_PROGRESS/.test(service.status ?? '')) {
    log.info('service busy, removal deferred', { ...ref, serviceStatus: service.status });
    return notYet(poll, `service '${ref.serviceName}' to finish its ${service.status} edit before the ${describeInstance(ref)} can be removed`);
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
    return notYet(poll, `Proton to start removing the ${describeInstance(ref)} from service '${ref.serviceName}'`);
  } catch (e) {
    if (isConflict(e) || isTransient(e)) {
      log.info('UpdateService refused for now, will retry', { ...ref, error: errorName(e) });
      return notYet(poll, `Proton to accept the removal of the ${describeInstance(ref)} from service '${ref.serviceName}'`, e);
    }
    throw describeCallError(e, { operation: 'UpdateService', subject: `service '${ref.serviceName}'`, resource: service.arn });
  }
}
