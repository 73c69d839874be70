import { CreateServiceInstanceCommand, GetServiceInstanceCommand, ServiceInstance } from '@aws-sdk/client-proton';
import { ARN, createEvent, instance, LOGICAL_ID, STACK_ID, updateEvent } from './events';
import { IS_COMPLETE_FUNCTION, ON_EVENT_FUNCTION, throughFramework } from './framework';
import { handlerLogs, proton, resetMocks, T0 } from './mocks';
import { SEED_ERRORS } from './seed-errors';
import { ProtonDeploymentError } from '../../lambda/errors';
import { failureFor } from '../../lambda/failure';
import { clientTokenFor } from '../../lambda/lifecycle/client-token';
import { RESPONSE_LIMIT, stringBytes, TRUNCATED } from '../../lambda/response-size';

/**
 * A failure must reach CloudFormation: the response the Provider framework PUTs (message, "Logs: …", ids) must stay
 * within 4,096 bytes, or CloudFormation drops it and the stack hangs until its timeout. Measured here on the body
 * aws-cdk-lib's framework.js and cfn-response.js really build.
 */

/** Everything that makes JSON escaping and UTF-8 expensive: emoji (4 bytes), quotes and backslashes (2), newlines (2), control characters (6), CJK (3). */
const NASTY = '😀 "quoted" \\path\\ line\nnext\ttab \u0001\u001f 漢字 é ';
const hugeProtonText = (bytes = 60_000) => NASTY.repeat(Math.ceil(bytes / NASTY.length));
const LOGS_SUFFIX = (fn: string) => `\n\nLogs: /aws/lambda/${fn}\n`;
const reads = (serviceInstance: ServiceInstance) => proton.on(GetServiceInstanceCommand).resolves({ serviceInstance });
/** Lone UTF-16 surrogates: what cutting inside an emoji would leave. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

beforeEach(resetMocks);

describe('a failure reaches CloudFormation, measured on the framework\'s own response', () => {
  /** A create through the framework whose deployment ends FAILED with the given message. */
  const failedCreate = (message: string, props = {}) => {
    const event = createEvent(props);
    proton.on(CreateServiceInstanceCommand).resolves({ serviceInstance: instance() });
    reads(instance({ deploymentStatus: 'FAILED', deploymentStatusMessage: message }));
    return throughFramework(event);
  };

  test('a huge Proton deployment message: the response fits 4,096 bytes, Proton\'s text is cut first, our explanation stays', async () => {
    const text = hugeProtonText();
    const { response, retries } = await failedCreate(text);
    expect(retries).toBe(0);
    const { json, bytes } = response!;
    expect(json.Status).toBe('FAILED');
    expect(bytes).toBeLessThanOrEqual(RESPONSE_LIMIT);
    // The room is used, not wasted.
    expect(bytes).toBeGreaterThan(RESPONSE_LIMIT - 100);
    expect(json.PhysicalResourceId).toBe(ARN);
    const explanation = "(the Proton deployment of service instance 'prod' of service 'frontend' ended FAILED, deployment dep-1; fix the cause and deploy again)";
    expect(json.Reason.endsWith(`${TRUNCATED} ${explanation}${LOGS_SUFFIX(IS_COMPLETE_FUNCTION)}`)).toBe(true);
    const kept = json.Reason.slice(0, json.Reason.indexOf(TRUNCATED));
    expect(kept.length).toBeGreaterThan(1_000);
    expect(text.startsWith(kept)).toBe(true);
    expect(kept).not.toMatch(LONE_SURROGATE);
    // No stack trace is appended.
    expect(json.Reason).not.toMatch(/\n\s+at /);
  });

  test('a message that fits is passed whole, followed only by the pointer to the logs', async () => {
    const { response } = await failedCreate('image not found');
    expect(response!.json).toEqual({
      Status: 'FAILED',
      Reason: "image not found (the Proton deployment of service instance 'prod' of service 'frontend' ended FAILED, deployment dep-1; fix the cause and deploy again)" +
        LOGS_SUFFIX(IS_COMPLETE_FUNCTION),
      StackId: STACK_ID,
      RequestId: 'req-create-1',
      PhysicalResourceId: ARN,
      LogicalResourceId: LOGICAL_ID,
    });
  });

  test('a huge error message from a Proton call at Create: the advice survives and the create-failed marker is the physical id', async () => {
    proton.on(CreateServiceInstanceCommand).rejects(
      Object.assign(SEED_ERRORS.AccessDeniedException(), { message: `User is not authorized ${hugeProtonText(20_000)}` }),
    );
    const { response, waiterInput } = await throughFramework(createEvent());
    expect(waiterInput).toBeUndefined();
    const { json, bytes } = response!;
    expect(bytes).toBeLessThanOrEqual(RESPONSE_LIMIT);
    expect(json.PhysicalResourceId).toBe('AWSCDK::CustomResourceProviderFramework::CREATE_FAILED');
    expect(json.Reason).toMatch(/^Proton CreateServiceInstance failed for service instance 'prod' of service 'frontend' \(AccessDeniedException: User is not authorized 😀/);
    expect(json.Reason.endsWith(
      `${TRUNCATED}). The handler role needs proton:CreateServiceInstance. If it has it, this account can no longer use AWS Proton, ` +
        `whose support ended on 2026-10-07; there is nothing to retry.${LOGS_SUFFIX(ON_EVENT_FUNCTION)}`,
    )).toBe(true);
  });

  test('a pending create with the longest names fails within the limit too, under its pending physical id', async () => {
    const name = `i${'n'.repeat(99)}`;
    const serviceName = `s${'v'.repeat(99)}`;
    const event = createEvent({ ServiceName: serviceName, ServiceInstanceName: name });
    const token = clientTokenFor('CreateServiceInstance', event);
    proton.on(CreateServiceInstanceCommand).rejects(SEED_ERRORS.ConflictException());
    proton.on(GetServiceInstanceCommand).rejects(SEED_ERRORS.ResourceNotFoundException());
    const { response } = await throughFramework(event, {
      beforePoll: () => reads(instance({ name, serviceName, deploymentStatus: 'FAILED', deploymentStatusMessage: hugeProtonText(), lastClientRequestToken: token })),
    });
    expect(response!.json.PhysicalResourceId).toBe(`cdk-proton:pending-create:${serviceName}/${name}:${token}:${T0}`);
    expect(response!.bytes).toBeLessThanOrEqual(RESPONSE_LIMIT);
    expect(response!.json.Reason).toMatch(/ended FAILED, deployment dep-1; fix the cause and deploy again\)\n\nLogs: /);
  });

  test('an Update failing at onEvent answers with the request\'s physical id', async () => {
    proton.on(GetServiceInstanceCommand).rejects(Object.assign(SEED_ERRORS.ValidationException(), { message: hugeProtonText(9_000) }));
    const { response } = await throughFramework(updateEvent({ Spec: 'x: 1' }));
    expect(response!.json).toMatchObject({ Status: 'FAILED', PhysicalResourceId: ARN });
    expect(response!.bytes).toBeLessThanOrEqual(RESPONSE_LIMIT);
    expect(response!.json.Reason).toMatch(/\)\. Proton rejected the request; fix the value it names and deploy again\.\n\nLogs: /);
  });
});

describe('failureFor', () => {
  const request = { RequestType: 'Update', StackId: STACK_ID, RequestId: 'req-1', LogicalResourceId: 'Prod', PhysicalResourceId: ARN };
  const responseBytes = (message: string, fn = 'handler') =>
    Buffer.byteLength(JSON.stringify({ Status: 'FAILED', Reason: `${message}${LOGS_SUFFIX(fn)}`, ...request }));

  beforeEach(() => {
    process.env.AWS_LAMBDA_FUNCTION_NAME = 'handler';
  });

  test('a message that fits is kept whole, and the stack is one line', () => {
    const failure = failureFor(new ProtonDeploymentError('image not found'), request);
    expect(failure.message).toBe('image not found');
    expect(failure.name).toBe('ProtonDeploymentError');
    expect(failure.stack).toBe('ProtonDeploymentError');
    expect(failure.stack!.split('\n')).toHaveLength(1);
  });

  test.each([
    ['quotes (2 bytes each in JSON)', '"'],
    ['control characters (6 bytes each)', '\u0001'],
    ['emoji (4 bytes each)', '😀'],
    ['CJK (3 bytes each)', '漢'],
  ])('text of %s is cut by its escaped UTF-8 size', (_, ch) => {
    const failure = failureFor(new ProtonDeploymentError(ch.repeat(5_000)), request);
    expect(responseBytes(failure.message)).toBeLessThanOrEqual(RESPONSE_LIMIT);
    expect(responseBytes(failure.message)).toBeGreaterThan(RESPONSE_LIMIT - 100);
    expect(failure.message.endsWith(TRUNCATED)).toBe(true);
    expect(failure.message).not.toMatch(LONE_SURROGATE);
  });

  test('Proton\'s text is cut, the explanation around it is whole', () => {
    const text = hugeProtonText(10_000);
    const error = ProtonDeploymentError.withProtonText(text, (t) => `Deploying failed: ${t} (this is what to do about it)`);
    const failure = failureFor(error, request);
    expect(failure.message).toMatch(/^Deploying failed: 😀 "quoted"/);
    expect(failure.message.endsWith(`${TRUNCATED} (this is what to do about it)`)).toBe(true);
    expect(responseBytes(failure.message)).toBeLessThanOrEqual(RESPONSE_LIMIT);
  });

  test.each(['', 'x'.repeat(5), 'xy'.repeat(7)])('an explanation that changes with Proton\'s text (a separator only when there is text) stays whole (%#)', (pad) => {
    // describeCallError composes "(Name)" without text and "(Name: text)" with it.
    const error = ProtonDeploymentError.withProtonText(`${pad}${'x'.repeat(8_000)}`, (t) => `Call failed (Name${t ? `: ${t}` : ''}). Advice that must stay.`);
    const failure = failureFor(error, request);
    expect(failure.message.endsWith(`${TRUNCATED}). Advice that must stay.`)).toBe(true);
    expect(responseBytes(failure.message)).toBeLessThanOrEqual(RESPONSE_LIMIT);
  });

  test('a longer function name leaves less room, and still fits', () => {
    process.env.AWS_LAMBDA_FUNCTION_NAME = 'f'.repeat(64);
    const failure = failureFor(new ProtonDeploymentError('x'.repeat(10_000)), request);
    expect(responseBytes(failure.message, 'f'.repeat(64))).toBeLessThanOrEqual(RESPONSE_LIMIT);
  });

  test('a Create without a physical id is measured with the framework\'s marker', () => {
    const create = { RequestType: 'Create', StackId: STACK_ID, RequestId: 'req-1', LogicalResourceId: 'Prod' };
    const failure = failureFor(new ProtonDeploymentError('x'.repeat(10_000)), create);
    const body = JSON.stringify({
      Status: 'FAILED', Reason: `${failure.message}${LOGS_SUFFIX('handler')}`, ...create, PhysicalResourceId: 'AWSCDK::CustomResourceProviderFramework::CREATE_FAILED',
    });
    expect(Buffer.byteLength(body)).toBeLessThanOrEqual(RESPONSE_LIMIT);
  });

  test('an unexpected error becomes "Name: message", and its trace goes to the log the reason points to', () => {
    const bug = new TypeError("Cannot read properties of undefined (reading 'arn')");
    const failure = failureFor(bug, request);
    expect(failure.message).toBe("TypeError: Cannot read properties of undefined (reading 'arn')");
    expect(failure.stack).toBe('ProtonDeploymentError');
    expect(handlerLogs()).toContainEqual({ level: 'ERROR', message: 'unexpected error', error: 'TypeError', errorMessage: bug.message, stack: bug.stack });
  });

  test('a thrown non-Error still gives a message', () => {
    expect(failureFor('plain string', request).message).toBe('Error: plain string');
  });

  test('stringBytes counts what JSON makes of the text', () => {
    expect(stringBytes('"\\\n\u0001😀é')).toBe(2 + 2 + 2 + 6 + 4 + 2);
  });
});
