/**
 * Simulated time. Durations are written in AWS time (what the template says); `timeScale` turns them into
 * real milliseconds, so a 1-hour ServiceTimeout can be exercised in a test in a fraction of a second.
 */
export class ScaledClock {
  constructor(public readonly timeScale: number = 1) {
    if (!(timeScale > 0)) throw new Error(`timeScale must be positive, got ${timeScale}`);
  }

  realMs(awsMs: number): number {
    return awsMs * this.timeScale;
  }

  /** Resolves after `realMs` real milliseconds, or early when `signal` aborts. */
  sleepReal(realMs: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const timer = setTimeout(done, Math.max(0, realMs));
      function done() {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      }
      signal?.addEventListener('abort', done);
    });
  }
}
