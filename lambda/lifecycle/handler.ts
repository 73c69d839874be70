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
  const props = parseProperties(event.ResourceProperties);
  const response = await (() => {
    switch (event.RequestType) {
      case 'Create':
        return onCreate(event, props, undefined);
      case 'Update':
        return onUpdate(event, parseProperties(event.OldResourceProperties), props);
      case 'Delete':
        return onDelete(event, props);
    }
  })();
  return props.noEcho ? { ...response, NoEcho: true } : response;
}

export async function dispatchIsComplete(event: IsCompleteRequest): Promise<IsCompleteResponse> {
  const props = parseProperties(event.ResourceProperties);
  // An Update that replaces the instance is watched as the create it is.
  if (event.ProtonState.creates) return isCreateComplete(event, props);
  switch (event.RequestType) {
    case 'Create':
      return isCreateComplete(event, props);
    case 'Update':
      return isUpdateComplete(event, props);
    case 'Delete':
      return isDeleteComplete(event, props);
  }
}
