import { blankAttributes } from '../attributes';
import { describeInstance, ProtonOutcome } from '../errors';
import { log } from '../log';
import { blankOutputs } from '../outputs';
import { InstanceProperties } from '../properties';
import { refOf } from './reconcile';
import { isUpdateRollback } from './stack-phase';
import { IsCompleteRequest, IsCompleteResponse, NOT_COMPLETE } from './types';
import { completeWith, pollOf, readInstance } from './wait';

/**
 * A rollback must complete. Failing one leaves the stack UPDATE_ROLLBACK_FAILED, which only a person can resolve
 * (continue-update-rollback, often skipping resources). So when Proton's outcome keeps a rollback Update from
 * restoring the old state — its deployment failed, the deadline passed, an output is gone, the instance is gone —
 * the rollback completes with the instance's real state in the attributes and a warning in the log, and the next
 * deployment plans from that real state. Errors of another kind (a call Proton refuses, a permission) still fail.
 */
export async function completingRollback(
  event: IsCompleteRequest,
  props: InstanceProperties,
  step: () => Promise<IsCompleteResponse>,
): Promise<IsCompleteResponse> {
  if (event.RequestType !== 'Update' || !isUpdateRollback(event.ProtonState.phase)) return step();
  try {
    return await step();
  } catch (e) {
    if (!(e instanceof ProtonOutcome)) throw e;
    const ref = refOf(props);
    // The reason stays out of the log: it may quote Proton's status message, which is sensitive.
    log.warn('rollback could not restore the instance; completing so that the stack can roll back', { ...ref, reason: e.outcome });
    const poll = pollOf(ref, Number.MAX_SAFE_INTEGER, props);
    const { instance, retry } = await readInstance(ref);
    // Proton does not answer for now: ask again at the next poll, rather than report the instance gone.
    if (retry) return NOT_COMPLETE;
    if (instance) return completeWith(poll, instance, props, event, true);
    log.warn(`the Proton ${describeInstance(ref)} is gone; its attributes are empty`, { ...ref });
    return { IsComplete: true, Data: { ...blankAttributes(), ...blankOutputs(props.outputKeys) } };
  }
}
