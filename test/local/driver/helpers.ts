/** Drivers for the fixture app, disposed after each test with a check that IAM never had to guess. */
import * as path from 'path';
import { readState, STACK, tempDir } from './fixture-app';
import { CloudFormationDriver, CloudFormationDriverOptions, StackEvent } from '../../../local/driver';

/**
 * Registers the afterEach that disposes every driver made by the returned factory and asserts that the local IAM
 * evaluation decided every call (no `unsupported`).
 */
export function useDrivers() {
  const drivers: CloudFormationDriver[] = [];
  afterEach(async () => {
    const all = drivers.splice(0);
    await Promise.all(all.map((d) => d.dispose()));
    for (const d of all) expect(d.iamProblems).toEqual([]);
  });
  return (options: Partial<CloudFormationDriverOptions> = {}) => {
    const stateFile = path.join(tempDir('state'), 'state.json');
    const driver = new CloudFormationDriver({
      // Function timeouts run in real time: 60 s become 600 ms.
      timeScale: 0.01,
      ...options,
      env: { STATE_FILE: stateFile, AWS_ENDPOINT_URL_THING: 'http://127.0.0.1:9999', FIXTURE_NODE_MODULES: path.resolve(__dirname, '..', '..', '..'), ...options.env },
    });
    drivers.push(driver);
    return { driver, state: () => readState(stateFile) };
  };
}

/** `logicalId:status` of resource events, to assert orderings compactly. */
export function trail(events: StackEvent[], ids?: string[]): string[] {
  return events.filter((e) => e.logicalId !== STACK && (!ids || ids.includes(e.logicalId))).map((e) => `${e.logicalId}:${e.status}`);
}

/** The stack's own status events. */
export function stackStatuses(events: StackEvent[]): string[] {
  return events.filter((e) => e.logicalId === STACK).map((e) => e.status);
}
