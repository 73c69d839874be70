/**
 * One deployment through the local CloudFormation driver at the construct's own poll interval:
 * `deploy-child.ts <assemblyDir> <stackName> <protonEndpoint>`. Prints one JSON line with the times (epoch ms) at
 * which the driver saw each Custom::ProtonServiceInstance start and complete.
 *
 * The driver runs on a real-time clock: the emulator (in the parent process) and the SDK waiter it is compared
 * with live on real time, so the waiter's 10 s polls must really take 10 s here too. (The emulator is another
 * process, so it cannot ask this driver's authorizer: IAM is not enforced in this bench.)
 */
import { CloudFormationDriver, VirtualClock } from '../local/driver';

export interface DeployChildReport {
  readonly status: string;
  readonly failureReason?: string;
  readonly instances: { logicalId: string; startedAt: number; completedAt: number }[];
}

async function main(): Promise<void> {
  const [assemblyDir, stackName, endpoint] = process.argv.slice(2);
  const driver = new CloudFormationDriver({ env: { AWS_ENDPOINT_URL_PROTON: endpoint }, clock: new VirtualClock({ realTime: true }) });
  const result = await driver.deploy(assemblyDir, stackName);
  await driver.dispose();
  const custom = result.events.filter((e) => e.resourceType === 'Custom::ProtonServiceInstance');
  const at = (id: string, status: string) => custom.find((e) => e.logicalId === id && e.status === status)?.timestamp.getTime() ?? NaN;
  const ids = [...new Set(custom.map((e) => e.logicalId))];
  const report: DeployChildReport = {
    status: result.status,
    failureReason: result.failureReason,
    instances: ids.map((id) => ({ logicalId: id, startedAt: at(id, 'CREATE_IN_PROGRESS'), completedAt: at(id, 'CREATE_COMPLETE') })),
  };
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
