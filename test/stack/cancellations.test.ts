import { CfnParameter, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { expectProtonAsTemplate, InstanceDef, Scenario, specOf, startScenario } from './harness';
import { ServiceInstance, ServiceInstanceSpec } from '../../src';
import { iamDenials, STACK } from '../wire/harness';

/**
 * Paths a second review found: a create whose stack operation ends before it answers (CloudFormation never learns
 * its physical id), a rollback that meets missing outputs, a service named by a parameter that changes, and a
 * rollback that cannot read the stack's status.
 */

jest.setTimeout(120_000);

const SERVICES = ['frontend', 'backend'];
let scenario: Scenario;
beforeEach(async () => {
  scenario = await startScenario(SERVICES);
});
afterEach(async () => scenario.stop());

const a = (extra: Partial<InstanceDef> = {}): InstanceDef => ({ id: 'A', service: 'frontend', name: 'a', ...extra });

test('a rename cancelled while the new instance deploys: the waiter removes what CloudFormation never heard of, and the rename can be deployed again', async () => {
  await scenario.deployVersion({ instances: [a()] });
  scenario.emulator.planDeployment('frontend', 'b', { outcome: 'SUCCEEDED', durationMs: 5 * 60_000 });
  const renaming = scenario.deployVersion({ instances: [a({ name: 'b' })] });
  while (!scenario.emulator.callsTo('CreateServiceInstance').some((c) => c.input.name === 'b' && !c.error)) await new Promise((r) => setTimeout(r, 5));
  scenario.driver.cancelUpdate(STACK);
  expect((await renaming).status).toBe('UPDATE_ROLLBACK_COMPLETE');
  // The create's waiter runs on after the cancel; once b's deployment has ended it removes b.
  await Promise.all(scenario.driver.executions.map((e) => e.done));
  expect(scenario.instancesIn('frontend')).toEqual(['a', 'keeper']);
  expectProtonAsTemplate(scenario, SERVICES);
  const again = await scenario.deployVersion({ instances: [a({ name: 'b' })] });
  expect(again.failureReason).toBeUndefined();
  expect(again.status).toBe('UPDATE_COMPLETE');
  expect(scenario.instancesIn('frontend')).toEqual(['b', 'keeper']);
});

test('a rollback whose old template reads an output the instance no longer has completes, the output empty', async () => {
  scenario.emulator.setOutputs('frontend', 'a', { Endpoint: 'https://a.example.com' });
  await scenario.deployVersion({ instances: [a({ major: '1', outputs: ['Endpoint'] })] });
  // Major version 2 has other outputs; the update fails on a sibling and rolls a back, which Proton cannot do.
  scenario.emulator.setOutputs('frontend', 'a', { Url: 'https://a.example.com/v2' });
  scenario.emulator.planDeployment('frontend', 'z', { outcome: 'FAILED' });
  const upgraded = await scenario.deployVersion({ instances: [a({ major: '2', outputs: ['Url'] }), { id: 'Z', service: 'frontend', name: 'z' }] });
  expect(upgraded.status).toBe('UPDATE_ROLLBACK_COMPLETE');
  expect(scenario.attribute('a', 'Output.Endpoint')).toBe('');
  expect(scenario.attribute('a', 'TemplateMajorVersion')).toBe('2');
});

test('a service named by a parameter, deployed again with another value: the instance moves, nothing denied, nothing left behind', async () => {
  const build = (stack: Stack) => {
    const service = new CfnParameter(stack, 'Service', { default: 'frontend' });
    new ServiceInstance(stack, 'A', {
      serviceName: service.valueAsString,
      serviceInstanceName: 'a',
      spec: ServiceInstanceSpec.fromString(specOf('a-env')),
      removalPolicy: RemovalPolicy.DESTROY,
      timeout: Duration.minutes(10),
    });
  };
  expect((await scenario.driver.deploy(scenario.synth(build), STACK, { parameters: { Service: 'frontend' } })).status).toBe('CREATE_COMPLETE');
  const moved = await scenario.driver.deploy(scenario.synth(build), STACK, { parameters: { Service: 'backend' } });
  expect(moved.status).toBe('UPDATE_COMPLETE');
  expect(moved.events.filter((e) => e.status.endsWith('_FAILED'))).toEqual([]);
  expect(scenario.instancesIn('frontend')).toEqual(['keeper']);
  expect(scenario.instancesIn('backend')).toEqual(['a', 'keeper']);
  expect(iamDenials(scenario)).toEqual([]);
});

test('a rolled-back rename when DescribeStacks is refused for a while: the resource still points back, nothing is created', async () => {
  // Two attempts per call: the throttling outlasts the SDK's retries without waiting out its backoff in real time.
  await scenario.stop();
  scenario = await startScenario(SERVICES, { env: { AWS_MAX_ATTEMPTS: '2' } });
  await scenario.deployVersion({ instances: [a({ removalPolicy: RemovalPolicy.RETAIN })] });
  scenario.emulator.planDeployment('frontend', 'b', { outcome: 'FAILED' });
  const api = await scenario.driver.cloudFormationApiServer();
  // From the failure on, every DescribeStacks is throttled, past the SDK's retries.
  const throttling = setInterval(() => {
    if (scenario.driver.stackStatus(STACK) === 'UPDATE_ROLLBACK_IN_PROGRESS') api.failNext(1_000, 'Throttling');
  }, 1);
  const renamed = await scenario.deployVersion({ instances: [a({ name: 'b', removalPolicy: RemovalPolicy.RETAIN })] });
  clearInterval(throttling);
  api.clearFaults();
  expect(renamed.status).toBe('UPDATE_ROLLBACK_COMPLETE');
  expect(scenario.emulator.callsTo('CreateServiceInstance').map((c) => c.input.name)).toEqual(['a', 'b']);
  expect(scenario.instancesIn('frontend')).toEqual(['a', 'keeper']);
  expectProtonAsTemplate(scenario, SERVICES);
});
