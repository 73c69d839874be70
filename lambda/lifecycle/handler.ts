import { parseProperties } from '../properties';
import { onCreate, isCreateComplete } from './create';
import { isDeleteComplete, onDelete } from './delete';
import { IsCompleteRequest, IsCompleteResponse, OnEventRequest, OnEventResponse } from './types';
import { isUpdateComplete, onUpdate } from './update';

/**
 * The dispatch from CloudFormation's request types to the lifecycle, for both of the Provider framework's
 * entry points: onEvent starts the work, isComplete is asked until the work has finished.
 */
export async function dispatchOnEvent(event: OnEventRequest): Promise<OnEventResponse> {
  switch (event.RequestType) {
    case 'Create':
      return onCreate(event, parseProperties(event.ResourceProperties));
    case 'Update':
      return onUpdate(event, parseProperties(event.OldResourceProperties), parseProperties(event.ResourceProperties));
    case 'Delete':
      return onDelete(event, parseProperties(event.ResourceProperties));
  }
}

export async function dispatchIsComplete(event: IsCompleteRequest): Promise<IsCompleteResponse> {
  const props = parseProperties(event.ResourceProperties);
  switch (event.RequestType) {
    case 'Create':
      return isCreateComplete(event, props);
    case 'Update':
      return isUpdateComplete(event, props);
    case 'Delete':
      return isDeleteComplete(event, props);
  }
}
