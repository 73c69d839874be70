/**
 * The driver's time: a discrete-event clock. `now()` is real time plus an offset; `sleep(ms)` registers a wake-up,
 * and whenever no work is in flight (no Lambda invocation runs) while sleepers wait, the clock jumps its offset to
 * the earliest wake-up. A waiter that polls every 10 s, a one-hour ServiceTimeout or a Lambda async retry after
 * 2 minutes therefore cost no real time, while everything a handler does (its HTTP calls, the SDK's own retries)
 * runs in real time. Everything that reads the time (the handlers' `Date`, the Proton emulator's `now`, the
 * driver's event timestamps) must read it from here, or the jumps tear the timeline apart.
 */

export interface VirtualClockOptions {
  /** Real milliseconds to pause before each jump, to watch a run at a human pace while debugging. Default 0. */
  readonly pauseMsPerJump?: number;
  /**
   * Never jump: every sleep takes its full time in real time. For runs whose other parties live on real time
   * (the deploy bench compares the construct with the SDK's own waiter, which sleeps with setTimeout).
   */
  readonly realTime?: boolean;
}

interface Sleeper {
  readonly wakeAt: number;
  readonly seq: number;
  readonly resolve: () => void;
}

export class VirtualClock {
  /** `Date` for code that must see this clock: `new Date()` and `Date.now()` are virtual, everything else is Date's. */
  public readonly Date: DateConstructor;

  private offset = 0;
  private sleepers: Sleeper[] = [];
  private seq = 0;
  private inFlight = 0;
  private jumpScheduled = false;
  private jumpCount = 0;

  constructor(private readonly options: VirtualClockOptions = {}) {
    this.Date = virtualDate(this.now);
  }

  /** Epoch milliseconds on this clock (bound: pass it around as a function). */
  public readonly now = (): number => Date.now() + this.offset;

  /** How far this clock is ahead of real time, ms. */
  public get offsetMs(): number {
    return this.offset;
  }

  /** How many times the clock has jumped. */
  public get jumps(): number {
    return this.jumpCount;
  }

  public get realTime(): boolean {
    return this.options.realTime === true;
  }

  /**
   * Resolves once `ms` of this clock's time has passed, or at once when `signal` aborts (the caller checks it).
   * In real-time mode this is a timer.
   */
  public sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      let cancel = () => {};
      const abort = () => {
        cancel();
        resolve();
      };
      const wake = () => {
        signal?.removeEventListener('abort', abort);
        resolve();
      };
      signal?.addEventListener('abort', abort, { once: true });
      if (this.realTime) {
        const timer = setTimeout(wake, Math.max(0, ms));
        cancel = () => clearTimeout(timer);
        return;
      }
      const sleeper: Sleeper = { wakeAt: this.now() + Math.max(0, ms), seq: this.seq++, resolve: wake };
      cancel = () => {
        this.sleepers = this.sleepers.filter((s) => s !== sleeper);
      };
      this.sleepers.push(sleeper);
      this.sleepers.sort((a, b) => a.wakeAt - b.wakeAt || a.seq - b.seq);
      this.scheduleJump();
    });
  }

  /**
   * Marks work in flight (a Lambda invocation): the clock does not jump until the returned function is called.
   * Calling it more than once is harmless.
   */
  public enter(): () => void {
    this.inFlight++;
    let left = false;
    return () => {
      if (left) return;
      left = true;
      this.inFlight--;
      this.scheduleJump();
    };
  }

  /**
   * Jumps are decided after a macrotask turn (setImmediate, then a 0 ms timer), so that promise chains and I/O
   * callbacks already due (an HTTP response, the start of the next invocation) run first.
   */
  private scheduleJump(): void {
    if (this.jumpScheduled || this.realTime || this.sleepers.length === 0) return;
    this.jumpScheduled = true;
    setImmediate(() => {
      setTimeout(() => {
        this.jumpScheduled = false;
        this.jump();
      }, this.options.pauseMsPerJump ?? 0);
    });
  }

  private jump(): void {
    if (this.inFlight > 0 || this.sleepers.length === 0) return;
    const ahead = this.sleepers[0].wakeAt - this.now();
    if (ahead > 0) {
      this.offset += ahead;
      this.jumpCount++;
    }
    const now = this.now();
    const due = this.sleepers.filter((s) => s.wakeAt <= now);
    this.sleepers = this.sleepers.filter((s) => s.wakeAt > now);
    for (const s of due) s.resolve();
    this.scheduleJump();
  }
}

/**
 * A `Date` constructor reading `now`: the same prototype as the real Date (so `instanceof Date` holds both ways)
 * and its static methods, except `now()`; called without `new` it returns the time string, as Date does.
 */
function virtualDate(now: () => number): DateConstructor {
  const RealDate = Date;
  function VirtualDate(this: unknown, ...args: unknown[]): unknown {
    if (!new.target) return new RealDate(now()).toString();
    return Reflect.construct(RealDate, args.length === 0 ? [now()] : args, new.target);
  }
  Object.setPrototypeOf(VirtualDate, RealDate);
  VirtualDate.prototype = RealDate.prototype;
  (VirtualDate as unknown as { now: () => number }).now = () => now();
  return VirtualDate as unknown as DateConstructor;
}
