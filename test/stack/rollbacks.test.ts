import { UpdateServiceInstanceCommand } from '@aws-sdk/client-proton';
import { RemovalPolicy } from 'aws-cdk-lib';
import { expectProtonAsTemplate, failures, InstanceDef, operatorClient, Scenario, specOf, startScenario } from './harness';
import { STACK } from '../wire/harness';

/**
 * Outcomes: a failed replacement rolls back cleanly (the rollback Update, old and new swapped, creates nothing), and
 * a rolled-back creation leaves nothing behind, even under RETAIN (CloudFormation's RetainExceptOnCreate), while
 * RETAIN keeps instances on every later removal, replacement and stack delete.
 */

jest.setTimeout(120_000);

const SERVICES = ['frontend', 'backend'];
let scenario: Scenario;
beforeEach(async () => {
  scenario = await startScenario(SERVICES);
});
afterEach(async () => scenario.stop());

const a = (removalPolicy: RemovalPolicy): InstanceDef => ({ id: 'A', service: 'frontend', name: 'a', removalPolicy });

describe('a failed replacement', () => {
  test.each([RemovalPolicy.DESTROY, RemovalPolicy.RETAIN])('rename a → b, b fails: UPDATE_ROLLBACK_COMPLETE, a untouched, b removed (%s)', async (policy) => {
    await scenario.deployVersion({ instances: [a(policy)] });
    const before = scenario.emulator.instance('frontend', 'a');
    scenario.emulator.planDeployment('frontend', 'b', { outcome: 'FAILED', message: 'b cannot deploy' });

    const renamed = await scenario.deployVersion({ instances: [{ ...a(policy), name: 'b' }] });
    expect(renamed.status).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(renamed.failureReason).toMatch(/^Received response status \[FAILED\].*b cannot deploy/s);
    // The rollback Update (old and new swapped) pointed back at a: one create (b's), never one of a.
    expect(scenario.emulator.callsTo('CreateServiceInstance').map((c) => c.input.name)).toEqual(['a', 'b']);
    expect(scenario.emulator.instance('frontend', 'a')).toEqual(before);
    expect(scenario.emulator.callsTo('UpdateServiceInstance')).toEqual([]);
    expect(scenario.instancesIn('frontend')).toEqual(['a', 'keeper']);
    expect(scenario.driver.physicalId('Wire', scenario.logicalId('b'))).toBe(before!.arn);
    expectProtonAsTemplate(scenario, SERVICES);
  });

  test('move to another service, where the deployment fails: back in the first service, nothing left in the second', async () => {
    await scenario.deployVersion({ instances: [a(RemovalPolicy.RETAIN)] });
    scenario.emulator.planDeployment('backend', 'a', { outcome: 'FAILED', message: 'no room in backend' });
    const before = scenario.emulator.instance('frontend', 'a');
    const moved = await scenario.deployVersion({ instances: [{ ...a(RemovalPolicy.RETAIN), service: 'backend' }] });
    expect(moved.status).toBe('UPDATE_ROLLBACK_COMPLETE');
    // The rollback pointed back at frontend/a: no second create there, and a was not touched.
    expect(scenario.emulator.callsTo('CreateServiceInstance').map((c) => `${c.input.serviceName}/${c.input.name}`)).toEqual(['frontend/a', 'backend/a']);
    expect(scenario.emulator.instance('frontend', 'a')).toEqual(before);
    expect(scenario.instancesIn('backend')).toEqual(['keeper']);
    expect(scenario.instancesIn('frontend')).toEqual(['a', 'keeper']);
    expectProtonAsTemplate(scenario, SERVICES);
  });
  test('rename a → b, b fails, after an operator last deployed a: the rollback still points back at a (it is the stack\'s own)', async () => {
    await scenario.deployVersion({ instances: [a(RemovalPolicy.DESTROY)] });
    // The last token on a is now the operator's, not this resource's: only the rollback phase tells that a is ours.
    scenario.emulator.planDeployment('frontend', 'a', { outcome: 'SUCCEEDED', durationMs: 1_000 });
    const operator = operatorClient(scenario);
    await operator.send(new UpdateServiceInstanceCommand({ serviceName: 'frontend', name: 'a', deploymentType: 'CURRENT_VERSION', spec: specOf('a-env'), clientToken: 'operator' }));
    operator.destroy();
    scenario.emulator.planDeployment('frontend', 'b', { outcome: 'FAILED', message: 'b cannot deploy' });
    const renamed = await scenario.deployVersion({ instances: [{ ...a(RemovalPolicy.DESTROY), name: 'b' }] });
    expect(renamed.status).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(scenario.emulator.callsTo('CreateServiceInstance').map((c) => c.input.name)).toEqual(['a', 'b']);
    expect(scenario.instancesIn('frontend')).toEqual(['a', 'keeper']);
    expectProtonAsTemplate(scenario, SERVICES);
  });
});

describe('RETAIN keeps, except when the operation that created the instance rolls back', () => {
  const retained = (name: string, extra: Partial<InstanceDef> = {}): InstanceDef => ({ id: name.toUpperCase(), service: 'frontend', name, removalPolicy: RemovalPolicy.RETAIN, ...extra });

  test('stack creation fails after the instance deployed (another instance failed): it is removed, and the next deploy succeeds', async () => {
    scenario.emulator.planDeployment('frontend', 'z', { outcome: 'FAILED', message: 'z cannot deploy' });
    const created = await scenario.deployVersion({ instances: [retained('a'), retained('z')] });
    expect(created.status).toBe('ROLLBACK_COMPLETE');
    expect(created.events.some((e) => e.logicalId === scenario.logicalId('a') && e.status === 'CREATE_COMPLETE')).toBe(true);
    expect(scenario.instancesIn('frontend')).toEqual(['keeper']);
    // Deploying again does not meet "already exists".
    const again = await scenario.deployVersion({ instances: [retained('a'), retained('z')] });
    expect(again.status).toBe('CREATE_COMPLETE');
    expectProtonAsTemplate(scenario, SERVICES);
  });

  test('stack creation fails on a missing output after the deployment succeeded: the instance is removed', async () => {
    const created = await scenario.deployVersion({ instances: [retained('a', { outputs: ['NoSuchOutput'] })] });
    expect(created.status).toBe('ROLLBACK_COMPLETE');
    expect(created.failureReason).toMatch(/has no output "NoSuchOutput"/);
    expect(scenario.instancesIn('frontend')).toEqual(['keeper']);
    expect((await scenario.deployVersion({ instances: [retained('a')] })).status).toBe('CREATE_COMPLETE');
    expectProtonAsTemplate(scenario, SERVICES);
  });

  test('an update that added an instance rolls back: the added instance is removed even under RETAIN', async () => {
    await scenario.deployVersion({ instances: [retained('a')] });
    scenario.emulator.planDeployment('frontend', 'z', { outcome: 'FAILED' });
    const added = await scenario.deployVersion({ instances: [retained('a'), retained('b'), retained('z')] });
    expect(added.status).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(added.events.some((e) => e.logicalId === scenario.logicalId('b') && e.status === 'CREATE_COMPLETE')).toBe(true);
    expect(scenario.instancesIn('frontend')).toEqual(['a', 'keeper']);
    expectProtonAsTemplate(scenario, SERVICES);
  });

  test('removal, replacement and stack delete keep RETAIN instances', async () => {
    await scenario.deployVersion({ instances: [retained('a'), retained('b'), retained('c')] });
    // Removed from the app.
    expect((await scenario.deployVersion({ instances: [retained('a'), retained('c')] })).status).toBe('UPDATE_COMPLETE');
    // Replaced (renamed).
    expect((await scenario.deployVersion({ instances: [retained('a'), retained('c', { name: 'c2' })] })).status).toBe('UPDATE_COMPLETE');
    expectProtonAsTemplate(scenario, SERVICES, { retained: ['frontend/b', 'frontend/c'] });
    // The stack deleted.
    expect((await scenario.destroy()).status).toBe('DELETE_COMPLETE');
    expect(scenario.instancesIn('frontend')).toEqual(['a', 'b', 'c', 'c2', 'keeper']);
  });

  test('an instance that never deployed successfully is removed on rollback under RETAIN, even when the stack status cannot be read', async () => {
    // One attempt per call, and DescribeStacks failing once the rollback starts: only "never succeeded" decides.
    await scenario.stop();
    scenario = await startScenario(SERVICES, { env: { AWS_MAX_ATTEMPTS: '1' } });
    const api = await scenario.driver.cloudFormationApiServer();
    const failing = setInterval(() => {
      if (scenario.driver.stackStatus(STACK) === 'ROLLBACK_IN_PROGRESS') api.failNext(1_000, 'ServiceUnavailable');
    }, 1);
    scenario.emulator.planDeployment('frontend', 'a', { outcome: 'FAILED', message: 'bad image' });
    const created = await scenario.deployVersion({ instances: [retained('a')] });
    clearInterval(failing);
    api.clearFaults();
    expect(created.status).toBe('ROLLBACK_COMPLETE');
    expect(failures(created)).toEqual([`${scenario.logicalId('a')}:CREATE_FAILED`]);
    expect(scenario.driver.cloudFormationCalls.some((c) => c.error === 'ServiceUnavailable')).toBe(true);
    expect(scenario.instancesIn('frontend')).toEqual(['keeper']);
  });
});

describe('an update rolled back in place', () => {
  test('the restoring deployment fails too: the rollback still completes, and the attributes say FAILED', async () => {
    await scenario.deployVersion({ instances: [a(RemovalPolicy.DESTROY)] });
    scenario.emulator.planDeployment('frontend', 'a', { outcome: 'FAILED', message: 'port 81 is taken' });
    scenario.emulator.planDeployment('frontend', 'a', { outcome: 'FAILED', message: 'the old image is gone' });
    const changed = await scenario.deployVersion({ instances: [{ ...a(RemovalPolicy.DESTROY), spec: specOf('a-env', 81) }] });
    expect(changed.status).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(scenario.attribute('a', 'DeploymentStatus')).toBe('FAILED');
    expect(scenario.emulator.instance('frontend', 'a')).toMatchObject({ spec: specOf('a-env'), deploymentStatus: 'FAILED' });
  });

  test('a failed spec change: the rollback Update restores the old spec', async () => {
    await scenario.deployVersion({ instances: [a(RemovalPolicy.DESTROY)] });
    scenario.emulator.planDeployment('frontend', 'a', { outcome: 'FAILED', message: 'port 81 is taken' });
    const changed = await scenario.deployVersion({ instances: [{ ...a(RemovalPolicy.DESTROY), spec: specOf('a-env', 81) }] });
    expect(changed.status).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(scenario.emulator.instance('frontend', 'a')!.spec).toBe(specOf('a-env'));
    expectProtonAsTemplate(scenario, SERVICES);
  });

  test('after a failed restore, the next update asking for the spec the instance already has deploys it again', async () => {
    await scenario.deployVersion({ instances: [a(RemovalPolicy.DESTROY)] });
    scenario.emulator.planDeployment('frontend', 'a', { outcome: 'FAILED', message: 'port 81 is taken' });
    scenario.emulator.planDeployment('frontend', 'a', { outcome: 'FAILED', message: 'the old image is gone' });
    const changed = await scenario.deployVersion({ instances: [{ ...a(RemovalPolicy.DESTROY), spec: specOf('a-env', 81) }] });
    expect(changed.status).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(scenario.emulator.instance('frontend', 'a')).toMatchObject({ spec: specOf('a-env'), deploymentStatus: 'FAILED' });
    // Same spec as the instance holds, only a tag added: a FAILED instance is deployed again, not left as it is.
    const again = await scenario.deployVersion({ instances: [{ ...a(RemovalPolicy.DESTROY), tags: { retry: '1' } }] });
    expect(again.status).toBe('UPDATE_COMPLETE');
    expectProtonAsTemplate(scenario, SERVICES);
  });
});
