import { expectProtonAsTemplate, failures, InstanceDef, Scenario, startScenario } from './harness';
import { iamDenials } from '../wire/harness';

/**
 * Outcome: the permissions the handler needs are in force at every call CloudFormation makes it do — including
 * the Deletes of the cleanup phase, which run after the update phase has applied the new template's policies, and
 * the Deletes of a rollback, which run after the old policies are back. IAM is enforced by the emulator against
 * the role's policies in the stack's state at that moment.
 */

jest.setTimeout(120_000);

const SERVICES = ['frontend', 'backend', 'batch'];
let scenario: Scenario;
beforeEach(async () => {
  scenario = await startScenario(SERVICES);
});
afterEach(async () => scenario.stop());

const a: InstanceDef = { id: 'A', service: 'frontend', name: 'a' };
const b: InstanceDef = { id: 'B', service: 'frontend', name: 'b' };

test('removing one of two instances of a service removes it from Proton in the cleanup phase', async () => {
  expect((await scenario.deployVersion({ instances: [a, b] })).status).toBe('CREATE_COMPLETE');
  const removed = await scenario.deployVersion({ instances: [a] });
  expect(removed.status).toBe('UPDATE_COMPLETE');
  expect(failures(removed)).toEqual([]);
  expect(scenario.instancesIn('frontend')).toEqual(['a', 'keeper']);
  expectProtonAsTemplate(scenario, SERVICES);
});

test('renaming an instance creates the new one and removes the old one', async () => {
  await scenario.deployVersion({ instances: [a] });
  const renamed = await scenario.deployVersion({ instances: [{ ...a, name: 'a2' }] });
  expect(renamed.status).toBe('UPDATE_COMPLETE');
  expect(failures(renamed)).toEqual([]);
  expect(scenario.instancesIn('frontend')).toEqual(['a2', 'keeper']);
  expectProtonAsTemplate(scenario, SERVICES);
});

test('moving an instance to another service creates it there and removes it from the first', async () => {
  await scenario.deployVersion({ instances: [a, b] });
  const moved = await scenario.deployVersion({ instances: [a, { ...b, service: 'backend' }] });
  expect(moved.status).toBe('UPDATE_COMPLETE');
  expect(failures(moved)).toEqual([]);
  expect(scenario.instancesIn('frontend')).toEqual(['a', 'keeper']);
  expect(scenario.instancesIn('backend')).toEqual(['b', 'keeper']);
  expectProtonAsTemplate(scenario, SERVICES);
});

test('dropping the last instance the stack has in a service removes it although that service\'s policy goes too', async () => {
  await scenario.deployVersion({ instances: [a, { id: 'C', service: 'backend', name: 'c' }] });
  const dropped = await scenario.deployVersion({ instances: [a] });
  expect(dropped.status).toBe('UPDATE_COMPLETE');
  expect(failures(dropped)).toEqual([]);
  expect(scenario.instancesIn('backend')).toEqual(['keeper']);
  // The backend policy was deleted after the instance that depended on it.
  const order = dropped.events.filter((e) => e.status === 'DELETE_COMPLETE').map((e) => e.resourceType);
  expect(order.indexOf('Custom::ProtonServiceInstance')).toBeLessThan(order.indexOf('AWS::IAM::ManagedPolicy'));
  expect(order.indexOf('AWS::IAM::ManagedPolicy')).toBeGreaterThan(-1);
  expectProtonAsTemplate(scenario, SERVICES);
});

test('rolling back an update that added an instance in a new service removes it while its policy still exists', async () => {
  await scenario.deployVersion({ instances: [a] });
  scenario.emulator.planDeployment('frontend', 'b', { outcome: 'FAILED', message: 'b cannot deploy' });
  // The instance in the new service deploys, then its sibling in the same update fails: the whole update rolls back.
  const added = await scenario.deployVersion({ instances: [a, { id: 'C', service: 'batch', name: 'c' }, b] });
  expect(added.status).toBe('UPDATE_ROLLBACK_COMPLETE');
  expect(added.events.filter((e) => e.logicalId === scenario.logicalId('c')).map((e) => e.status)).toEqual(
    expect.arrayContaining(['CREATE_COMPLETE', 'DELETE_COMPLETE']),
  );
  expect(scenario.instancesIn('batch')).toEqual(['keeper']);
  expect(scenario.instancesIn('frontend')).toEqual(['a', 'keeper']);
  expectProtonAsTemplate(scenario, SERVICES);
});

test('deleting the stack removes every DESTROY instance, each before its service\'s policy', async () => {
  await scenario.deployVersion({ instances: [a, b, { id: 'C', service: 'backend', name: 'c' }] });
  const deleted = await scenario.destroy();
  expect(deleted.status).toBe('DELETE_COMPLETE');
  for (const service of SERVICES) expect(scenario.instancesIn(service)).toEqual(['keeper']);
  expect(iamDenials(scenario)).toEqual([]);
});
