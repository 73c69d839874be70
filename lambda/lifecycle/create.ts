import { describeCallError, describeInstance, isConflict, isTransient, ProtonDeploymentError } from '../errors';
import { log } from '../log';
import { pendingCreateId } from '../physical-id';
import { InstanceProperties } from '../properties';
import * as proton from '../proton';
import { clientTokenFor } from './client-token';
import { currentPhase, stillInPhase } from './stack-phase';
import { InstanceRef, IsCompleteRequest, IsCompleteResponse, OnEventRequest, OnEventResponse, WaitState } from './types';
import { judgeDeployment, notYet, Poll, pollOf, readInstance } from './wait';

/**
 * Create: one CreateServiceInstance call, then the instance's ARN is the physical id at once, so that a
 * deployment that fails later still gets a real Delete when CloudFormation rolls back.
 *
 * A ConflictException has two meanings. If the instance exists, the name is taken: it is adopted only when it
 * carries this request's token (an earlier attempt of the same request created it), and never otherwise, so
 * this stack never deletes an instance it did not create. If it does not exist, the service is busy (another
 * stack, or this one, is editing its spec): the create is sent again at each poll until the deadline.
 */
export async function onCreate(event: OnEventRequest, props: InstanceProperties, phase: string | undefined): Promise<OnEventResponse> {
  const token = clientTokenFor('CreateServiceInstance', event, props.clientToken);
  const ref = refOf(props);
  const state: WaitState = { deadline: Date.now() + props.timeoutSeconds * 1000, token, phase, creates: true };
  try {
    const created = await proton.createServiceInstance(createInput(props, token));
    log.info('service instance created', { ...ref, arn: created.arn, status: created.deploymentStatus });
    return { PhysicalResourceId: created.arn!, ProtonState: state };
  } catch (e) {
    if (!isConflict(e)) {
      throw describeCallError(e, { operation: 'CreateServiceInstance', subject: describeInstance(ref) });
    }
    const existing = await getInstance(ref);
    if (existing) {
      return { PhysicalResourceId: adoptOwn(ref, existing, token, e as Error), ProtonState: state };
    }
    log.info('service busy, create deferred', { ...ref, error: (e as Error).name });
    // isComplete sends the create again only while the stack is still in this phase (see stack-phase.ts).
    const deferredPhase = phase ?? (await currentPhase(event.StackId));
    return { PhysicalResourceId: pendingCreateId(ref, token), ProtonState: { ...state, phase: deferredPhase, pendingCreate: true } };
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
    throw new ProtonDeploymentError(
      `The Proton ${describeInstance(ref)} disappeared while its deployment was being watched; something removed it. Deploy again.`,
    );
  }
  if (state.pendingCreate && instance.lastClientRequestToken !== state.token) {
    throw alreadyExists(ref, 'it was created by someone else while this stack waited for the service');
  }
  // Only a deployment that carries this request's token is ours to cancel at the deadline. An instance this
  // resource created whose answer records no token at all is taken as ours (nobody else has deployed it since).
  const token = instance.lastClientRequestToken;
  const ours = state.token !== undefined && (token === state.token || (token === undefined && !state.pendingCreate));
  return judgeDeployment(poll, instance, props, event, ours);
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

export function refOf(props: Pick<InstanceProperties, 'serviceName' | 'serviceInstanceName'>): InstanceRef {
  return { serviceName: props.serviceName, serviceInstanceName: props.serviceInstanceName };
}

async function getInstance(ref: InstanceRef): Promise<proton.ServiceInstance | undefined> {
  try {
    const instance = await proton.getServiceInstance(ref.serviceName, ref.serviceInstanceName);
    return instance?.deploymentStatus === 'DELETE_COMPLETE' ? undefined : instance;
  } catch (e) {
    throw describeCallError(e, { operation: 'GetServiceInstance', subject: describeInstance(ref) });
  }
}

/** The ARN of an existing instance this request created on an earlier attempt; anything else is not ours. */
function adoptOwn(ref: InstanceRef, existing: proton.ServiceInstance, token: string, conflict: Error): string {
  if (existing.arn && existing.lastClientRequestToken === token) {
    log.info('adopting the instance this request created on an earlier attempt', { ...ref, arn: existing.arn });
    return existing.arn;
  }
  throw alreadyExists(ref, 'this stack did not create it', conflict);
}

function alreadyExists(ref: InstanceRef, why: string, conflict?: Error): ProtonDeploymentError {
  const detail = conflict ? ` (${conflict.name}: ${conflict.message})` : '';
  return new ProtonDeploymentError(
    `A Proton ${describeInstance(ref)} already exists and ${why}${detail}. ` +
      'Choose another serviceInstanceName, or use the existing instance with ServiceInstance.fromServiceInstanceAttributes ' +
      'instead of creating it.',
  );
}
