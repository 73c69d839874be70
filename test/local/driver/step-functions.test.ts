import { VirtualClock } from '../../../local/driver';
import { InvokeResponse, LocalLambda } from '../../../local/driver/local-lambda';
import { DeployedStateMachine, LocalStepFunctions } from '../../../local/driver/local-step-functions';

/** A Lambda whose functions answer from a script: an error name to fail with, or a result. */
function scriptedLambda(clock: VirtualClock, script: Record<string, Array<{ error: string } | { result: unknown }>>) {
  const calls: Array<{ fn: string; at: number; input: unknown }> = [];
  const lambda = {
    invoke: async (fn: string, payload: string): Promise<InvokeResponse> => {
      const name = fn.split(':').pop()!;
      calls.push({ fn: name, at: clock.now(), input: JSON.parse(payload) });
      const next = script[name].shift() ?? script[name].at(-1) ?? { result: null };
      const text = 'error' in next
        ? JSON.stringify({ errorType: next.error, errorMessage: `${name} failed`, trace: [] })
        : JSON.stringify(next.result);
      return { StatusCode: 200, ExecutedVersion: '$LATEST', Payload: new Uint8Array(Buffer.from(text)), ...('error' in next ? { FunctionError: 'Unhandled' as const } : {}) };
    },
  } as unknown as LocalLambda;
  return { lambda, calls };
}

const ARN = (name: string) => `arn:aws:lambda:us-east-1:123456789012:function:${name}`;
const MACHINE = 'arn:aws:states:us-east-1:123456789012:stateMachine:m';

function start(definition: unknown, script: Record<string, Array<{ error: string } | { result: unknown }>>) {
  const clock = new VirtualClock();
  const { lambda, calls } = scriptedLambda(clock, script);
  const machine: DeployedStateMachine = { arn: MACHINE, name: 'm', definition: JSON.stringify(definition), caller: { accessKeyId: 'AKID' } };
  const sfn = new LocalStepFunctions({
    lambda,
    clock,
    authorizer: () => ({ allowed: true, reason: 'allowed' }),
    findStateMachine: (arn) => (arn === MACHINE ? machine : undefined),
    executionArnOf: (m, e) => `arn:aws:states:us-east-1:123456789012:execution:${m}:${e}`,
  });
  const t0 = clock.now();
  const { executionArn } = sfn.startExecution({ stateMachineArn: MACHINE, input: '{"n":1}' });
  const execution = sfn.executions.find((x) => x.executionArn === executionArn)!;
  /** Seconds after the start at which each function was called. */
  const timeline = () => calls.map((c) => `${c.fn}@${Math.round((c.at - t0) / 1000)}`);
  return { execution, calls, timeline };
}

describe('the local Step Functions interpreter', () => {
  test('the first matching retrier decides: its own count, backoff capped by MaxDelaySeconds; then Catch', async () => {
    const { execution, calls, timeline } = start({
      StartAt: 'work',
      States: {
        work: {
          Type: 'Task',
          Resource: ARN('work'),
          Retry: [
            { ErrorEquals: ['Busy'], IntervalSeconds: 10, MaxAttempts: 3, BackoffRate: 3, MaxDelaySeconds: 60 },
            { ErrorEquals: ['States.ALL'], IntervalSeconds: 1, MaxAttempts: 1 },
          ],
          Catch: [{ ErrorEquals: ['States.ALL'], Next: 'fallback' }],
          End: true,
        },
        fallback: { Type: 'Task', Resource: ARN('fallback'), End: true },
      },
    }, {
      work: [{ error: 'Busy' }, { error: 'Busy' }, { error: 'Boom' }, { error: 'Busy' }, { error: 'Busy' }],
      fallback: [{ result: { ok: true } }],
    });
    await execution.done;
    // Busy after 10 s, then 30 s; Boom uses the other retrier (1 s); Busy's third retry is capped at 60 s (not 90 s);
    // the fourth Busy finds its retrier spent and goes to Catch.
    expect(timeline()).toEqual(['work@0', 'work@10', 'work@40', 'work@41', 'work@101', 'fallback@101']);
    expect(execution).toMatchObject({ status: 'SUCCEEDED', attempts: { work: 5, fallback: 1 } });
    // The default ResultPath replaces the input with the error; Cause is the function's error payload as JSON.
    expect(calls.at(-1)!.input).toEqual({ Error: 'Busy', Cause: JSON.stringify({ errorType: 'Busy', errorMessage: 'work failed', trace: [] }) });
  });

  test('MaxAttempts 0 never retries; ResultPath null keeps the input; an uncaught error fails the execution', async () => {
    const { execution, calls, timeline } = start({
      StartAt: 'once',
      States: {
        once: { Type: 'Task', Resource: ARN('once'), Retry: [{ ErrorEquals: ['States.ALL'], MaxAttempts: 0 }], Catch: [{ ErrorEquals: ['Nope'], Next: 'again', ResultPath: null }], End: true },
        again: { Type: 'Task', Resource: ARN('again'), End: true },
      },
    }, { once: [{ error: 'Nope' }], again: [{ error: 'Final' }] });
    await execution.done;
    expect(timeline()).toEqual(['once@0', 'again@0']);
    expect(calls[1].input).toEqual({ n: 1 });
    expect(execution).toMatchObject({ status: 'FAILED', error: 'Final' });
  });

  test('a definition it cannot run fails with States.Runtime naming what is missing', async () => {
    const { execution, calls } = start({ StartAt: 'w', States: { w: { Type: 'Wait', Seconds: 5, End: true } } }, {});
    await execution.done;
    expect(calls).toEqual([]);
    expect(execution).toMatchObject({ status: 'FAILED', error: 'States.Runtime', cause: expect.stringContaining("the state 'w' is of Type Wait") });
  });
});
