import { HANDLER_DIR } from './fixture-app';
import { LambdaFunctionSpec, LocalLambdaRuntime, VirtualClock } from '../../../local/driver';

const spec = (name: string): LambdaFunctionSpec => ({
  arn: `arn:aws:lambda:us-east-1:123456789012:function:${name}`,
  functionName: name,
  handler: 'index.echoEnv',
  environment: {},
  timeoutSeconds: 5,
  codeDir: HANDLER_DIR,
  logging: { format: 'Text', applicationLogLevel: 'INFO', logGroup: `/aws/lambda/${name}` },
});

const result = (outcome: { ok: boolean; payload?: string }) => (outcome.ok ? JSON.parse(outcome.payload!) : outcome);

describe('LocalLambdaRuntime', () => {
  test('concurrent invocations each see their own environment; process.env is never touched', async () => {
    const runtime = new LocalLambdaRuntime({ clock: new VirtualClock() });
    delete process.env.MARK;
    const [slow, fast] = await Promise.all([
      runtime.run(spec('one'), { MARK: 'slow' }, JSON.stringify({ pauseMs: 60 })),
      runtime.run(spec('one'), { MARK: 'fast' }, JSON.stringify({ pauseMs: 5 })),
    ]);
    expect(result(slow).mark).toBe('slow');
    expect(result(fast).mark).toBe('fast');
    expect(process.env.MARK).toBeUndefined();
  });

  test('module state persists per function (warm starts), never across functions; Date is the clock', async () => {
    const clock = new VirtualClock();
    const runtime = new LocalLambdaRuntime({ clock });
    await clock.sleep(3_600_000);
    const warm = async (name: string) => result(await runtime.run(spec(name), {}, JSON.stringify({ pauseMs: 0 })));
    expect((await warm('one')).warm).toBe(1);
    expect((await warm('one')).warm).toBe(2);
    expect((await warm('two')).warm).toBe(1);
    // Inside the sandbox, Date.now() is an hour ahead of the real clock.
    expect((await warm('two')).date - Date.now()).toBeGreaterThanOrEqual(3_599_000);
  });
});
