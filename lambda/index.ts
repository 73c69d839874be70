import { errorName } from './errors';
import { failureFor } from './failure';
import { dispatchIsComplete, dispatchOnEvent } from './lifecycle/handler';
import type { IsCompleteRequest, IsCompleteResponse, OnEventRequest, OnEventResponse } from './lifecycle/types';
import { log } from './log';

/**
 * Entry points of the Custom::ProtonServiceInstance handler, one per Provider framework function. A failure
 * leaves here shaped for CloudFormation's response (see failure.ts).
 */

export async function onEvent(event: OnEventRequest): Promise<OnEventResponse> {
  const physicalResourceId = 'PhysicalResourceId' in event ? event.PhysicalResourceId : undefined;
  log.info('onEvent', { requestType: event.RequestType, logicalResourceId: event.LogicalResourceId, physicalResourceId, requestId: event.RequestId });
  try {
    return await dispatchOnEvent(event);
  } catch (e) {
    log.error('onEvent failed', { requestType: event.RequestType, error: errorName(e) });
    throw failureFor(e, { ...event, PhysicalResourceId: physicalResourceId });
  }
}

export async function isComplete(event: IsCompleteRequest): Promise<IsCompleteResponse> {
  try {
    const result = await dispatchIsComplete(event);
    log.info('isComplete', { requestType: event.RequestType, physicalResourceId: event.PhysicalResourceId, complete: result.IsComplete, status: result.Data?.DeploymentStatus });
    return result;
  } catch (e) {
    log.error('isComplete failed', { requestType: event.RequestType, error: errorName(e) });
    throw failureFor(e, event);
  }
}
