import { expectProtonAsTemplate, InstanceDef, Scenario, startScenario } from './harness';
import { STACK } from '../wire/harness';

/**
 * Outcome: template versions are decided from the instance's real state, not from old and new properties; a
 * rollback of a major upgrade (which Proton cannot do) deploys nothing, waits for the upgrade's deployment to end, and
 * the attributes keep telling the truth; a downgrade asked for in a normal update fails at once, naming both versions.
 */

jest.setTimeout(120_000);

const SERVICES = ['frontend'];
let scenario: Scenario;
beforeEach(async () => {
  scenario = await startScenario(SERVICES);
});
afterEach(async () => scenario.stop());

const a = (major?: string, minor?: string): InstanceDef => ({ id: 'A', service: 'frontend', name: 'a', major, minor });
const failing: InstanceDef = { id: 'Z', service: 'frontend', name: 'z' };

/** Lines the handlers logged (and Lambda kept), across both handler functions. */
function handlerLogs(): string[] {
  return scenario.driver
    .logGroups()
    .filter((g) => /^\/aws\/lambda\/.*(OnEvent|IsComplete)/.test(g))
    .flatMap((g) => scenario.driver.logs(g).map((l) => l.message));
}

test('pinning the major version the instance already runs deploys nothing', async () => {
  await scenario.deployVersion({ instances: [a()] });
  expect(scenario.emulator.instance('frontend', 'a')!.templateMajorVersion).toBe('1');
  const pinned = await scenario.deployVersion({ instances: [a('1')] });
  expect(pinned.status).toBe('UPDATE_COMPLETE');
  expect(scenario.emulator.callsTo('UpdateServiceInstance')).toEqual([]);
  expectProtonAsTemplate(scenario, SERVICES);
});

test('a rolled-back major upgrade deploys nothing, restores the tags, logs a warning, and reports the major that runs', async () => {
  await scenario.deployVersion({ instances: [{ ...a('1'), tags: { team: 'web' } }] });
  scenario.emulator.planDeployment('frontend', 'z', { outcome: 'FAILED', message: 'z cannot deploy' });
  // a moves to major 2 (and retags), then z (added by the same update, after a) fails: the update rolls back a 2 → 1.
  const upgraded = await scenario.deployVersion({ instances: [{ ...a('2'), tags: { team: 'api' } }, failing] });
  expect(upgraded.status).toBe('UPDATE_ROLLBACK_COMPLETE');
  const updates = scenario.emulator.callsTo('UpdateServiceInstance');
  expect(updates.map((c) => [c.input.deploymentType, c.input.templateMajorVersion])).toEqual([['MAJOR_VERSION', '2']]);
  expect(scenario.emulator.instance('frontend', 'a')).toMatchObject({ templateMajorVersion: '2', deploymentStatus: 'SUCCEEDED' });
  expect(scenario.attribute('a', 'TemplateMajorVersion')).toBe('2');
  expect(handlerLogs().some((l) => l.includes('rollback of a major version upgrade'))).toBe(true);
  // What can be restored is: the old tags.
  const arn = String(scenario.emulator.instance('frontend', 'a')!.arn);
  expect(scenario.emulator.state.tags.get(arn)).toEqual([{ key: 'team', value: 'web' }]);
  expect(scenario.instancesIn('frontend')).toEqual(['a', 'keeper']);
});

test('a downgrade in a normal update fails at once, naming both versions, and changes nothing', async () => {
  await scenario.deployVersion({ instances: [a('2')] });
  const downgraded = await scenario.deployVersion({ instances: [a('1')] });
  expect(downgraded.status).toBe('UPDATE_ROLLBACK_COMPLETE');
  expect(downgraded.failureReason).toMatch(/from template major version 2 to 1/);
  // At once: from onEvent, whose log group the reason points at.
  expect(downgraded.failureReason).toMatch(/Logs: \/aws\/lambda\/\S*OnEvent/);
  expect(scenario.emulator.callsTo('UpdateServiceInstance')).toEqual([]);
  expectProtonAsTemplate(scenario, SERVICES);
});

test('a rolled-back minor version change deploys the old minor version again', async () => {
  await scenario.deployVersion({ instances: [a('1', '0')] });
  scenario.emulator.planDeployment('frontend', 'z', { outcome: 'FAILED' });
  const changed = await scenario.deployVersion({ instances: [a('1', '1'), failing] });
  expect(changed.status).toBe('UPDATE_ROLLBACK_COMPLETE');
  const minors = scenario.emulator.callsTo('UpdateServiceInstance').map((c) => [c.input.deploymentType, c.input.templateMinorVersion]);
  expect(minors).toEqual([['MINOR_VERSION', '1'], ['MINOR_VERSION', '0']]);
  expectProtonAsTemplate(scenario, SERVICES);
});

test('versions compare as numbers: pinning major 10 over 9 is an upgrade, not a downgrade', async () => {
  await scenario.deployVersion({ instances: [a('9')] });
  const upgraded = await scenario.deployVersion({ instances: [a('10')] });
  expect(upgraded.failureReason).toBeUndefined();
  expect(upgraded.status).toBe('UPDATE_COMPLETE');
  const updates = scenario.emulator.callsTo('UpdateServiceInstance').filter((c) => !c.error);
  expect(updates.map((c) => [c.input.deploymentType, c.input.templateMajorVersion])).toEqual([['MAJOR_VERSION', '10']]);
  expectProtonAsTemplate(scenario, SERVICES);
});

test('a rolled-back major upgrade whose rollback cannot read the stack status at first still completes, keeping major 2', async () => {
  // One attempt per call, so that one throttled DescribeStacks leaves the rollback's onEvent without a phase.
  await scenario.stop();
  scenario = await startScenario(SERVICES, { env: { AWS_MAX_ATTEMPTS: '1' } });
  await scenario.deployVersion({ instances: [a('1')] });
  scenario.emulator.planDeployment('frontend', 'z', { outcome: 'FAILED', message: 'z cannot deploy' });
  const api = await scenario.driver.cloudFormationApiServer();
  let armed = false;
  const throttleOnce = setInterval(() => {
    if (!armed && scenario.driver.stackStatus(STACK) === 'UPDATE_ROLLBACK_IN_PROGRESS') {
      armed = true;
      api.failNext(1, 'Throttling');
    }
  }, 1);
  const upgraded = await scenario.deployVersion({ instances: [a('2'), failing] });
  clearInterval(throttleOnce);
  api.clearFaults();
  expect(scenario.driver.cloudFormationCalls.some((c) => c.error === 'Throttling')).toBe(true);
  expect(upgraded.status).toBe('UPDATE_ROLLBACK_COMPLETE');
  expect(scenario.emulator.instance('frontend', 'a')).toMatchObject({ templateMajorVersion: '2', deploymentStatus: 'SUCCEEDED' });
  expect(scenario.instancesIn('frontend')).toEqual(['a', 'keeper']);
});

test('a major upgrade cancelled while it deploys: the rollback waits for the deployment to end, then reports it', async () => {
  await scenario.deployVersion({ instances: [a('1')] });
  scenario.emulator.planDeployment('frontend', 'a', { outcome: 'SUCCEEDED', durationMs: 4 * 60_000 });
  const updating = scenario.deployVersion({ instances: [a('2')] });
  while (!scenario.emulator.callsTo('UpdateServiceInstance').some((c) => !c.error)) await new Promise((r) => setTimeout(r, 5));
  scenario.driver.cancelUpdate(STACK);
  expect((await updating).status).toBe('UPDATE_ROLLBACK_COMPLETE');
  expect(scenario.emulator.instance('frontend', 'a')).toMatchObject({ templateMajorVersion: '2', deploymentStatus: 'SUCCEEDED' });
  expect(scenario.attribute('a', 'DeploymentStatus')).toBe('SUCCEEDED');
  expect(scenario.attribute('a', 'TemplateMajorVersion')).toBe('2');
  expect(scenario.emulator.callsTo('UpdateServiceInstance').filter((c) => !c.error)).toHaveLength(1);
});
