import { describeCallError, describeInstance, InstanceGone, isConflict, isTransient, ProtonDeploymentError } from '../errors';
import { log } from '../log';
import { pendingCreateId } from '../physical-id';
import { InstanceProperties } from '../properties';
import * as proton from '../proton';
import { clientTokenFor, fromThisResource } from './client-token';
import { requestRemoval } from './delete';
import { reconcileState, refOf } from './reconcile';
import { currentPhase, stillInPhase } from './stack-phase';
import { InstanceRef, IsCompleteRequest, IsCompleteResponse, OnEventRequest, OnEventResponse, WaitState } from './types';
import { inMotion, judgeDeployment, notYet, Poll, pollOf, readInstance } from './wait';

/**
 * Create: one CreateServiceInstance call, then the instance's ARN is the physical id at once, so that a
 * deployment that fails later still gets a real Delete when CloudFormation rolls back.
 *
 * A ConflictException has two meanings. If the instance exists, the name is taken: it is adopted when it carries
 * this request's token (an earlier attempt of the same request created it) or was last deployed by this very
 * resource (then it is brought to the template's state, as an update would), and never otherwise, so this stack
 * never deletes an instance it did not create. If it does not exist, the service is busy (another stack, or this
 * one, is editing its spec): the create is sent again at each poll until the deadline.
 *
 * A create whose stack operation ends while its deployment runs (CloudFormation stopped waiting: the update was
 * cancelled, another resource failed, the resource's ServiceTimeout passed) never had its physical id recorded,
 * so no Delete will ever name the instance: the waiter removes it itself once the deployment has ended.
 */
export async function onCreate(event: OnEventRequest, props: InstanceProperties): Promise<OnEventResponse> {
  return createInstance(event, props, await currentPhase(event.StackId));
}

/** The create itself, given the stack's status as the request found it (undefined when it could not be read). */
export async function createInstance(event: OnEventRequest, props: InstanceProperties, phase: string | undefined): Promise<OnEventResponse> {
  const token = clientTokenFor('CreateServiceInstance', event, props.clientToken);
  const ref = refOf(props);
  const startedAt = Date.now();
  const state: WaitState = { deadline: startedAt + props.timeoutSeconds * 1000, token, phase, creates: true };
  try {
    const created = await proton.createServiceInstance(createInput(props, token));
    log.info('service instance created', { ...ref, arn: created.arn, status: created.deploymentStatus });
    return { PhysicalResourceId: created.arn!, ProtonState: state };
  } catch (e) {
    if (!isConflict(e)) {
      throw describeCallError(e, { operation: 'CreateServiceInstance', subject: describeInstance(ref) });
    }
    const existing = await getInstance(ref);
    if (!existing) {
      log.info('service busy, create deferred', { ...ref, error: (e as Error).name });
      return { PhysicalResourceId: pendingCreateId(ref, token, startedAt), ProtonState: { ...state, pendingCreate: true, startedAt } };
    }
    if (existing.arn && existing.lastClientRequestToken === token) {
      log.info('adopting the instance this request created on an earlier attempt', { ...ref, arn: existing.arn });
      return { PhysicalResourceId: existing.arn, ProtonState: state };
    }
    if (existing.arn && fromThisResource(existing.lastClientRequestToken, event, props.clientToken)) {
      log.info('adopting the instance this resource deployed before; bringing it to the template\'s state', { ...ref, arn: existing.arn });
      return { PhysicalResourceId: existing.arn, ProtonState: reconcileState(event, props, phase, existing, { adopted: true }) };
    }
    throw alreadyExists(ref, 'this stack did not create it', e as Error);
  }
}

export async function isCreateComplete(event: IsCompleteRequest, props: InstanceProperties): Promise<IsCompleteResponse> {
  const state = event.ProtonState;
  const ref = refOf(props);
  const poll = pollOf(ref, state.deadline, props);
  const { instance, retry, error } = await readInstance(ref);
  if (retry) return notYet(poll, `the Proton ${describeInstance(ref)} to answer`, error);
  // A removed instance may read DELETE_COMPLETE instead of not found: for a create still pending, it is not there.
  if (!instance || (state.pendingCreate && instance.deploymentStatus === 'DELETE_COMPLETE')) {
    if (state.pendingCreate) return sendPendingCreate(event, poll, props);
    // Gone after a withdrawal (the stack operation ended, see withdraw) is what the waiter was after; say so.
    const { live, now } = await stillInPhase(state.phase, event.StackId);
    if (!live) {
      throw new InstanceGone(`The stack is ${now}: the operation this create belonged to ended, and the Proton ${describeInstance(ref)} it created is removed.`);
    }
    throw new InstanceGone(
      `The Proton ${describeInstance(ref)} disappeared while its deployment was being watched; something removed it. Deploy again.`,
    );
  }
  const ours = createdByThisRequest(instance, state);
  if (state.pendingCreate && !ours) {
    throw alreadyExists(ref, 'it was created by someone else while this stack waited for the service');
  }
  if (ours && !inMotion(instance)) {
    const { live, now } = await stillInPhase(state.phase, event.StackId);
    if (!live) return withdraw(poll, now);
  }
  return judgeDeployment(poll, instance, props, event, ours);
}

/**
 * Whether the instance is the one this request created: it carries the request's token — or, where Proton's answer
 * records no token, it is a create of this request (not one that waited for a busy service, whose instance could
 * be anyone's) or was created after this request began.
 */
function createdByThisRequest(instance: proton.ServiceInstance, state: WaitState): boolean {
  const token = instance.lastClientRequestToken;
  if (state.token !== undefined && token === state.token) return true;
  if (token !== undefined) return false;
  if (!state.pendingCreate) return true;
  const createdAt = instance.createdAt?.getTime();
  return createdAt !== undefined && state.startedAt !== undefined && createdAt >= state.startedAt;
}

/** The stack operation ended without recording this create: remove the instance, since nothing else will. */
async function withdraw(poll: Poll, stackStatus: string | undefined): Promise<IsCompleteResponse> {
  log.warn('the stack operation this create belongs to has ended; removing the instance it created', { ...poll.ref, stackStatus });
  return requestRemoval(poll);
}

async function sendPendingCreate(event: IsCompleteRequest, poll: Poll, props: InstanceProperties): Promise<IsCompleteResponse> {
  const { token, phase } = event.ProtonState;
  const waitingFor = `Proton to accept the creation of the ${describeInstance(poll.ref)} (its service stayed busy)`;
  const { live, now } = await stillInPhase(phase, event.StackId);
  if (!live) {
    throw new ProtonDeploymentError(
      `The stack is ${now}: the operation this request belongs to has ended, so the Proton ${describeInstance(poll.ref)} is not created.`,
    );
  }
  try {
    const created = await proton.createServiceInstance(createInput(props, token!));
    log.info('deferred create sent', { ...poll.ref, arn: created.arn });
    return notYet(poll, `the deployment of the Proton ${describeInstance(poll.ref)}`);
  } catch (e) {
    // Still busy, or throttled: the next poll tries again. An instance that now exists is judged there.
    if (isConflict(e) || isTransient(e)) {
      return notYet(poll, waitingFor, e);
    }
    throw describeCallError(e, { operation: 'CreateServiceInstance', subject: describeInstance(poll.ref) });
  }
}

function createInput(props: InstanceProperties, clientToken: string): proton.CreateInstanceInput {
  return {
    serviceName: props.serviceName,
    name: props.serviceInstanceName,
    spec: props.spec,
    templateMajorVersion: props.templateMajorVersion,
    templateMinorVersion: props.templateMinorVersion,
    tags: Object.entries(props.tags).map(([key, value]) => ({ key, value })),
    clientToken,
  };
}

async function getInstance(ref: InstanceRef): Promise<proton.ServiceInstance | undefined> {
  try {
    const instance = await proton.getServiceInstance(ref.serviceName, ref.serviceInstanceName);
    return instance?.deploymentStatus === 'DELETE_COMPLETE' ? undefined : instance;
  } catch (e) {
    throw describeCallError(e, { operation: 'GetServiceInstance', subject: describeInstance(ref) });
  }
}

function alreadyExists(ref: InstanceRef, why: string, conflict?: Error): ProtonDeploymentError {
  const detail = conflict ? ` (${conflict.name}: ${conflict.message})` : '';
  return new ProtonDeploymentError(
    `A Proton ${describeInstance(ref)} already exists and ${why}${detail}. ` +
      'Choose another serviceInstanceName, or use the existing instance with ServiceInstance.fromServiceInstanceAttributes ' +
      'instead of creating it.',
  );
}
