import { attributesOf, fitResponse, ResponseEnvelope } from '../attributes';
import { DeploymentEnded, describeCallError, describeInstance, errorName, errorSummary, isTransient, protonText, timedOutAfter, WaitTimedOut } from '../errors';
import { log } from '../log';
import { requestedOutputs } from '../outputs';
import { InstanceProperties } from '../properties';
import * as proton from '../proton';
import { InstanceRef, IsCompleteResponse, NOT_COMPLETE } from './types';
import { INSTANCE_TIMEOUT_SECONDS } from '../../src/private/contract';

/**
 * Waiting until Proton has finished. isComplete is called again and again with the same event, so every
 * decision is made from what Proton says now; only the deadline comes from onEvent. Every way of waiting — a
 * deployment, a busy instance or service, throttling, 5xx, the network — ends at that deadline with one error
 * that names what it waited for and the last error seen.
 */

/** Deployment statuses that will still change by themselves. */
const IN_MOTION = new Set(['IN_PROGRESS', 'CANCELLING', 'DELETE_IN_PROGRESS']);

export function inMotion(instance: proton.ServiceInstance): boolean {
  return IN_MOTION.has(instance.deploymentStatus ?? '');
}

/** One poll's view of the request: which instance, and until when. */
export interface Poll {
  readonly ref: InstanceRef;
  readonly deadline: number;
  readonly timeoutSeconds: number;
}

export function pollOf(ref: InstanceRef, deadline: number, props: Pick<InstanceProperties, 'timeoutSeconds'>): Poll {
  return { ref, deadline, timeoutSeconds: props.timeoutSeconds };
}

/**
 * Not done yet: ask again at the next poll — unless the deadline has passed, then fail saying what was awaited
 * (e.g. "Proton to accept the update of …") and, when there was one, the last error.
 */
export function notYet(poll: Poll, waitingFor: string, lastError?: unknown): IsCompleteResponse {
  if (Date.now() < poll.deadline) return NOT_COMPLETE;
  throw timedOut(poll, waitingFor, lastError);
}

export function timedOut(poll: Poll, waitingFor: string, lastError?: unknown, advice = RAISE_TIMEOUT): WaitTimedOut {
  const last = lastError === undefined ? '' : ` The last error was ${errorSummary(lastError)}.`;
  return new WaitTimedOut(`${timedOutAfter(poll.timeoutSeconds)} waiting for ${waitingFor}.${last} ${advice}`);
}

/** The longest timeout a ServiceInstance takes, for the advice in a timeout's message. */
const LONGEST = `at most ${INSTANCE_TIMEOUT_SECONDS.max / 60} minutes`;
const RAISE_TIMEOUT = `Deploy again once Proton has finished, or raise the timeout of the ServiceInstance (${LONGEST}).`;
const RAISE_IF_LONGER = `Raise the timeout of the ServiceInstance (${LONGEST}) if its deployments take longer.`;

/** Reads the instance; `retry` means "ask again later" (throttling, 5xx, network), with the error that said so. */
export async function readInstance(ref: InstanceRef): Promise<{ instance?: proton.ServiceInstance; retry: boolean; error?: unknown }> {
  try {
    return { instance: await proton.getServiceInstance(ref.serviceName, ref.serviceInstanceName), retry: false };
  } catch (e) {
    if (isTransient(e)) {
      log.warn('GetServiceInstance failed, will ask again at the next poll', { ...ref, error: errorName(e) });
      return { retry: true, error: e };
    }
    throw describeCallError(e, { operation: 'GetServiceInstance', subject: describeInstance(ref) });
  }
}

/**
 * The attributes CloudFormation receives on success, with the requested outputs, cut to fit its response size.
 * The instance's ARN becomes the physical id (it replaces a pending create's). `lenient` (a rollback): a missing
 * output is an empty string rather than a failure.
 */
export async function completeWith(
  poll: Poll,
  instance: proton.ServiceInstance,
  props: Pick<InstanceProperties, 'outputKeys'>,
  envelope: ResponseEnvelope,
  lenient = false,
): Promise<IsCompleteResponse> {
  const outputs = await requestedOutputs(poll.ref, props.outputKeys, lenient);
  if (outputs.retry) return notYet(poll, `the outputs of the Proton ${describeInstance(poll.ref)}`, outputs.error);
  const physicalId = instance.arn ?? envelope.PhysicalResourceId;
  const data = fitResponse({ ...attributesOf(instance), ...outputs.data }, { ...envelope, PhysicalResourceId: physicalId }, 'DeploymentStatusMessage');
  return { IsComplete: true, Data: data, PhysicalResourceId: physicalId };
}

/**
 * Judges a deployment this request started (or one that put the instance where this request wants it): done on
 * SUCCEEDED, wait while it moves, fail on every other end with Proton's message first. At the deadline a
 * deployment of ours is cancelled, so that the failed stack operation does not leave it running; anyone
 * else's is left alone.
 */
export async function judgeDeployment(
  poll: Poll,
  instance: proton.ServiceInstance,
  props: Pick<InstanceProperties, 'outputKeys'>,
  envelope: ResponseEnvelope,
  ours: boolean,
): Promise<IsCompleteResponse> {
  const status = instance.deploymentStatus;
  if (status === 'SUCCEEDED') {
    log.info('deployment succeeded', { ...poll.ref, deploymentId: instance.lastAttemptedDeploymentId });
    return completeWith(poll, instance, props, envelope);
  }
  if (inMotion(instance)) {
    if (Date.now() < poll.deadline) return NOT_COMPLETE;
    throw ours ? await cancelAtDeadline(poll, instance) : timedOut(poll, `a deployment of the Proton ${describeInstance(poll.ref)} that is ${status}`);
  }
  log.error('deployment ended without success', { ...poll.ref, status, deploymentId: instance.lastAttemptedDeploymentId });
  const deployment = instance.lastAttemptedDeploymentId ? `, deployment ${instance.lastAttemptedDeploymentId}` : '';
  throw DeploymentEnded.withProtonText(
    protonText(instance.deploymentStatusMessage),
    (text) => `${text} (the Proton deployment of ${describeInstance(poll.ref)} ended ${status}${deployment}; fix the cause and deploy again)`,
  );
}

async function cancelAtDeadline(poll: Poll, instance: proton.ServiceInstance): Promise<Error> {
  const { ref } = poll;
  if (instance.deploymentStatus !== 'IN_PROGRESS') {
    return timedOut(poll, `the Proton ${describeInstance(ref)}, which is ${instance.deploymentStatus}`, undefined,
      RAISE_IF_LONGER);
  }
  try {
    await proton.cancelServiceInstanceDeployment(ref.serviceName, ref.serviceInstanceName);
    log.warn('deadline reached, deployment cancelled', { ...ref, deploymentId: instance.lastAttemptedDeploymentId });
    return new WaitTimedOut(
      `${timedOutAfter(poll.timeoutSeconds)} waiting for the Proton deployment of ${describeInstance(ref)}; ` +
        `cancelled it with CancelServiceInstanceDeployment, and Proton reverts the instance. ${RAISE_IF_LONGER}`,
    );
  } catch (e) {
    log.error('deadline reached, cancel failed', { ...ref, error: errorName(e) });
    return WaitTimedOut.withProtonText(
      errorSummary(e),
      (text) =>
        `${timedOutAfter(poll.timeoutSeconds)} waiting for the Proton deployment of ${describeInstance(ref)}, and cancelling it failed ` +
        `(${text}); cancel it in the Proton console before deploying again.`,
    );
  }
}
