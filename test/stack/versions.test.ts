import { expectProtonAsTemplate, InstanceDef, Scenario, startScenario } from './harness';

/**
 * Outcome: template versions are decided from the instance's real state, not from old and new properties; a
 * rollback of a major upgrade (which Proton cannot do) completes without a Proton write and the attributes keep
 * telling the truth; a downgrade asked for in a normal update fails at once, naming both versions.
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

test('a rolled-back major upgrade completes without a Proton write, logs a warning, and reports the major that runs', async () => {
  await scenario.deployVersion({ instances: [a('1')] });
  scenario.emulator.planDeployment('frontend', 'z', { outcome: 'FAILED', message: 'z cannot deploy' });
  // a moves to major 2, then z (added by the same update, after a) fails: the update rolls back a 2 → 1.
  const upgraded = await scenario.deployVersion({ instances: [a('2'), failing] });
  expect(upgraded.status).toBe('UPDATE_ROLLBACK_COMPLETE');
  const updates = scenario.emulator.callsTo('UpdateServiceInstance');
  expect(updates.map((c) => [c.input.deploymentType, c.input.templateMajorVersion])).toEqual([['MAJOR_VERSION', '2']]);
  expect(scenario.emulator.instance('frontend', 'a')).toMatchObject({ templateMajorVersion: '2', deploymentStatus: 'SUCCEEDED' });
  expect(scenario.attribute('a', 'TemplateMajorVersion')).toBe('2');
  expect(handlerLogs().some((l) => l.includes('rollback of a major version upgrade'))).toBe(true);
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
