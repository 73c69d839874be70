import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { isComplete, onEvent } from '../../lambda';
import type { CfnResponseBody } from '../../local/driver';

/**
 * aws-cdk-lib's Provider framework (custom-resources/lib/provider-framework/runtime: framework.js, cfn-response.js),
 * run unchanged around the handler. Only its outbound calls are replaced: invoking a user function runs the
 * handler in this process and shapes a thrown error as the Lambda Node.js runtime does
 * (`{ errorType, errorMessage, trace: stack.split('\n') }`), starting the waiter records its input, and the PUT to
 * CloudFormation's response URL records the body. So the sizes measured here are those of what AWS would receive.
 */

jest.mock('../../node_modules/aws-cdk-lib/custom-resources/lib/provider-framework/runtime/outbound', () => ({
  invokeFunction: jest.fn(),
  startExecution: jest.fn(),
  httpRequest: jest.fn(),
}));

const RUNTIME = '../../node_modules/aws-cdk-lib/custom-resources/lib/provider-framework/runtime';

interface Outbound {
  invokeFunction: jest.Mock<Promise<InvokeResult>, [{ FunctionName: string; Payload: string }]>;
  startExecution: jest.Mock<Promise<unknown>, [{ stateMachineArn: string; input: string }]>;
  httpRequest: jest.Mock<Promise<void>, [unknown, string]>;
}

interface InvokeResult {
  readonly StatusCode: number;
  readonly FunctionError?: string;
  readonly Payload: Uint8Array;
}

interface Framework {
  onEvent(event: unknown): Promise<void>;
  isComplete(event: unknown): Promise<void>;
}

/** The user functions' names: CDK-generated, as long as Lambda allows (64 characters). */
export const ON_EVENT_FUNCTION = 'Test-ProtonServiceInstanceProviderOnEventHandler-AbCdEfGhIjKlMnOp';
export const IS_COMPLETE_FUNCTION = 'Test-ProtonServiceInstanceProviderIsCompleteHandl-QrStUvWxYzAbCd';
const functionArn = (name: string) => `arn:aws:lambda:us-east-1:123456789012:function:${name}`;

/** The body the framework PUTs to CloudFormation, as sent and parsed. */
export interface CfnResponse {
  readonly body: string;
  readonly bytes: number;
  readonly json: CfnResponseBody & { readonly Data?: Record<string, string> };
}

/** The Lambda runtime's answer for a handler's result or thrown error (RIC Errors.js toRapidResponse). */
async function runUserFunction(functionName: string, payload: string): Promise<InvokeResult> {
  const name = functionName.split(':').pop()!;
  const event = JSON.parse(payload);
  const saved = process.env.AWS_LAMBDA_FUNCTION_NAME;
  process.env.AWS_LAMBDA_FUNCTION_NAME = name;
  try {
    const result = name === ON_EVENT_FUNCTION ? await onEvent(event) : await isComplete(event);
    return { StatusCode: 200, Payload: Buffer.from(JSON.stringify(result)) };
  } catch (e) {
    const err = e as Error;
    const error = { errorType: err.name, errorMessage: err.message, trace: String(err.stack).split('\n') };
    return { StatusCode: 200, FunctionError: 'Unhandled', Payload: Buffer.from(JSON.stringify(error)) };
  } finally {
    if (saved === undefined) delete process.env.AWS_LAMBDA_FUNCTION_NAME;
    else process.env.AWS_LAMBDA_FUNCTION_NAME = saved;
  }
}

function load(): { framework: Framework; outbound: Outbound } {
  process.env.USER_ON_EVENT_FUNCTION_ARN = functionArn(ON_EVENT_FUNCTION);
  process.env.USER_IS_COMPLETE_FUNCTION_ARN = functionArn(IS_COMPLETE_FUNCTION);
  process.env.WAITER_STATE_MACHINE_ARN = 'arn:aws:states:us-east-1:123456789012:stateMachine:Waiter';
  const outbound = jest.requireMock<Outbound>(`${RUNTIME}/outbound`);
  const framework = jest.requireActual<Framework>(`${RUNTIME}/framework`);
  outbound.invokeFunction.mockImplementation(async (req) => runUserFunction(req.FunctionName, req.Payload));
  outbound.startExecution.mockImplementation(async () => ({ executionArn: 'arn:aws:states:us-east-1:123456789012:execution:Waiter:1' }));
  outbound.httpRequest.mockImplementation(async () => undefined);
  return { framework, outbound };
}

/** One request through the framework: onEvent, then isComplete at each poll (the caller's hook moves Proton on). */
export interface FrameworkRun {
  /** The Step Functions input the framework started the waiter with (the isComplete event), if it did. */
  readonly waiterInput?: string;
  /** The response CloudFormation received, if one was sent. */
  readonly response?: CfnResponse;
  /** isComplete polls that answered "not yet". */
  readonly retries: number;
}

export async function throughFramework(
  request: CloudFormationCustomResourceEvent,
  options: { readonly maxPolls?: number; readonly beforePoll?: (poll: number) => void } = {},
): Promise<FrameworkRun> {
  const { framework, outbound } = load();
  outbound.startExecution.mockClear();
  outbound.httpRequest.mockClear();
  // Lambda hands every function a copy of its payload.
  await framework.onEvent(JSON.parse(JSON.stringify(request)));
  const waiterInput = outbound.startExecution.mock.calls[0]?.[0].input;
  let retries = 0;
  if (waiterInput !== undefined && outbound.httpRequest.mock.calls.length === 0) {
    for (let poll = 0; poll < (options.maxPolls ?? 10); poll++) {
      options.beforePoll?.(poll);
      try {
        await framework.isComplete(JSON.parse(waiterInput));
        break;
      } catch (e) {
        // The framework's Retry: the state machine calls isComplete again after its interval.
        if ((e as Error).constructor.name !== 'Retry') throw e;
        retries++;
      }
    }
  }
  const body = outbound.httpRequest.mock.calls[0]?.[1];
  const response = body === undefined ? undefined : { body, bytes: Buffer.byteLength(body, 'utf8'), json: JSON.parse(body) };
  return { waiterInput, response, retries };
}
