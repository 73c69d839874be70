import { ProtonClient, UpdateServiceCommand, UpdateServiceInstanceCommand } from '@aws-sdk/client-proton';
import { Duration } from 'aws-cdk-lib';
import { stringify } from 'yaml';
import { expectProtonAsTemplate, InstanceDef, operatorClient, Scenario, specOf, startScenario } from './harness';

/**
 * Outcomes: deferred updates are decided by state (an update that meets a running deployment waits, then deploys
 * once; a rollback that meets the forward deployment waits for it, then restores the old spec; every wait ends at
 * the deadline with one clear error), and a busy service is not "already exists".
 */

jest.setTimeout(120_000);

const SERVICES = ['frontend'];
let scenario: Scenario;
let operator: ProtonClient;
beforeEach(async () => {
  scenario = await startScenario(SERVICES);
  operator = operatorClient(scenario);
});
afterEach(async () => {
  operator.destroy();
  await scenario.stop();
});

const a = (port = 80, timeout = Duration.minutes(10)): InstanceDef => ({ id: 'A', service: 'frontend', name: 'a', spec: specOf('a-env', port), timeout });

/** The handler's UpdateServiceInstance calls that Proton accepted (the operator's carry no client token of ours). */
function acceptedUpdates(): Array<Record<string, any>> {
  return scenario.emulator.callsTo('UpdateServiceInstance').filter((c) => !c.error && c.input.clientToken !== 'operator').map((c) => c.input);
}

async function operatorDeploys(spec: string, durationMs: number): Promise<void> {
  scenario.emulator.planDeployment('frontend', 'a', { outcome: 'SUCCEEDED', durationMs });
  await operator.send(new UpdateServiceInstanceCommand({ serviceName: 'frontend', name: 'a', deploymentType: 'CURRENT_VERSION', spec, clientToken: 'operator' }));
}

test('an update that meets someone else\'s deployment waits for it, then deploys once, and Proton ends as the template says', async () => {
  await scenario.deployVersion({ instances: [a()] });
  await operatorDeploys(specOf('a-env', 99), 5 * 60_000);
  const updated = await scenario.deployVersion({ instances: [a(8080)] });
  expect(updated.status).toBe('UPDATE_COMPLETE');
  expect(acceptedUpdates()).toEqual([expect.objectContaining({ spec: specOf('a-env', 8080), deploymentType: 'CURRENT_VERSION' })]);
  expect(scenario.emulator.callsTo('CancelServiceInstanceDeployment')).toEqual([]);
  expectProtonAsTemplate(scenario, SERVICES);
});

test('someone else deploying the spec the template asks for: nothing is sent, their deployment is the outcome', async () => {
  await scenario.deployVersion({ instances: [a()] });
  await operatorDeploys(specOf('a-env', 8080), 5 * 60_000);
  const updated = await scenario.deployVersion({ instances: [a(8080)] });
  expect(updated.status).toBe('UPDATE_COMPLETE');
  expect(acceptedUpdates()).toEqual([]);
  expectProtonAsTemplate(scenario, SERVICES);
});

test('past the deadline while someone else\'s deployment runs: one clear error, their deployment not cancelled, the stack rolls back', async () => {
  await scenario.deployVersion({ instances: [a(80, Duration.minutes(5))] });
  await operatorDeploys(specOf('a-env', 99), 30 * 60_000);
  const updated = await scenario.deployVersion({ instances: [a(8080, Duration.minutes(5))] });
  expect(updated.status).toBe('UPDATE_ROLLBACK_COMPLETE');
  expect(updated.failureReason).toMatch(
    /Timed out after 5 minute\(s\) waiting for a deployment of the Proton service instance 'a' of service 'frontend' that this update did not start \(IN_PROGRESS\) to finish\. This update was not applied/,
  );
  expect(updated.failureReason!.match(/Timed out/g)).toHaveLength(1);
  expect(scenario.emulator.callsTo('CancelServiceInstanceDeployment')).toEqual([]);
  expect(acceptedUpdates()).toEqual([]);
});

test('our own deployment past the deadline: cancelled once, the failure says so, and Proton is back at the old spec', async () => {
  await scenario.deployVersion({ instances: [a(80, Duration.minutes(5))] });
  scenario.emulator.planDeployment('frontend', 'a', { outcome: 'SUCCEEDED', durationMs: 30 * 60_000 });
  const updated = await scenario.deployVersion({ instances: [a(8080, Duration.minutes(5))] });
  expect(updated.status).toBe('UPDATE_ROLLBACK_COMPLETE');
  expect(updated.failureReason).toMatch(/cancelled it with CancelServiceInstanceDeployment/);
  expect(scenario.emulator.callsTo('CancelServiceInstanceDeployment')).toHaveLength(1);
  expectProtonAsTemplate(scenario, SERVICES);
});

test('Proton answering no client tokens: the update\'s own failed deployment is still judged once, with Proton\'s message', async () => {
  await scenario.stop();
  scenario = await startScenario(SERVICES, { emulator: { answersClientTokens: false } });
  await scenario.deployVersion({ instances: [a()] });
  scenario.emulator.planDeployment('frontend', 'a', { outcome: 'FAILED', message: 'image not found' });
  const updated = await scenario.deployVersion({ instances: [a(8080)] });
  expect(updated.status).toBe('UPDATE_ROLLBACK_COMPLETE');
  expect(updated.failureReason).toMatch(/image not found \(the Proton deployment of service instance 'a' of service 'frontend' ended FAILED/);
  expect(acceptedUpdates().filter((u) => u.spec === specOf('a-env', 8080))).toHaveLength(1);
  expectProtonAsTemplate(scenario, SERVICES);
});

test('Proton answering specs rendered anew: an unchanged spec deploys nothing, a changed one deploys once', async () => {
  await scenario.stop();
  scenario = await startScenario(SERVICES, { emulator: { specAnswer: 'RENDERED' } });
  await scenario.deployVersion({ instances: [a()] });
  const retagged = await scenario.deployVersion({ instances: [{ ...a(), tags: { team: 'web' } }] });
  expect(retagged.status).toBe('UPDATE_COMPLETE');
  expect(acceptedUpdates()).toEqual([]);
  const changed = await scenario.deployVersion({ instances: [{ ...a(8080), tags: { team: 'web' } }] });
  expect(changed.status).toBe('UPDATE_COMPLETE');
  expect(acceptedUpdates().map((u) => u.spec)).toEqual([specOf('a-env', 8080)]);
  expectProtonAsTemplate(scenario, SERVICES);
});

test('a cancelled stack update: the rollback waits for the forward deployment, then restores the old spec', async () => {
  await scenario.deployVersion({ instances: [a()] });
  scenario.emulator.planDeployment('frontend', 'a', { outcome: 'SUCCEEDED', durationMs: 4 * 60_000 });
  const updating = scenario.deployVersion({ instances: [a(8080)] });
  // Cancel once the forward deployment is running (the handler has sent it).
  while (!scenario.emulator.callsTo('UpdateServiceInstance').some((c) => !c.error)) await new Promise((r) => setTimeout(r, 5));
  scenario.driver.cancelUpdate('Wire');
  const result = await updating;
  expect(result.status).toBe('UPDATE_ROLLBACK_COMPLETE');
  expect(acceptedUpdates().map((u) => u.spec)).toEqual([specOf('a-env', 8080), specOf('a-env', 80)]);
  expect(scenario.emulator.callsTo('CancelServiceInstanceDeployment')).toEqual([]);
  expectProtonAsTemplate(scenario, SERVICES);
  // The forward request's waiter, still running after the cancel, never deploys again.
  await Promise.all(scenario.driver.executions.map((e) => e.done));
  expect(acceptedUpdates()).toHaveLength(2);
  expect(scenario.emulator.instance('frontend', 'a')!.spec).toBe(specOf('a-env', 80));
});

test('a cancelled update that was still waiting behind someone else\'s deployment never sends its deployment afterwards', async () => {
  await scenario.deployVersion({ instances: [a()] });
  await operatorDeploys(specOf('a-env', 99), 3 * 60_000);
  const before = scenario.driver.executions.length;
  const updating = scenario.deployVersion({ instances: [a(8080)] });
  // Cancel while the update waits (its onEvent has run, found the instance busy, and its waiter has started).
  while (scenario.driver.executions.length === before) await new Promise((r) => setTimeout(r, 5));
  scenario.driver.cancelUpdate('Wire');
  const result = await updating;
  expect(result.status).toBe('UPDATE_ROLLBACK_COMPLETE');
  // Let every waiter run to its end: the cancelled request's included.
  await Promise.all(scenario.driver.executions.map((e) => e.done));
  expect(acceptedUpdates().map((u) => u.spec)).not.toContain(specOf('a-env', 8080));
  expect(scenario.emulator.instance('frontend', 'a')!.spec).toBe(specOf('a-env', 80));
  expectProtonAsTemplate(scenario, SERVICES);
});

test('throttling that lasts past the deadline while waiting: one error naming what it waited for and the last error', async () => {
  // One attempt per call, so that each poll meets the throttling once (the SDK's backoff runs in real time).
  await scenario.stop();
  scenario = await startScenario(SERVICES, { env: { AWS_MAX_ATTEMPTS: '1' } });
  await scenario.deployVersion({ instances: [a(80, Duration.minutes(5))] });
  scenario.emulator.planDeployment('frontend', 'a', { outcome: 'SUCCEEDED', durationMs: 60_000 });
  // The update is sent; from then on every read of the instance is throttled.
  scenario.emulator.faults.failCall('GetServiceInstance', { nth: 3, error: 'ThrottlingException', message: 'Rate exceeded' });
  scenario.emulator.faults.failCall('GetServiceInstance', { next: 100_000, error: 'ThrottlingException', message: 'Rate exceeded' });
  // The throttling ends with the update: the rollback can read the instance again.
  const ended = setInterval(() => {
    if (scenario.driver.stackStatus('Wire') === 'UPDATE_ROLLBACK_IN_PROGRESS') scenario.emulator.faults.clear();
  }, 1);
  const updated = await scenario.deployVersion({ instances: [a(8080, Duration.minutes(5))] });
  clearInterval(ended);
  expect(updated.status).toBe('UPDATE_ROLLBACK_COMPLETE');
  expect(updated.failureReason).toMatch(
    /Timed out after 5 minute\(s\) waiting for the Proton service instance 'a' of service 'frontend' to answer\. The last error was ThrottlingException: Rate exceeded\./,
  );
  expect(updated.failureReason!.match(/Timed out/g)).toHaveLength(1);
});

test('a create that meets a busy service (another removal running) is sent again until the service is free', async () => {
  scenario.emulator.seedService({
    name: 'shared',
    templateName: 'fargate-service',
    instances: [{ name: 'keeper', environment: 'e' }, { name: 'leaving', environment: 'e' }],
  });
  // Another stack removes an instance of the service: it is UPDATE_IN_PROGRESS for three minutes.
  scenario.emulator.planRemoval('shared', 'leaving', { outcome: 'DELETE_COMPLETE', durationMs: 3 * 60_000 });
  await operator.send(new UpdateServiceCommand({ name: 'shared', spec: stringify({ proton: 'ServiceSpec', instances: [{ name: 'keeper', environment: 'e' }] }) }));
  const created = await scenario.deployVersion({ instances: [{ id: 'N', service: 'shared', name: 'newcomer' }] });
  expect(created.status).toBe('CREATE_COMPLETE');
  const creates = scenario.emulator.callsTo('CreateServiceInstance');
  expect(creates.filter((c) => c.error === 'ConflictException').length).toBeGreaterThan(0);
  expect(creates.filter((c) => !c.error)).toHaveLength(1);
  expect(scenario.driver.physicalId('Wire', scenario.logicalId('newcomer'))).toBe(scenario.emulator.instance('shared', 'newcomer')!.arn);
  expectProtonAsTemplate(scenario, ['frontend', 'shared']);
});

test('a name that is really taken still fails at once, naming the way out', async () => {
  scenario.emulator.seedService({ name: 'shared', templateName: 'fargate-service', instances: [{ name: 'keeper', environment: 'e' }, { name: 'taken', environment: 'e' }] });
  const created = await scenario.deployVersion({ instances: [{ id: 'T', service: 'shared', name: 'taken' }] });
  expect(created.status).toBe('ROLLBACK_COMPLETE');
  expect(created.failureReason).toMatch(/already exists and this stack did not create it/);
  // Someone else's instance is left alone by the rollback.
  expect(scenario.instancesIn('shared')).toEqual(['keeper', 'taken']);
});

test('tag changes refused while the instance is busy are sent again, and land', async () => {
  await scenario.deployVersion({ instances: [{ ...a(), tags: { team: 'web' } }] });
  scenario.emulator.faults.failCall('TagResource', { next: 2, error: 'ConflictException' });
  const retagged = await scenario.deployVersion({ instances: [{ ...a(), tags: { team: 'platform' } }] });
  expect(retagged.status).toBe('UPDATE_COMPLETE');
  expect(scenario.emulator.callsTo('TagResource').map((c) => c.error ?? 'ok')).toEqual(['ConflictException', 'ConflictException', 'ok']);
  expectProtonAsTemplate(scenario, SERVICES);
});
