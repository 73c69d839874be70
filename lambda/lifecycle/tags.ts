import { describeCallError, describeInstance, errorName, isConflict, isTransient } from '../errors';
import { log } from '../log';
import * as proton from '../proton';
import { InstanceRef, TagChanges } from './types';

/**
 * Tag changes go straight to TagResource/UntagResource, without a deployment. Like UpdateServiceInstance, they
 * can meet a busy instance (ConflictException) or throttling; then they are sent again at the next poll.
 */

export function tagChanges(oldTags: Record<string, string>, newTags: Record<string, string>): TagChanges | undefined {
  const set = Object.fromEntries(Object.entries(newTags).filter(([k, v]) => oldTags[k] !== v));
  const remove = Object.keys(oldTags).filter((k) => !(k in newTags));
  return Object.keys(set).length || remove.length ? { set, remove } : undefined;
}

/** Applies the changes; returns the error that deferred them, or undefined once they are applied. */
export async function applyTagChanges(arn: string, ref: InstanceRef, changes: TagChanges): Promise<{ deferredBy?: unknown }> {
  const calls: Array<[string, () => Promise<void>]> = [
    ['UntagResource', () => proton.untagResource(arn, changes.remove)],
    ['TagResource', () => proton.tagResource(arn, changes.set)],
  ];
  for (const [operation, call] of calls) {
    try {
      await call();
    } catch (e) {
      if (isConflict(e) || isTransient(e)) {
        log.info('tag change refused for now, will send it again', { ...ref, operation, error: errorName(e) });
        return { deferredBy: e };
      }
      throw describeCallError(e, { operation, subject: describeInstance(ref), resource: arn });
    }
  }
  log.info('tags updated', { ...ref, set: Object.keys(changes.set), removed: changes.remove });
  return {};
}
