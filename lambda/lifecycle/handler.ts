import { parseProperties } from '../properties';
import { beginIsComplete, beginOnEvent } from '../reach';
import { onCreate, isCreateComplete } from './create';
import { isDeleteComplete, onDelete } from './delete';
import { isReconcileComplete } from './reconcile';
import { completingRollback } from './rollback';
import { IsCompleteRequest, IsCompleteResponse, OnEventRequest, OnEventResponse } from './types';
import { onUpdate } from './update';

/**
 * The dispatch from CloudFormation's request types to the lifecycle, for both of the Provider framework's
 * entry points: onEvent starts the work, isComplete is asked until the work has finished.
 */
export async function dispatchOnEvent(event: OnEventRequest): Promise<OnEventResponse> {
  const props = parseProperties(event.ResourceProperties);
  beginOnEvent(event.RequestType);
  const response = await (() => {
    switch (event.RequestType) {
      case 'Create':
        return onCreate(event, props);
      case 'Update':
        return onUpdate(event, parseProperties(event.OldResourceProperties), props);
      case 'Delete':
        return onDelete(event, props);
    }
  })();
  return props.noEcho ? { ...response, NoEcho: true } : response;
}

/**
 * isComplete watches what onEvent started: a create (a Create, or an Update that replaces the instance), a
 * removal (a Delete), or an existing instance brought to the template's state (an in-place Update, or a request
 * that pointed back at an instance of this resource's).
 */
export async function dispatchIsComplete(event: IsCompleteRequest): Promise<IsCompleteResponse> {
  const props = parseProperties(event.ResourceProperties);
  // Its onEvent connected: a connection failure now is passing trouble, waited out until the deadline.
  beginIsComplete();
  if (event.RequestType === 'Delete') return isDeleteComplete(event, props);
  const watch = event.ProtonState.creates ? isCreateComplete : isReconcileComplete;
  return completingRollback(event, props, () => watch(event, props));
}
