import { functionName, STACK, synth } from './fixture-app';
import { useDrivers } from './helpers';
import { DEFAULT_SERVICE_TIMEOUT_SECONDS, LAMBDA_ASYNC_RETRY_DELAYS_SECONDS, VirtualClock } from '../../../local/driver';

jest.setTimeout(20_000);

const newDriver = useDrivers();

describe('VirtualClock', () => {
  test('jumps to the earliest wake-up when nothing is in flight, waking sleepers in order', async () => {
    const clock = new VirtualClock();
    const woke: string[] = [];
    const started = Date.now();
    const t0 = clock.now();
    await Promise.all([
      clock.sleep(3_600_000).then(() => woke.push(`hour@${Math.round((clock.now() - t0) / 1000)}`)),
      clock.sleep(10_000).then(() => woke.push(`ten@${Math.round((clock.now() - t0) / 1000)}`)),
    ]);
    expect(woke).toEqual(['ten@10', 'hour@3600']);
    expect(clock.jumps).toBe(2);
    expect(Date.now() - started).toBeLessThan(1000);
    // Code in the sandbox reads the same time.
    expect(Math.abs(new clock.Date().getTime() - clock.now())).toBeLessThan(50);
    expect(Math.abs(clock.Date.now() - clock.now())).toBeLessThan(50);
    expect(new clock.Date(0).getTime()).toBe(0);
    expect(new clock.Date()).toBeInstanceOf(Date);
  });

  test('does not jump while work is in flight, and a cancelled sleep leaves the timeline', async () => {
    const clock = new VirtualClock();
    const leave = clock.enter();
    let woke = false;
    void clock.sleep(60_000).then(() => (woke = true));
    await new Promise((r) => setTimeout(r, 30));
    expect(woke).toBe(false);
    expect(clock.offsetMs).toBe(0);
    leave();
    await new Promise((r) => setTimeout(r, 30));
    expect(woke).toBe(true);
    expect(clock.offsetMs).toBeGreaterThanOrEqual(59_900);

    const abort = new AbortController();
    const cancelled = clock.sleep(3_600_000, abort.signal);
    abort.abort();
    await cancelled;
    await clock.sleep(1000);
    expect(clock.offsetMs).toBeLessThan(62_000);
  });

  test('in real-time mode a sleep takes its time, unless aborted', async () => {
    const clock = new VirtualClock({ realTime: true });
    const started = Date.now();
    await clock.sleep(40, new AbortController().signal);
    expect(Date.now() - started).toBeGreaterThanOrEqual(35);
    const abort = new AbortController();
    const long = clock.sleep(60_000, abort.signal);
    abort.abort();
    await long;
    expect(Date.now() - started).toBeLessThan(1000);
    expect(clock.jumps).toBe(0);
  });
});

describe('time in the driver', () => {
  test("CloudFormation's default one-hour wait, over 360 polls, costs a few seconds of real time", async () => {
    const { driver, state } = newDriver();
    const started = Date.now();
    const dir = synth({ things: [{ id: 'A', props: { Polls: 1_000_000 } }], queryIntervalSeconds: 10, totalTimeoutSeconds: 7200 });
    const r = await driver.deploy(dir, STACK);
    expect(r.failureReason).toContain(`did not receive a response from your Custom Resource within ${DEFAULT_SERVICE_TIMEOUT_SECONDS} seconds`);
    const polls = state().calls.filter((c) => c.step === 'isComplete' && c.type === 'Create');
    expect(polls.length).toBeGreaterThanOrEqual(360);
    const a = r.events.filter((e) => e.logicalId === 'A');
    const waited = a.find((e) => e.status === 'CREATE_FAILED')!.timestamp.getTime() - a[0].timestamp.getTime();
    expect(waited).toBeGreaterThanOrEqual(DEFAULT_SERVICE_TIMEOUT_SECONDS * 1000);
    expect(waited).toBeLessThan((DEFAULT_SERVICE_TIMEOUT_SECONDS + 10) * 1000);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(driver.clock.jumps).toBeGreaterThanOrEqual(360);
  });

  test('a ServiceToken function that fails is retried by Lambda after 1 and 2 minutes, then CloudFormation times out', async () => {
    const { driver, state } = newDriver();
    const dir = synth({ things: [{ id: 'P', plain: true, props: { PlainFail: 'true' }, serviceTimeoutSeconds: 600 }] });
    const r = await driver.deploy(dir, STACK);
    expect(r.failureReason).toContain('within 600 seconds');
    const creates = driver.invocations.filter((i) => i.functionName === functionName(dir, 'Plain') && (i.event as { RequestType: string }).RequestType === 'Create');
    expect(creates.map((i) => i.caller)).toEqual(['cloudformation.amazonaws.com', 'cloudformation.amazonaws.com', 'cloudformation.amazonaws.com']);
    const gaps = creates.slice(1).map((i, n) => Math.round((i.startedAt.getTime() - creates[n].endedAt!.getTime()) / 1000));
    expect(gaps).toEqual(LAMBDA_ASYNC_RETRY_DELAYS_SECONDS);
    expect(new Set(state().calls.filter((c) => c.type === 'Create').map((c) => c.requestId)).size).toBe(1);
  });

  test('a ServiceToken function without the framework answers with its own HTTPS PUT to the response URL', async () => {
    const { driver } = newDriver();
    const dir = synth({ things: [{ id: 'P', plain: true }] });
    const r = await driver.deploy(dir, STACK);
    expect(r.status).toBe('CREATE_COMPLETE');
    expect(driver.getAttribute(STACK, 'P', 'Answer')).toBe('42');
    expect(driver.physicalId(STACK, 'P')).toBe('plain-p');
    const plain = driver.invocations.find((i) => i.functionName === functionName(dir, 'Plain'))!;
    expect(plain.logs.map((l) => l.message)).toEqual(['plain answered 200']);
  });
});
