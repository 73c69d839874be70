import { notFound } from '../errors';
import { Handler, page } from './types';
import { ProtonState, Tag } from '../state/store';

/** Tags live by ARN; an ARN with no entry belongs to nothing the emulator knows. */
function tagsOf(state: ProtonState, arn: string): Tag[] {
  state.settleAll();
  const tags = state.tags.get(arn);
  if (!tags) throw notFound(`Resource ${arn} not found`);
  return tags;
}

export const tagResource: Handler = (state, input) => {
  const tags = tagsOf(state, input.resourceArn);
  for (const tag of input.tags as Tag[]) {
    const existing = tags.find((t) => t.key === tag.key);
    if (existing) existing.value = tag.value;
    else tags.push({ key: tag.key, value: tag.value });
  }
  return {};
};

export const untagResource: Handler = (state, input) => {
  const tags = tagsOf(state, input.resourceArn);
  const drop = new Set(input.tagKeys as string[]);
  state.tags.set(input.resourceArn, tags.filter((t) => !drop.has(t.key)));
  return {};
};

export const listTagsForResource: Handler = (state, input) => {
  const result = page(tagsOf(state, input.resourceArn), input.nextToken, input.maxResults ?? 50);
  return { tags: result.items, ...(result.nextToken ? { nextToken: result.nextToken } : {}) };
};
