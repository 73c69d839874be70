import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CloudFormationDriver, StackEvent } from '../driver';
import { ProtonEmulator } from '../emulator';

/**
 * The README's main command: synthesize the example app with the real cdk CLI, start the local Proton emulator,
 * deploy the app's ServiceInstances through the CloudFormation driver (the real bundled handler, the real SDK
 * on the wire), then update one instance and delete the stack, printing what a user would watch.
 * Exits non-zero if any step does not end as CloudFormation should.
 */

const ROOT = path.resolve(__dirname, '..', '..');
const EXAMPLES = path.join(ROOT, 'examples');
const STACK = 'FrontendInstances';
/** The provider polls every 10 s in AWS; the demo compresses that to keep the whole run well under a minute. */
const POLL_MS = 250;

const started = Date.now();
const clock = () => `${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s`;
const say = (line: string) => process.stdout.write(`${clock()}  ${line}\n`);

function synth(outdir: string, env: Record<string, string> = {}): void {
  execFileSync('npx', ['cdk', 'synth', '--no-notices', '--quiet', '--output', outdir], {
    cwd: EXAMPLES,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

function expectStatus(what: string, actual: string, expected: string, reason?: string): void {
  if (actual !== expected) {
    throw new Error(`${what} ended ${actual}, expected ${expected}${reason ? `: ${reason}` : ''}`);
  }
  say(`${what}: ${actual}`);
}

function watch(event: StackEvent): void {
  if (event.resourceType !== 'Custom::ProtonServiceInstance' && event.resourceType !== 'AWS::CloudFormation::Stack') return;
  const reason = event.reason ? `  (${event.reason.split('\n')[0].slice(0, 160)})` : '';
  say(`  ${event.logicalId.padEnd(34)} ${event.status}${reason}`);
}

async function main(): Promise<void> {
  const workdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-proton-demo-'));
  const emulator = await ProtonEmulator.start({ deploymentMs: 2000, removalMs: 1000 });
  try {
    say(`local Proton emulator on ${emulator.endpoint} (requests validated against botocore's Proton model)`);
    emulator.seedService({
      name: 'frontend',
      templateName: 'fargate-service',
      instances: [{ name: 'shared', environment: 'shared-env' }],
    });
    // What the production instance's infrastructure will report as outputs once deployed.
    emulator.setOutputs('frontend', 'production', { ServiceEndpoint: 'https://production.frontend.example.com', ClusterName: 'frontend-production' });
    say("seeded Proton service 'frontend' (template fargate-service v1, one instance 'shared')");

    const first = path.join(workdir, 'v1');
    say('cdk synth examples/ …');
    synth(first);

    const driver = new CloudFormationDriver({ env: { AWS_ENDPOINT_URL_PROTON: emulator.endpoint }, pollIntervalMs: POLL_MS, onEvent: watch });
    say(`deploy ${STACK}`);
    const created = await driver.deploy(first, STACK);
    expectStatus('deploy', created.status, 'CREATE_COMPLETE', created.failureReason);
    for (const [key, value] of Object.entries(created.outputs)) say(`  output ${key} = ${value}`);
    for (const name of ['staging', 'production']) {
      const instance = emulator.instance('frontend', name)!;
      say(`  ${name}: ${instance.deploymentStatus} in ${instance.environmentName}, template ${instance.templateName} ${instance.templateMajorVersion}.${instance.templateMinorVersion}`);
    }

    // An update: the example app reads DEMO_STAGING_COUNT, so the same app synthesizes a new staging spec.
    const second = path.join(workdir, 'v2');
    say('cdk synth with staging desired_count 2 …');
    synth(second, { DEMO_STAGING_COUNT: '2' });
    const updated = await driver.deploy(second, STACK);
    expectStatus('update', updated.status, 'UPDATE_COMPLETE', updated.failureReason);
    const update = emulator.callsTo('UpdateServiceInstance').at(-1);
    say(`  Proton UpdateServiceInstance ${String(update?.input.name)} deploymentType=${String(update?.input.deploymentType)}`);

    say(`delete ${STACK}`);
    const deleted = await driver.destroy(STACK);
    expectStatus('delete', deleted.status, 'DELETE_COMPLETE', deleted.failureReason);
    const staging = emulator.instance('frontend', 'staging');
    const production = emulator.instance('frontend', 'production');
    say(`  staging (DESTROY): ${staging ? `still there, ${String(staging.deploymentStatus)}` : 'removed from the service'}`);
    say(`  production (RETAIN): ${production ? `kept, ${String(production.deploymentStatus)}` : 'removed'}`);
    if (staging || !production) throw new Error('removal policies were not honoured');

    const errors = emulator.calls.filter((c) => c.error).map((c) => `${c.operation} ${c.error}`);
    say(`done: ${emulator.calls.length} Proton calls, ${emulator.validatedCount} validated against the model`);
    // Not-found answers are expected: they are how the handler sees that a removed instance is gone.
    if (errors.length) say(`  answered with an error: ${errors.join(', ')}`);
  } finally {
    await emulator.stop();
    fs.rmSync(workdir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  process.stderr.write(`demo failed: ${(e as Error).message}\n`);
  process.exit(1);
});
