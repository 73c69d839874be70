/**
 * One deployment through the local CloudFormation driver at the construct's own poll interval:
 * `deploy-child.ts <assemblyDir> <stackName> <protonEndpoint>`. Prints one JSON line with the times (epoch ms) at
 * which the driver saw each Custom::ProtonServiceInstance start and complete.
 *
 * The driver runs on a real-time clock: the emulator (in the parent process) and the SDK waiter it is compared
 * with live on real time, so the waiter's 10 s polls must really take 10 s here too. (The emulator is another
 * process, so it cannot ask this driver's authorizer: IAM is not enforced in this bench.)
 */
import * as fs from 'fs';
import * as path from 'path';
import { CloudFormationDriver, VirtualClock } from '../local/driver';

/** Memory of each function (Lambda's default 128 MB where the template sets none), by physical name. */
function lambdaUse(driver: CloudFormationDriver, assemblyDir: string, stackName: string): DeployChildReport['lambda'] {
  const template = JSON.parse(fs.readFileSync(path.join(assemblyDir, `${stackName}.template.json`), 'utf8')) as {
    Resources: Record<string, { Type: string; Properties?: { MemorySize?: number } }>;
  };
  const memoryMb = new Map<string, number>();
  for (const [id, r] of Object.entries(template.Resources)) {
    if (r.Type === 'AWS::Lambda::Function') memoryMb.set(driver.physicalId(stackName, id), r.Properties?.MemorySize ?? 128);
  }
  let gbSeconds = 0;
  for (const i of driver.invocations) {
    const ms = Math.ceil((i.endedAt ?? i.startedAt).getTime() - i.startedAt.getTime());
    gbSeconds += (ms / 1000) * ((memoryMb.get(i.functionName) ?? 128) / 1024);
  }
  return { invocations: driver.invocations.length, gbSeconds };
}

export interface DeployChildReport {
  readonly status: string;
  readonly failureReason?: string;
  readonly instances: { logicalId: string; startedAt: number; completedAt: number }[];
  /** Lambda use of the deployment: invocations and billed GB-seconds (duration rounded up to 1 ms, times memory). */
  readonly lambda: { readonly invocations: number; readonly gbSeconds: number };
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
    lambda: lambdaUse(driver, assemblyDir, stackName),
  };
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
