/**
 * Deployment lag and Proton calls: real deployments through the local CloudFormation driver (the bundled
 * handler, the construct's 10 s poll interval) against the local Proton emulator, beside the SDK's own
 * waiter (`waitUntilServiceInstanceDeployed`) watching deployments of the same lengths, all at once.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { CreateServiceInstanceCommand, ProtonClient, waitUntilServiceInstanceDeployed } from '@aws-sdk/client-proton';
import { ProtonEmulator } from '../local/emulator';
import { SERVICE_NAME, SPEC_YAML } from './apps/instance-props';
import { ROOT } from './compile';
import { constructInstanceName, stackName, synthDeployApp } from './deploy-app';
import type { DeployChildReport } from './deploy-child';
import { progress } from './stats';
import { DEFAULT_POLL_INTERVAL } from '../src/private/runtime';

export interface WatchedDeployment {
  readonly watcher: 'construct' | 'sdk-waiter';
  readonly instanceName: string;
  /** Deployment length in the emulator (its start to its SUCCEEDED), ms. */
  readonly deploymentMs: number;
  /** Watcher's completion − the emulator's SUCCEEDED time, ms. */
  readonly lagMs: number;
  readonly getCalls: number;
  /** Every Proton call about this instance (create, reads, ...). */
  readonly protonCalls: number;
}

export interface DeployBenchResult {
  readonly intervalSeconds: number;
  readonly deployments: WatchedDeployment[];
  readonly wallMs: number;
  /** Lambda use of each construct deployment (one instance each), in order of length. */
  readonly lambda: Array<DeployChildReport['lambda']>;
}

/** The construct's default poll interval. */
export const INTERVAL_SECONDS = DEFAULT_POLL_INTERVAL.toSeconds();

function runChild(assemblyDir: string, stack: string, endpoint: string): Promise<DeployChildReport> {
  const child = spawn(
    process.execPath,
    ['-r', 'ts-node/register/transpile-only', path.join(ROOT, 'bench', 'deploy-child.ts'), assemblyDir, stack, endpoint],
    { cwd: ROOT, env: { ...process.env, TS_NODE_PROJECT: path.join(ROOT, 'bench', 'tsconfig.json') }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      const line = out.trim().split('\n').pop() ?? '';
      if (code !== 0 || !line.startsWith('{')) reject(new Error(`deploy of ${stack} exited ${code}: ${err.slice(-2000)}`));
      else resolve(JSON.parse(line) as DeployChildReport);
    });
  });
}

async function sdkWaiter(client: ProtonClient, name: string): Promise<number> {
  await client.send(new CreateServiceInstanceCommand({ serviceName: SERVICE_NAME, name, spec: SPEC_YAML, templateMajorVersion: '1' }));
  await waitUntilServiceInstanceDeployed({ client, maxWaitTime: 600 }, { serviceName: SERVICE_NAME, name });
  return Date.now();
}

/** Runs one construct deployment and one SDK-waiter deployment per length in `lengthsMs`, all in parallel. */
export async function runDeployBench(lengthsMs: readonly number[]): Promise<DeployBenchResult> {
  const started = Date.now();
  const assemblyDir = synthDeployApp(lengthsMs.length);
  const emulator = await ProtonEmulator.start({ deploymentMs: 25_000 });
  try {
    emulator.seedService({ name: SERVICE_NAME, templateName: 'bench-template', instances: [{ name: 'seed', environment: 'bench-env' }] });
    const waiterName = (i: number) => `waiter-${i}`;
    lengthsMs.forEach((ms, i) => {
      emulator.setInstancePlan(SERVICE_NAME, constructInstanceName(i), { outcome: 'SUCCEEDED', durationMs: ms });
      emulator.setInstancePlan(SERVICE_NAME, waiterName(i), { outcome: 'SUCCEEDED', durationMs: ms });
    });
    const client = new ProtonClient({
      endpoint: emulator.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
    });
    progress(`deploy: ${lengthsMs.length} driver deployments and ${lengthsMs.length} SDK waiters, deployments of ${lengthsMs.map((m) => m / 1000).join(', ')} s`);
    const [reports, waiterDone] = await Promise.all([
      Promise.all(lengthsMs.map((_, i) => runChild(assemblyDir, stackName(i), emulator.endpoint))),
      Promise.all(lengthsMs.map((_, i) => sdkWaiter(client, waiterName(i)))),
    ]);
    const deployments: WatchedDeployment[] = [];
    lengthsMs.forEach((_, i) => {
      const report = reports[i];
      if (report.status !== 'CREATE_COMPLETE') throw new Error(`${stackName(i)} ended ${report.status}: ${report.failureReason}`);
      deployments.push(watched(emulator, 'construct', constructInstanceName(i), report.instances[0].completedAt));
      deployments.push(watched(emulator, 'sdk-waiter', waiterName(i), waiterDone[i]));
    });
    progress('deploy: done');
    return { intervalSeconds: INTERVAL_SECONDS, deployments, wallMs: Date.now() - started, lambda: reports.map((r) => r.lambda) };
  } finally {
    await emulator.stop();
    fs.rmSync(assemblyDir, { recursive: true, force: true });
  }
}

function watched(emulator: ProtonEmulator, watcher: WatchedDeployment['watcher'], name: string, completedAt: number): WatchedDeployment {
  const view = emulator.instance(SERVICE_NAME, name);
  if (!view || view.deploymentStatus !== 'SUCCEEDED') throw new Error(`${name} is not SUCCEEDED in the emulator`);
  // The emulator answers timestamps in epoch seconds (as the API does), with millisecond precision.
  const succeededAt = Number(view.lastDeploymentSucceededAt) * 1000;
  const attemptedAt = Number(view.lastDeploymentAttemptedAt) * 1000;
  const calls = emulator.calls.filter((c) => {
    const input = c.input as Record<string, unknown> | undefined;
    return input?.serviceName === SERVICE_NAME && (input.name === name || input.serviceInstanceName === name);
  });
  return {
    watcher,
    instanceName: name,
    deploymentMs: succeededAt - attemptedAt,
    lagMs: completedAt - succeededAt,
    getCalls: calls.filter((c) => c.operation === 'GetServiceInstance').length,
    protonCalls: calls.length,
  };
}
