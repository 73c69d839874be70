import { CloudFormationError, InjectableErrorCode, injected } from './errors';

/** Failures queued for the next DescribeStacks calls, so a handler's retry and error paths can be exercised. */
export class QueryFaults {
  private readonly queue: Array<{ remaining: number; code: InjectableErrorCode; message?: string }> = [];

  /** The next `count` calls (after any already queued) answer `code`. */
  public failNext(count: number, code: InjectableErrorCode, message?: string): void {
    if (!Number.isInteger(count) || count < 1) throw new Error(`failNext: count must be a positive integer, got ${count}`);
    injected(code); // rejects an unknown code now rather than at the call
    this.queue.push({ remaining: count, code, message });
  }

  /** The error for this call, if one is queued; counts it. */
  public take(): CloudFormationError | undefined {
    const head = this.queue[0];
    if (!head) return undefined;
    head.remaining--;
    if (head.remaining === 0) this.queue.shift();
    return injected(head.code, head.message);
  }

  public clear(): void {
    this.queue.length = 0;
  }
}
