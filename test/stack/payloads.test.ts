import { RemovalPolicy } from 'aws-cdk-lib';
import { expectProtonAsTemplate, InstanceDef, Scenario, startScenario } from './harness';
import { clientTokenFor } from '../../lambda/lifecycle/client-token';
import { MAX_RESPONSE_BYTES } from '../../local/driver';
import { RESOURCE_TYPE } from '../../src/private/contract';
import { STACK } from '../wire/harness';

/**
 * Outcomes about what crosses CloudFormation's and the Provider framework's limits: failure reasons that fit and
 * point at a log group that exists; logs that hold what the README says they hold; specs of every size the
 * construct accepts; a user's clientToken never reused with other parameters.
 */

jest.setTimeout(120_000);

const SERVICES = ['frontend'];
let scenario: Scenario;
beforeEach(async () => {
  scenario = await startScenario(SERVICES);
});
afterEach(async () => scenario.stop());

/** A spec of exactly `chars` characters (code points, as Proton counts them), mostly 4-byte emoji. */
function bigSpec(chars: number, fill: string): string {
  const head = 'proton: ServiceSpec\nenvironment: a-env\nspec:\n  banner: "';
  const tail = '"\n';
  return head + fill.repeat(chars - [...head].length - [...tail].length) + tail;
}

describe('failure reasons', () => {
  test('a deployment failing with a huge message of emoji, quotes and newlines still reaches CloudFormation, Proton\'s words first', async () => {
    const message = `Stack "a-env" failed: ${'💥 "quoted" \\ path\n'.repeat(2_000)}`;
    scenario.emulator.planDeployment('frontend', 'a', { outcome: 'FAILED', message });
    const created = await scenario.deployVersion({ instances: [{ id: 'A', service: 'frontend', name: 'a' }] });
    expect(created.status).toBe('ROLLBACK_COMPLETE');
    const failed = scenario.driver.responses.find((r) => r.body?.Status === 'FAILED')!;
    expect(failed.bytes).toBeLessThanOrEqual(MAX_RESPONSE_BYTES);
    expect(failed.bytes).toBeGreaterThan(MAX_RESPONSE_BYTES - 200);
    expect(failed.body!.Reason.startsWith('Stack "a-env" failed: 💥 "quoted" \\ path\n')).toBe(true);
    expect(failed.body!.Reason).toMatch(/…\[truncated\] \(the Proton deployment of service instance 'a' of service 'frontend' ended FAILED/);
    expect(created.failureReason).toContain('Message returned: Stack "a-env" failed');
  });

  test('the `Logs: /aws/lambda/<function>` pointer of every failure names the log group the handler wrote to', async () => {
    scenario.emulator.planDeployment('frontend', 'a', { outcome: 'FAILED', message: 'bad image' });
    await scenario.deployVersion({ instances: [{ id: 'A', service: 'frontend', name: 'a' }] });
    const reason = scenario.driver.responses.find((r) => r.body?.Status === 'FAILED')!.body!.Reason;
    const group = /\nLogs: (\/aws\/lambda\/\S+)\n/.exec(reason)![1];
    expect(scenario.driver.logGroups()).toContain(group);
    // A log group the stack itself created (with its retention), not one Lambda would have to create.
    const created = scenario.driver.events.filter((e) => e.resourceType === 'AWS::Logs::LogGroup' && e.status === 'CREATE_COMPLETE').map((e) => e.physicalId);
    expect(created).toContain(group);
    const lines = scenario.driver.logs(group).map((l) => l.message);
    expect(lines.some((l) => l.includes('deployment ended without success'))).toBe(true);
  });
});

describe('what is logged', () => {
  const SECRET_SPEC_VALUE = 'spec-secret-7d1f';
  const SECRET_OUTPUT = 'output-secret-93ab';
  const secretive = (noEcho: boolean): InstanceDef => ({
    id: 'A',
    service: 'frontend',
    name: 'a',
    spec: `proton: ServiceSpec\nenvironment: a-env\nspec:\n  password: ${SECRET_SPEC_VALUE}\n`,
    outputs: ['Token'],
    noEcho,
  });

  test('no log line Lambda keeps holds the spec or an output value, though the framework does print them', async () => {
    scenario.emulator.setOutputs('frontend', 'a', { Token: SECRET_OUTPUT, Other: 'x' });
    expect((await scenario.deployVersion({ instances: [secretive(false)] })).status).toBe('CREATE_COMPLETE');
    // The framework functions' log group, where nothing is kept (so logGroups() does not list it).
    const providerLogsId = Object.keys(scenario.lastGoodTemplate().Resources).find((id) => id.includes('ProviderLogs'))!;
    const frameworkGroup = scenario.driver.physicalId('Wire', providerLogsId);
    expect((await scenario.deployVersion({ instances: [{ ...secretive(false), tags: { t: '1' } }] })).status).toBe('UPDATE_COMPLETE');
    expect((await scenario.destroy()).status).toBe('DELETE_COMPLETE');
    const kept = scenario.driver.logGroups().flatMap((g) => scenario.driver.logs(g)).map((l) => l.message).join('\n');
    expect(kept.length).toBeGreaterThan(1000);
    expect(kept).not.toContain(SECRET_SPEC_VALUE);
    expect(kept).not.toContain(SECRET_OUTPUT);
    // The framework functions do print both: the log level is what keeps them out.
    const printed = scenario.driver.capturedLogs(frameworkGroup).map((l) => l.message).join('\n');
    expect(printed).toContain(SECRET_SPEC_VALUE);
    expect(printed).toContain(SECRET_OUTPUT);
  });

  test('noEcho: every answer asks CloudFormation to mask the attributes; GetAtt still resolves', async () => {
    scenario.emulator.setOutputs('frontend', 'a', { Token: SECRET_OUTPUT });
    expect((await scenario.deployVersion({ instances: [secretive(true)] })).status).toBe('CREATE_COMPLETE');
    const answers = scenario.driver.responses.filter((r) => r.body && r.logicalId === scenario.logicalId('a'));
    expect(answers.length).toBeGreaterThan(0);
    for (const answer of answers) expect(answer.body!.NoEcho).toBe(true);
    expect(scenario.attribute('a', 'Output.Token')).toBe(SECRET_OUTPUT);
  });
});

describe('specs of every size the construct accepts', () => {
  test.each([
    ['ASCII', 'x'],
    ['4-byte emoji', '😀'],
  ])('51,200 characters of %s: created, then updated to another such spec', async (_, fill) => {
    const first = bigSpec(51_200, fill);
    const second = bigSpec(51_200, fill === 'x' ? 'y' : '🎉');
    const a = (spec: string): InstanceDef => ({ id: 'A', service: 'frontend', name: 'a', spec, removalPolicy: RemovalPolicy.RETAIN });
    const created = await scenario.deployVersion({ instances: [a(first)] });
    expect(created.failureReason).toBeUndefined();
    expect(created.status).toBe('CREATE_COMPLETE');
    const updated = await scenario.deployVersion({ instances: [a(second)] });
    expect(updated.failureReason).toBeUndefined();
    expect(updated.status).toBe('UPDATE_COMPLETE');
    // The waiter of the update carried one spec, under Step Functions' 256 KiB input limit.
    const inputs = scenario.driver.executions.map((e) => e.inputBytes);
    expect(Math.max(...inputs)).toBeLessThanOrEqual(262_144);
    expect(Math.max(...inputs)).toBeGreaterThan(Buffer.byteLength(second));
    // One spec, not both: the update's old properties stayed out of the waiter's input.
    expect(Math.max(...inputs)).toBeLessThan(Buffer.byteLength(first) + Buffer.byteLength(second));
    expectProtonAsTemplate(scenario, SERVICES);
  });
});

test('a user\'s clientToken seeds every request\'s token: a replacement soon after the create is not refused as a reused token', async () => {
  const a: InstanceDef = { id: 'A', service: 'frontend', name: 'a', clientToken: 'my-release-1' };
  expect((await scenario.deployVersion({ instances: [a] })).status).toBe('CREATE_COMPLETE');
  const renamed = await scenario.deployVersion({ instances: [{ ...a, name: 'a2' }] });
  expect(renamed.failureReason).toBeUndefined();
  expect(renamed.status).toBe('UPDATE_COMPLETE');
  const tokens = scenario.emulator.callsTo('CreateServiceInstance').map((c) => c.input.clientToken);
  expect(tokens).toHaveLength(2);
  expect(new Set(tokens).size).toBe(2);
  expect(tokens).not.toContain('my-release-1');
  // Each is derived from the seed and its own request: recomputed from the requests CloudFormation sent.
  const requests = scenario.driver.responses.filter((r) => r.logicalId === scenario.logicalId('a2') && r.requestType !== 'Delete');
  const stackId = scenario.driver.describeStack(STACK)!.stackId;
  const expected = requests.map((r) => clientTokenFor('CreateServiceInstance', { StackId: stackId, LogicalResourceId: r.logicalId, RequestId: r.requestId }, 'my-release-1'));
  expect(expected).toEqual(tokens);
  expectProtonAsTemplate(scenario, SERVICES);
  expect(Object.values<any>(scenario.lastGoodTemplate().Resources).filter((r) => r.Type === RESOURCE_TYPE)).toHaveLength(1);
});
