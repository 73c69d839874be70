import { validation } from '../errors';
import { ProtonState } from '../state/store';

/** Inputs arrive validated against the model, so handlers may read members by their modelled types. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Input = Record<string, any>;

export type Handler = (state: ProtonState, input: Input) => Record<string, unknown>;

/** Opaque page tokens: base64 of the offset, which satisfies the model's NextToken pattern. */
export function page<T>(items: T[], nextToken: string | undefined, size: number): { items: T[]; nextToken?: string } {
  let start = 0;
  if (nextToken) {
    start = Number(Buffer.from(nextToken, 'base64').toString('utf-8'));
    if (!Number.isInteger(start) || start < 0 || start > items.length) {
      throw validation(`Invalid nextToken: ${nextToken}`);
    }
  }
  const end = size > 0 ? start + size : items.length;
  return { items: items.slice(start, end), ...(end < items.length ? { nextToken: Buffer.from(String(end)).toString('base64') } : {}) };
}
