import { ErrorName } from './errors';

/** When a rule fires: on the nth matching call after it was set (1-based), or on each of the next k. */
export interface CallSelector {
  readonly nth?: number;
  readonly next?: number;
}

export interface FailCallOptions extends CallSelector {
  /** Any modelled error name (ThrottlingException, InternalServerException, ...); answered with its HTTP status. */
  readonly error: ErrorName;
  readonly message?: string;
}

export interface ThrottleOptions {
  /** Refill rate of the bucket. */
  readonly requestsPerSecond: number;
  /** Bucket size: calls allowed back to back. */
  readonly burst: number;
}

/** What the server must do with a call, decided before validation. */
export type FaultAction =
  | { readonly kind: 'error'; readonly error: ErrorName; readonly message: string }
  | { readonly kind: 'drop' };

interface Rule {
  readonly operation: string;
  readonly action: FaultAction;
  readonly nth?: number;
  remaining: number;
  seen: number;
}

/** Fault injection, per operation or for all ('*'). */
export class Faults {
  private rules: Rule[] = [];
  private delays = new Map<string, number>();
  private bucket?: { rate: number; burst: number; tokens: number; at: number };
  private down = false;

  constructor(private readonly now: () => number = Date.now) {}

  /** e.g. `failCall('CreateServiceInstance', { nth: 2, error: 'ThrottlingException' })`. Default: the next call. */
  public failCall(operation: string, options: FailCallOptions): this {
    const message = options.message ?? `Injected ${options.error} for ${operation}`;
    return this.addRule(operation, { kind: 'error', error: options.error, message }, options);
  }

  /** Destroys the socket without an answer, as a network failure would. */
  public dropConnection(operation: string, selector: CallSelector = {}): this {
    return this.addRule(operation, { kind: 'drop' }, selector);
  }

  /** Answers every call of `operation` ('*' for all) `ms` later; 0 removes the delay. */
  public delay(operation: string, ms: number): this {
    if (ms > 0) this.delays.set(operation, ms);
    else this.delays.delete(operation);
    return this;
  }

  /** A token bucket over all operations; calls finding it empty get ThrottlingException. `undefined` removes it. */
  public throttle(options: ThrottleOptions | undefined): this {
    this.bucket = options ? { rate: options.requestsPerSecond, burst: options.burst, tokens: options.burst, at: this.now() } : undefined;
    return this;
  }

  /** The account after AWS Proton's end of support: every call answers AccessDeniedException. */
  public unavailable(on: boolean): this {
    this.down = on;
    return this;
  }

  public get isUnavailable(): boolean {
    return this.down;
  }

  public clear(): this {
    this.rules = [];
    this.delays.clear();
    this.bucket = undefined;
    this.down = false;
    return this;
  }

  public delayFor(operation: string): number {
    return this.delays.get(operation) ?? this.delays.get('*') ?? 0;
  }

  /** Decides the fate of one routed call; counts it against every matching rule. */
  public check(operation: string): FaultAction | undefined {
    if (!this.takeToken()) {
      return { kind: 'error', error: 'ThrottlingException', message: 'Rate exceeded' };
    }
    let fired: FaultAction | undefined;
    for (const rule of this.rules) {
      if (rule.operation !== operation && rule.operation !== '*') continue;
      rule.seen++;
      const hit = rule.nth !== undefined ? rule.seen === rule.nth : rule.remaining > 0;
      if (hit) {
        rule.remaining--;
        fired ??= rule.action;
      }
    }
    this.rules = this.rules.filter((r) => r.remaining > 0);
    return fired;
  }

  private addRule(operation: string, action: FaultAction, selector: CallSelector): this {
    if (selector.nth !== undefined && selector.nth < 1) throw new Error('nth is 1-based');
    const remaining = selector.nth !== undefined ? 1 : (selector.next ?? 1);
    this.rules.push({ operation, action, nth: selector.nth, remaining, seen: 0 });
    return this;
  }

  private takeToken(): boolean {
    const b = this.bucket;
    if (!b) return true;
    const now = this.now();
    b.tokens = Math.min(b.burst, b.tokens + ((now - b.at) / 1000) * b.rate);
    b.at = now;
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }
}
