import { CloudFormationClient, DescribeStacksCommand, StackStatus } from '@aws-sdk/client-cloudformation';
import { ProtonClient } from '@aws-sdk/client-proton';
import { mockClient } from 'aws-sdk-client-mock';
import { STACK_ID } from './events';

/**
 * The SDK clients the handler uses, mocked (aws-sdk-client-mock), the clock its deadlines read, and its log lines.
 * Every test file calls resetMocks() before each test.
 */

export const proton = mockClient(ProtonClient);
export const cloudFormation = mockClient(CloudFormationClient);

/** What DescribeStacks answers about one stack: its status (and the parent of a nested stack), or the error the call fails with. */
export type StackAnswer = StackStatus | Error | { readonly status: StackStatus | Error; readonly parentId?: string };

/**
 * What DescribeStacks answers, stack by stack (by stack id). A DescribeStacks for any stack not listed fails, so a
 * handler that asked about the wrong stack decides without the status, which the tests see.
 */
export function stacksAre(stacks: Record<string, StackAnswer>): void {
  cloudFormation.on(DescribeStacksCommand).callsFake(async (input: { StackName?: string }) => {
    const id = input.StackName ?? '';
    const answer = stacks[id];
    if (answer === undefined) throw new Error(`Stack with id ${id} does not exist`);
    const { status, parentId } = typeof answer === 'string' || answer instanceof Error ? { status: answer, parentId: undefined } : answer;
    if (status instanceof Error) throw status;
    const name = id.split('/')[1];
    return { Stacks: [{ StackName: name, StackId: id, StackStatus: status, ParentId: parentId, CreationTime: new Date('2026-11-01T10:00:00Z') }] };
  });
}

/** The one way tests say what DescribeStacks answers about the handler's own stack (see stacksAre). */
export function stackIs(status: StackStatus | Error): void {
  stacksAre({ [STACK_ID]: status });
}

/** The stacks the handler described, in order. */
export function describedStacks(): string[] {
  return cloudFormation.commandCalls(DescribeStacksCommand).map((c) => c.args[0].input.StackName ?? '');
}

/** How many times the handler asked for its stack's status. */
export function describeStacksCalls(): number {
  return cloudFormation.commandCalls(DescribeStacksCommand).length;
}

/** Sets the time Date.now() answers (the handler's deadlines are epoch milliseconds). */
export function clockAt(epochMs: number): void {
  jest.spyOn(Date, 'now').mockReturnValue(epochMs);
}

export const T0 = Date.parse('2026-11-27T12:00:00Z');

let consoleLog: jest.SpyInstance | undefined;

/** Fresh mocks: Proton answers nothing, the stack is UPDATE_IN_PROGRESS, the clock stands at T0, logs are captured. */
export function resetMocks(): void {
  jest.restoreAllMocks();
  proton.reset();
  cloudFormation.reset();
  stackIs('UPDATE_IN_PROGRESS');
  clockAt(T0);
  consoleLog = jest.spyOn(console, 'log').mockImplementation(() => undefined);
}

export interface LogLine {
  readonly level: 'INFO' | 'WARN' | 'ERROR';
  readonly message: string;
  readonly [field: string]: unknown;
}

/** The handler's own log lines (one JSON object per line), in order; the framework's lines are left out. */
export function handlerLogs(): LogLine[] {
  return (consoleLog?.mock.calls ?? [])
    .filter((args: unknown[]) => args.length === 1 && typeof args[0] === 'string' && args[0].startsWith('{'))
    .map((args: unknown[]) => JSON.parse(args[0] as string) as LogLine);
}

/** Everything written to the console, as one text. */
export function allLogText(): string {
  return (consoleLog?.mock.calls ?? []).map((args: unknown[]) => args.map(String).join(' ')).join('\n');
}
