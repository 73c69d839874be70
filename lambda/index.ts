import { dispatchIsComplete, dispatchOnEvent } from './lifecycle/handler';
import type { IsCompleteRequest, IsCompleteResponse, OnEventRequest, OnEventResponse } from './lifecycle/types';
import { log } from './log';

/** Entry points of the Custom::ProtonServiceInstance handler, one per Provider framework function. */

export async function onEvent(event: OnEventRequest): Promise<OnEventResponse> {
  log.info('onEvent', { requestType: event.RequestType, logicalResourceId: event.LogicalResourceId, physicalResourceId: (event as any).PhysicalResourceId, requestId: event.RequestId });
  try {
    return await dispatchOnEvent(event);
  } catch (e) {
    log.error('onEvent failed', { requestType: event.RequestType, error: (e as Error).name });
    throw e;
  }
}

export async function isComplete(event: IsCompleteRequest): Promise<IsCompleteResponse> {
  try {
    const result = await dispatchIsComplete(event);
    log.info('isComplete', { requestType: event.RequestType, physicalResourceId: event.PhysicalResourceId, complete: result.IsComplete, status: result.Data?.DeploymentStatus });
    return result;
  } catch (e) {
    log.error('isComplete failed', { requestType: event.RequestType, error: (e as Error).name });
    throw e;
  }
}
