import { RemovalPolicy } from 'aws-cdk-lib';
import { expectProtonAsTemplate, failures, InstanceDef, Scenario, startScenario } from './harness';
import type { StackEvent } from '../../local/driver';
import { STACK } from '../wire/harness';

/**
 * Proton that cannot be reached (a VPC without a route to it): the port refuses every connection for a stretch of
 * stack time. Where a failure costs nothing (a forward update, the stack's deletion) the request fails at once,
 * naming the endpoint to add; a rollback and the cleanup after an update wait it out, so that the stack does not
 * end UPDATE_ROLLBACK_FAILED and no instance is left in Proton that the template no longer names.
 */

jest.setTimeout(120_000);

const SERVICES = ['frontend'];
/** Stack time Proton stays unreachable once a phase begins: well within the instances' 10-minute timeout. */
const OUTAGE_MS = 2 * 60_000;

let scenario: Scenario;
/** What happens at each stack event; set by a test. */
let onStackEvent: (event: StackEvent) => void = () => {};
beforeEach(async () => {
  onStackEvent = () => {};
  scenario = await startScenario(SERVICES, { env: { AWS_MAX_ATTEMPTS: '2' }, driver: { onEvent: (e) => onStackEvent(e) } });
});
afterEach(async () => {
  await setReachable(true, true);
  await scenario.stop();
});

const a: InstanceDef = { id: 'A', service: 'frontend', name: 'a', removalPolicy: RemovalPolicy.DESTROY };
const b: InstanceDef = { id: 'B', service: 'frontend', name: 'b', removalPolicy: RemovalPolicy.DESTROY };

/** Proton, and with `cloudFormation` the CloudFormation API too, reachable or not (both switched at once). */
async function setReachable(reachable: boolean, cloudFormation: boolean): Promise<void> {
  const api = cloudFormation ? await scenario.driver.cloudFormationApiServer() : undefined;
  await Promise.all([scenario.emulator.setReachable(reachable), api?.setReachable(reachable)]);
}

/** When the stack reaches `status`, Proton (and CloudFormation) become unreachable for OUTAGE_MS of stack time. */
function outageFrom(status: string, { cloudFormation = false } = {}): void {
  onStackEvent = (event) => {
    if (event.logicalId !== STACK || event.status !== status) return;
    void setReachable(false, cloudFormation);
    void scenario.driver.clock.sleep(OUTAGE_MS).then(() => setReachable(true, cloudFormation));
  };
}

/** Stack time of the operation's first stack event with `status`. */
function stackEventAt(events: readonly StackEvent[], status: string): number {
  return events.find((e) => e.logicalId === STACK && e.status === status)!.timestamp.getTime();
}

/** Stack time from the operation's first event to the first resource that failed. */
function msToFirstFailure(events: readonly StackEvent[]): number {
  const failed = events.find((e) => e.logicalId !== STACK && e.status.endsWith('_FAILED'));
  return failed!.timestamp.getTime() - events[0].timestamp.getTime();
}

test('a forward update fails at once; its rollback waits out the outage and completes, Proton untouched', async () => {
  await scenario.deployVersion({ instances: [a] });
  const before = scenario.emulator.instance('frontend', 'a');
  await scenario.emulator.setReachable(false);
  outageFrom('UPDATE_ROLLBACK_IN_PROGRESS');

  const updated = await scenario.deployVersion({ instances: [{ ...a, spec: 'proton: ServiceSpec\nenvironment: a-env\nspec:\n  port: 81\n' }] });
  expect(updated.status).toBe('UPDATE_ROLLBACK_COMPLETE');
  expect(updated.failureReason).toMatch(/Cannot reach the Proton API \(.*ECONNREFUSED.*\)\. .*com\.amazonaws\.us-east-1\.proton/s);
  expect(msToFirstFailure(updated.events)).toBeLessThan(60_000);
  // The rollback Update met the outage too, and waited it out instead of failing.
  expect(failures(updated)).toEqual([`${scenario.logicalId('a')}:UPDATE_FAILED`]);
  const rolledBackAt = stackEventAt(updated.events, 'UPDATE_ROLLBACK_COMPLETE');
  expect(rolledBackAt - stackEventAt(updated.events, 'UPDATE_ROLLBACK_IN_PROGRESS')).toBeGreaterThanOrEqual(OUTAGE_MS);
  expect(scenario.emulator.callsTo('UpdateServiceInstance')).toEqual([]);
  expect(scenario.emulator.instance('frontend', 'a')).toEqual(before);
  expectProtonAsTemplate(scenario, SERVICES);
});

test('a rollback that cannot even read its stack\'s status (CloudFormation unreachable too) waits, not knowing it is one', async () => {
  await scenario.deployVersion({ instances: [a] });
  const before = scenario.emulator.instance('frontend', 'a');
  await scenario.emulator.setReachable(false);
  outageFrom('UPDATE_ROLLBACK_IN_PROGRESS', { cloudFormation: true });

  const updated = await scenario.deployVersion({ instances: [{ ...a, spec: 'proton: ServiceSpec\nenvironment: a-env\nspec:\n  port: 81\n' }] });
  expect(updated.status).toBe('UPDATE_ROLLBACK_COMPLETE');
  expect(updated.failureReason).toMatch(/Cannot reach the Proton API/);
  expect(stackEventAt(updated.events, 'UPDATE_ROLLBACK_COMPLETE') - stackEventAt(updated.events, 'UPDATE_ROLLBACK_IN_PROGRESS')).toBeGreaterThanOrEqual(OUTAGE_MS);
  expect(scenario.emulator.instance('frontend', 'a')).toEqual(before);
  expectProtonAsTemplate(scenario, SERVICES);
});

test('a rename rolled back while Proton cannot be reached points back at the old instance and completes; the new one is removed', async () => {
  await scenario.deployVersion({ instances: [a, b] });
  const before = scenario.emulator.instance('frontend', 'a');
  // a is renamed to c (deployed), then b's change fails: the rollback Update of the rename finds Proton unreachable.
  scenario.emulator.planDeployment('frontend', 'b', { outcome: 'FAILED', message: 'b cannot deploy' });
  outageFrom('UPDATE_ROLLBACK_IN_PROGRESS');

  const renamed = await scenario.deployVersion({ instances: [{ ...a, name: 'c' }, { ...b, spec: 'proton: ServiceSpec\nenvironment: b-env\nspec:\n  port: 81\n' }] });
  expect(renamed.status).toBe('UPDATE_ROLLBACK_COMPLETE');
  expect(renamed.failureReason).toMatch(/b cannot deploy/);
  expect(stackEventAt(renamed.events, 'UPDATE_ROLLBACK_COMPLETE') - stackEventAt(renamed.events, 'UPDATE_ROLLBACK_IN_PROGRESS')).toBeGreaterThanOrEqual(OUTAGE_MS);
  expect(scenario.emulator.callsTo('CreateServiceInstance').map((c) => c.input.name)).toEqual(['a', 'b', 'c']);
  expect(scenario.emulator.instance('frontend', 'a')).toEqual(before);
  expect(scenario.driver.physicalId(STACK, scenario.logicalId('c'))).toBe(before!.arn);
  expect(scenario.instancesIn('frontend')).toEqual(['a', 'b', 'keeper']);
  expectProtonAsTemplate(scenario, SERVICES);
});

test('a rollback that must restore the spec meets the outage: it waits, then restores it', async () => {
  await scenario.deployVersion({ instances: [a] });
  scenario.emulator.planDeployment('frontend', 'a', { outcome: 'FAILED', message: 'port 81 is taken' });
  outageFrom('UPDATE_ROLLBACK_IN_PROGRESS');

  const updated = await scenario.deployVersion({ instances: [{ ...a, spec: 'proton: ServiceSpec\nenvironment: a-env\nspec:\n  port: 81\n' }] });
  expect(updated.status).toBe('UPDATE_ROLLBACK_COMPLETE');
  expect(updated.failureReason).toMatch(/port 81 is taken/);
  // The forward deployment, then the rollback's restore of v1's spec once Proton could be reached again.
  expect(scenario.emulator.callsTo('UpdateServiceInstance').map((c) => c.input.spec)).toEqual([
    expect.stringContaining('port: 81'),
    expect.stringContaining('port: 80'),
  ]);
  const restoreAt = scenario.emulator.callsTo('UpdateServiceInstance')[1].at;
  expect(restoreAt - stackEventAt(updated.events, 'UPDATE_ROLLBACK_IN_PROGRESS')).toBeGreaterThanOrEqual(OUTAGE_MS);
  expectProtonAsTemplate(scenario, SERVICES);
});

test('the cleanup after an update meets the outage: the removed instance is still removed, nothing orphaned', async () => {
  await scenario.deployVersion({ instances: [a, b] });
  outageFrom('UPDATE_COMPLETE_CLEANUP_IN_PROGRESS');

  const removed = await scenario.deployVersion({ instances: [a] });
  expect(removed.status).toBe('UPDATE_COMPLETE');
  expect(failures(removed)).toEqual([]);
  // b's removal (UpdateService without it) was sent once the outage had passed.
  const [removal] = scenario.emulator.callsTo('UpdateService');
  expect(removal.at - stackEventAt(removed.events, 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS')).toBeGreaterThanOrEqual(OUTAGE_MS);
  expect(scenario.instancesIn('frontend')).toEqual(['a', 'keeper']);
  expectProtonAsTemplate(scenario, SERVICES);
});

test('the stack\'s deletion fails at once naming the endpoint; deleting again once Proton is reachable removes the instance', async () => {
  await scenario.deployVersion({ instances: [a] });
  await scenario.emulator.setReachable(false);

  const stuck = await scenario.destroy();
  expect(stuck.status).toBe('DELETE_FAILED');
  expect(stuck.failureReason).toMatch(/Cannot reach the Proton API \(.*ECONNREFUSED.*\)\. .*com\.amazonaws\.us-east-1\.proton/s);
  expect(msToFirstFailure(stuck.events)).toBeLessThan(60_000);
  expect(scenario.instancesIn('frontend')).toEqual(['a', 'keeper']);

  await scenario.emulator.setReachable(true);
  const deleted = await scenario.destroy();
  expect(deleted.status).toBe('DELETE_COMPLETE');
  expect(scenario.instancesIn('frontend')).toEqual(['keeper']);
});
