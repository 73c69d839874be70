import { describeCallError, isConflict, ProtonDeploymentError } from '../errors';
import { log } from '../log';
import { InstanceProperties } from '../properties';
import * as proton from '../proton';
import { clientTokenFor } from './client-token';
import { describeInstance, IsCompleteRequest, IsCompleteResponse, NOT_COMPLETE, OnEventRequest, OnEventResponse } from './types';
import { judgeDeployment, readInstance } from './wait';

/**
 * Create: one CreateServiceInstance call, then the instance's ARN is the physical id at once, so that a
 * deployment that fails later still gets a real Delete when CloudFormation rolls back.
 */
export async function onCreate(event: OnEventRequest, props: InstanceProperties): Promise<OnEventResponse> {
  const token = props.clientToken ?? clientTokenFor('CreateServiceInstance', event);
  const ref = { serviceName: props.serviceName, serviceInstanceName: props.serviceInstanceName };
  const deadline = Date.now() + props.timeoutSeconds * 1000;
  let arn: string;
  try {
    const created = await proton.createServiceInstance({
      serviceName: props.serviceName,
      name: props.serviceInstanceName,
      spec: props.spec,
      templateMajorVersion: props.templateMajorVersion,
      templateMinorVersion: props.templateMinorVersion,
      tags: Object.entries(props.tags).map(([key, value]) => ({ key, value })),
      clientToken: token,
    });
    arn = created.arn!;
    log.info('service instance created', { ...ref, arn, status: created.deploymentStatus });
  } catch (e) {
    if (!isConflict(e)) {
      throw describeCallError(e, { operation: 'CreateServiceInstance', subject: describeInstance(ref) });
    }
    arn = await adoptOwnInstance(ref, token, e as Error);
  }
  return { PhysicalResourceId: arn, ProtonState: { deadline, deploys: true } };
}

/**
 * A conflict on create means the name is taken. If the instance carries this request's token, an earlier
 * attempt of the same request created it (Proton answered a retry with a conflict instead of the original):
 * adopt it. Anything else belongs to someone else and is never adopted, so never deleted by this stack.
 */
async function adoptOwnInstance(ref: { serviceName: string; serviceInstanceName: string }, token: string, conflict: Error): Promise<string> {
  let existing: proton.ServiceInstance | undefined;
  try {
    existing = await proton.getServiceInstance(ref.serviceName, ref.serviceInstanceName);
  } catch (e) {
    throw describeCallError(e, { operation: 'GetServiceInstance', subject: describeInstance(ref) });
  }
  if (existing?.arn && existing.lastClientRequestToken === token) {
    log.info('adopting the instance this request created on an earlier attempt', { ...ref, arn: existing.arn });
    return existing.arn;
  }
  throw new ProtonDeploymentError(
    `A Proton ${describeInstance(ref)} already exists and this stack did not create it (${conflict.name}: ${conflict.message}). ` +
      'Choose another serviceInstanceName, or use the existing instance with ServiceInstance.fromServiceInstanceAttributes ' +
      'instead of creating it.',
  );
}

export async function isCreateComplete(event: IsCompleteRequest, props: InstanceProperties): Promise<IsCompleteResponse> {
  const ref = { serviceName: props.serviceName, serviceInstanceName: props.serviceInstanceName };
  const { instance, retry } = await readInstance(ref);
  if (retry) return NOT_COMPLETE;
  if (!instance) {
    throw new ProtonDeploymentError(
      `The Proton ${describeInstance(ref)} disappeared while its deployment was being watched; something removed it. Deploy again.`,
    );
  }
  return judgeDeployment(ref, instance, event.ProtonState.deadline, props, event);
}
