import { ApplicationLogLevel } from 'aws-cdk-lib/aws-lambda';
import { functionName, logicalIdOf, rolePrincipal, STACK, synth } from './fixture-app';
import { useDrivers } from './helpers';
import { CREATE_FAILED_PHYSICAL_ID_MARKER, LAMBDA_MAX_PAYLOAD_BYTES, STATES_MAX_PAYLOAD_BYTES } from '../../../local/driver';

jest.setTimeout(20_000);

const newDriver = useDrivers();

const ON_EVENT_FRAMEWORK = 'ProviderframeworkonEvent';
const IS_COMPLETE_FRAMEWORK = 'ProviderframeworkisComplete';
const ON_TIMEOUT_FRAMEWORK = 'ProviderframeworkonTimeout';

describe("aws-cdk-lib's own Provider framework runs", () => {
  test('the framework functions of the assembly hand the request from function to function, each under its own role', async () => {
    const { driver } = newDriver();
    const dir = synth({ things: [{ id: 'A', props: { Polls: 1 } }] });
    expect((await driver.deploy(dir, STACK)).status).toBe('CREATE_COMPLETE');
    const chain = driver.invocations.map((i) => [i.functionName, i.caller.replace(/\/[^/]+$/, '')]);
    expect(chain).toEqual([
      // CloudFormation invokes the ServiceToken; framework onEvent invokes the user onEvent and starts the waiter.
      [functionName(dir, ON_EVENT_FRAMEWORK), 'cloudformation.amazonaws.com'],
      [functionName(dir, 'OnEvent'), rolePrincipal(dir, 'ProviderframeworkonEventServiceRole')],
      // The state machine invokes framework isComplete under its role, which invokes the user isComplete: twice.
      [functionName(dir, IS_COMPLETE_FRAMEWORK), rolePrincipal(dir, 'ProviderwaiterstatemachineRole')],
      [functionName(dir, 'IsComplete'), rolePrincipal(dir, 'ProviderframeworkisCompleteServiceRole')],
      [functionName(dir, IS_COMPLETE_FRAMEWORK), rolePrincipal(dir, 'ProviderwaiterstatemachineRole')],
      [functionName(dir, 'IsComplete'), rolePrincipal(dir, 'ProviderframeworkisCompleteServiceRole')],
    ]);
    // The first framework isComplete threw cfn-response's Retry (an Error carrying the event), which the state machine retried.
    const retried = driver.invocations[2].outcome!;
    expect(retried.ok).toBe(false);
    if (retried.ok) return;
    expect(retried.error.errorType).toBe('Error');
    expect(JSON.parse(retried.error.errorMessage)).toMatchObject({ LogicalResourceId: 'A', RequestType: 'Create', Extra: 'passed-through' });
    expect(driver.executions).toHaveLength(1);
    // CloudFormation has its answer before the execution ends (framework isComplete PUTs it, then returns).
    await driver.executions[0].done;
    expect(driver.executions[0]).toMatchObject({ status: 'SUCCEEDED', attempts: { 'framework-isComplete-task': 2 } });
  });

  test('its [provider-framework] log lines are captured, and dropped at the default FATAL level', async () => {
    const quiet = newDriver();
    const dir = synth({ things: [{ id: 'A' }] });
    await quiet.driver.deploy(dir, STACK);
    const group = `/aws/lambda/${functionName(dir, ON_EVENT_FRAMEWORK)}`;
    const captured = quiet.driver.capturedLogs(group);
    expect(captured.some((l) => l.message.startsWith('[provider-framework] onEventHandler'))).toBe(true);
    expect(captured.every((l) => l.level === 'INFO' && !l.kept)).toBe(true);
    expect(quiet.driver.logs(group)).toEqual([]);
    expect(quiet.driver.logGroups()).not.toContain(group);

    const loud = newDriver();
    await loud.driver.deploy(synth({ things: [{ id: 'A' }], frameworkLogLevel: ApplicationLogLevel.INFO }), STACK);
    expect(loud.driver.logs(group).some((l) => l.message.startsWith('[provider-framework] starting waiter'))).toBe(true);
    const submitted = loud.driver.logs(`/aws/lambda/${functionName(dir, IS_COMPLETE_FRAMEWORK)}`).map((l) => l.message)
      .filter((m) => m.startsWith('[provider-framework] submit response to cloudformation'));
    expect(submitted).toEqual([expect.stringContaining('https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com/')]);
  });

  test('NoEcho: GetAtt resolves, onEvent redacts Data in its lines, but the isComplete payload line leaks it', async () => {
    const { driver } = newDriver();
    const dir = synth({ things: [{ id: 'A', props: { NoEcho: 'true' } }], frameworkLogLevel: ApplicationLogLevel.INFO });
    expect((await driver.deploy(dir, STACK)).status).toBe('CREATE_COMPLETE');
    expect(driver.getAttribute(STACK, 'A', 'Secret')).toBe('s3cr3t-a');
    expect(driver.responses[0].body).toMatchObject({ Status: 'SUCCESS', NoEcho: true, Data: { Secret: 's3cr3t-a' } });
    const onEventLines = driver.logs(`/aws/lambda/${functionName(dir, ON_EVENT_FRAMEWORK)}`).map((l) => l.message);
    expect(onEventLines.some((m) => m.startsWith('[provider-framework] redacted onEvent returned:') && m.includes('"Secret": "*****"'))).toBe(true);
    expect(onEventLines.filter((m) => m.includes('s3cr3t-a'))).toEqual([]);
    // aws-cdk-lib 2.257's framework isComplete logs the payload it sends the user function (the merged event,
    // Data included) without redaction: only its FATAL default level keeps that out of CloudWatch.
    const leaks = driver.logs(`/aws/lambda/${functionName(dir, IS_COMPLETE_FRAMEWORK)}`).map((l) => l.message).filter((m) => m.includes('s3cr3t-a'));
    expect(leaks.length).toBeGreaterThan(0);
    expect(leaks.every((m) => m.startsWith('[provider-framework] executing user function'))).toBe(true);
  });

  test('a failure reason points at /aws/lambda/<function>: right for default logging, wrong for a custom log group', async () => {
    const plain = newDriver();
    const r = await plain.driver.deploy(synth({ things: [{ id: 'A', props: { FailOn: 'onEvent:Create' } }] }), STACK);
    const pointer = /Logs: (\S+)/.exec(r.failureReason!)![1];
    expect(plain.driver.logs(pointer).map((l) => l.message)).toContain('onEvent Create A');

    const custom = newDriver();
    const dir = synth({ things: [{ id: 'A', props: { FailOn: 'onEvent:Create' } }], userLogGroup: true });
    const r2 = await custom.driver.deploy(dir, STACK);
    const pointer2 = /Logs: (\S+)/.exec(r2.failureReason!)![1];
    expect(custom.driver.logs(pointer2)).toEqual([]);
    const userGroup = `${STACK}-${logicalIdOf(dir, 'UserLogs', 'AWS::Logs::LogGroup')}`;
    expect(custom.driver.logs(userGroup).map((l) => l.message)).toContain('onEvent Create A');
  });

  test('each function is its own sandbox: module state persists across its invocations only', async () => {
    const { driver, state } = newDriver();
    await driver.deploy(synth({ things: [{ id: 'A', props: { Polls: 2 } }, { id: 'B' }] }), STACK);
    const warm = (step: string) => state().calls.filter((c) => c.step === step).map((c) => c.warm);
    expect(warm('onEvent')).toEqual([1, 2]);
    expect(warm('isComplete')).toEqual([1, 2, 3, 4]);
  });
});

describe('payload limits', () => {
  test('an onEvent result that makes the waiter input exceed 256 KiB fails the request at StartExecution', async () => {
    const { driver } = newDriver();
    const r = await driver.deploy(synth({ things: [{ id: 'A', props: { OnEventDataSize: STATES_MAX_PAYLOAD_BYTES } }] }), STACK);
    expect(r.status).toBe('ROLLBACK_COMPLETE');
    expect(r.failureReason).toContain(
      `Message returned: ValidationException: 1 validation error detected: Value at 'input' failed to satisfy constraint: Member must have length less than or equal to ${STATES_MAX_PAYLOAD_BYTES}`,
    );
    expect(driver.executions).toEqual([]);
  });

  test('a function result over 6 MB is Function.ResponseSizeTooLarge, which the framework reports as the failure', async () => {
    const { driver } = newDriver();
    const r = await driver.deploy(synth({ things: [{ id: 'A', props: { DataSize: LAMBDA_MAX_PAYLOAD_BYTES } }] }), STACK);
    expect(r.status).toBe('ROLLBACK_COMPLETE');
    expect(r.failureReason).toContain(`Message returned: Error: Response payload size exceeded maximum allowed payload size (${LAMBDA_MAX_PAYLOAD_BYTES} bytes).\n\nLogs: /aws/lambda/`);
    const tooLarge = driver.invocations.find((i) => i.outcome?.ok === false && i.outcome.error.errorType === 'Function.ResponseSizeTooLarge');
    expect(tooLarge?.functionName).toMatch(/-IsComplete/);
  });

  test('an event under 256 KiB that the timeout path carries twice: States.DataLimitExceeded, and no answer at all', async () => {
    const { driver } = newDriver();
    // ~140 KB: StartExecution takes it, but the Retry error that onTimeout needs holds it in errorMessage and in trace.
    const dir = synth({
      things: [{ id: 'A', props: { OnEventDataSize: 140_000, Polls: 1000 }, serviceTimeoutSeconds: 120 }],
      queryIntervalSeconds: 5,
      totalTimeoutSeconds: 10,
    });
    const r = await driver.deploy(dir, STACK);
    expect(r.status).toBe('ROLLBACK_COMPLETE');
    expect(r.failureReason).toContain('did not receive a response from your Custom Resource within 120 seconds');
    const create = driver.executions[0];
    expect(create.inputBytes).toBeLessThan(STATES_MAX_PAYLOAD_BYTES);
    expect(create).toMatchObject({ status: 'FAILED', error: 'States.DataLimitExceeded', attempts: { 'framework-isComplete-task': 3 } });
    // onTimeout never ran: States.ALL does not catch DataLimitExceeded.
    expect(driver.invocations.filter((i) => i.functionName === functionName(dir, ON_TIMEOUT_FRAMEWORK))).toEqual([]);
  });

  test('the waiter times out through onTimeout, which parses the Retry error out of the Catch output', async () => {
    const { driver } = newDriver();
    const dir = synth({ things: [{ id: 'A', props: { Polls: 1000 } }], queryIntervalSeconds: 5, totalTimeoutSeconds: 10 });
    const r = await driver.deploy(dir, STACK);
    expect(r.failureReason).toContain('Message returned: Operation timed out');
    const onTimeout = driver.invocations.find((i) => i.functionName === functionName(dir, ON_TIMEOUT_FRAMEWORK))!;
    const input = onTimeout.event as { Error: string; Cause: string };
    expect(input.Error).toBe('Error');
    expect(JSON.parse(JSON.parse(input.Cause).errorMessage)).toMatchObject({ LogicalResourceId: 'A', RequestType: 'Create' });
  });
});

describe("IAM on the framework's calls", () => {
  test('without lambda:InvokeFunction on the user onEvent, framework onEvent fails with AccessDeniedException', async () => {
    const { driver } = newDriver();
    const dir = synth({ things: [{ id: 'A' }], revoke: [{ policy: 'ProviderframeworkonEventServiceRoleDefaultPolicy', action: 'lambda:InvokeFunction', resourceMentioning: 'OnEvent' }] });
    const r = await driver.deploy(dir, STACK);
    expect(r.status).toBe('ROLLBACK_COMPLETE');
    expect(r.failureReason).toContain(
      `Message returned: AccessDeniedException: User: ${rolePrincipal(dir, 'ProviderframeworkonEventServiceRole')}/${functionName(dir, ON_EVENT_FRAMEWORK)} `
      + `is not authorized to perform: lambda:InvokeFunction on resource: arn:aws:lambda:us-east-1:123456789012:function:${functionName(dir, 'OnEvent')} `
      + 'because no identity-based policy allows the lambda:InvokeFunction action',
    );
    // The user function never ran: the framework waited for it to be Active (GetFunction is granted) and was refused again.
    expect(driver.invocations.map((i) => i.functionName)).toEqual([functionName(dir, ON_EVENT_FRAMEWORK), functionName(dir, ON_EVENT_FRAMEWORK)]);
  });

  test('without states:StartExecution the Create fails after the user onEvent created the thing, which the framework then leaks', async () => {
    const { driver, state } = newDriver();
    const r = await driver.deploy(synth({ things: [{ id: 'A' }], revoke: [{ policy: 'ProviderframeworkonEventServiceRoleDefaultPolicy', action: 'states:StartExecution' }] }), STACK);
    expect(r.status).toBe('ROLLBACK_COMPLETE');
    expect(r.failureReason).toMatch(
      /Message returned: AccessDeniedException: User: \S+ is not authorized to perform: states:StartExecution on resource: arn:aws:states:us-east-1:123456789012:stateMachine:\S+ because no identity-based policy allows/,
    );
    // cfn-response's safeHandler answers with the CREATE_FAILED marker (the request had no physical id yet), so the
    // rollback's Delete never reaches the user function and the thing its onEvent created stays behind.
    expect(r.events.find((e) => e.status === 'CREATE_FAILED')!.physicalId).toBe(CREATE_FAILED_PHYSICAL_ID_MARKER);
    expect(state().calls.filter((c) => c.step === 'onEvent').map((c) => c.type)).toEqual(['Create']);
    expect(Object.keys(state().things)).toEqual(['pid-a-1']);
    expect(driver.executions).toEqual([]);
  });

  test('a state machine role without lambda:InvokeFunction on framework isComplete: retried, then onTimeout cannot parse the cause', async () => {
    const { driver } = newDriver();
    const dir = synth({
      things: [{ id: 'A', serviceTimeoutSeconds: 300 }],
      queryIntervalSeconds: 5,
      totalTimeoutSeconds: 20,
      revoke: [{ policy: 'ProviderwaiterstatemachineRoleDefaultPolicy', action: 'lambda:InvokeFunction', resourceMentioning: IS_COMPLETE_FRAMEWORK }],
    });
    const r = await driver.deploy(dir, STACK);
    expect(r.failureReason).toContain('did not receive a response from your Custom Resource within 300 seconds');
    // The rollback's Delete goes through the same broken waiter and times out too: the stack is stuck.
    expect(r.status).toBe('ROLLBACK_FAILED');
    expect(r.events.filter((e) => e.logicalId === 'A').map((e) => e.status)).toEqual(['CREATE_IN_PROGRESS', 'CREATE_FAILED', 'DELETE_IN_PROGRESS', 'DELETE_FAILED']);
    const [create, del] = driver.executions;
    expect(del).toMatchObject({ status: 'FAILED', error: 'SyntaxError' });
    // 1 + 4 attempts, each refused by Lambda before the function ran; onTimeout got a cause that is not the framework's JSON.
    expect(create.attempts).toEqual({ 'framework-isComplete-task': 5, 'framework-onTimeout-task': 1 });
    expect(create).toMatchObject({ status: 'FAILED', error: 'SyntaxError' });
    const onTimeout = driver.invocations.find((i) => i.functionName === functionName(dir, ON_TIMEOUT_FRAMEWORK))!;
    expect(onTimeout.event).toEqual({
      Error: 'Lambda.AWSLambdaException',
      Cause: expect.stringMatching(/is not authorized to perform: lambda:InvokeFunction on resource: \S+ because no identity-based policy allows the lambda:InvokeFunction action \(Service: AWSLambda; Status Code: 403; Error Code: AccessDeniedException/),
    });
    expect(driver.invocations.some((i) => i.functionName === functionName(dir, IS_COMPLETE_FRAMEWORK))).toBe(false);
  });
});
