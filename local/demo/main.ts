import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CloudFormationDriver, StackEvent, VirtualClock } from '../driver';
import { ProtonEmulator } from '../emulator';

/**
 * The README's main command: synthesize the example app with the real cdk CLI, start the local Proton emulator,
 * deploy the app's ServiceInstances through the CloudFormation driver (the real bundled handler and aws-cdk-lib's
 * Provider framework, the real SDK on the wire, IAM enforced on every call), then update one instance and delete
 * the stack, printing what a user would watch. Deployments take minutes, as in AWS, on a virtual clock that the
 * driver and the emulator share: it jumps over every wait, so the run takes seconds; each line shows both times.
 * Exits non-zero if any step does not end as CloudFormation should.
 */

const ROOT = path.resolve(__dirname, '..', '..');
const EXAMPLES = path.join(ROOT, 'examples');
const STACK = 'FrontendInstances';
/** How long Proton takes, in the stack's (virtual) time. */
const DEPLOYMENT_MS = 4 * 60_000;
const REMOVAL_MS = 90_000;

const time = new VirtualClock();
const started = { real: Date.now(), virtual: time.now() };
const stamp = () => {
  const real = `${((Date.now() - started.real) / 1000).toFixed(1).padStart(5)}s`;
  const elapsed = Math.round((time.now() - started.virtual) / 1000);
  const virtual = `${String(Math.floor(elapsed / 60)).padStart(3)}:${String(elapsed % 60).padStart(2, '0')}`;
  return `${real} ${virtual}`;
};
const say = (line: string) => process.stdout.write(`${stamp()}  ${line}\n`);

function synth(outdir: string, context: Record<string, string> = {}): void {
  const values = Object.entries(context).flatMap(([key, value]) => ['-c', `${key}=${value}`]);
  execFileSync('npx', ['cdk', 'synth', '--no-notices', '--quiet', '--output', outdir, ...values], {
    cwd: EXAMPLES,
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
  const emulator = await ProtonEmulator.start({ deploymentMs: DEPLOYMENT_MS, removalMs: REMOVAL_MS, now: time.now });
  const driver = new CloudFormationDriver({ clock: time, env: { AWS_ENDPOINT_URL_PROTON: emulator.endpoint }, onEvent: watch });
  // Every Proton call is checked against the policies of the caller's role, as the stack has them at that moment.
  emulator.setAuthorizer(driver.authorizer);
  try {
    say('real  stack time');
    say(`local Proton emulator on ${emulator.endpoint} (requests validated against botocore's Proton model, IAM enforced)`);
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

    say(`deploy ${STACK} (each Proton deployment takes ${DEPLOYMENT_MS / 60_000} minutes)`);
    const created = await driver.deploy(first, STACK);
    expectStatus('deploy', created.status, 'CREATE_COMPLETE', created.failureReason);
    for (const [key, value] of Object.entries(created.outputs)) say(`  output ${key} = ${value}`);
    for (const name of ['staging', 'production']) {
      const instance = emulator.instance('frontend', name)!;
      say(`  ${name}: ${instance.deploymentStatus} in ${instance.environmentName}, template ${instance.templateName} ${instance.templateMajorVersion}.${instance.templateMinorVersion}`);
    }

    // An update: the example app reads the `stagingDesiredCount` context value, so the same app synthesizes a new staging spec.
    const second = path.join(workdir, 'v2');
    say('cdk synth with staging desired_count 2 …');
    synth(second, { stagingDesiredCount: '2' });
    const updated = await driver.deploy(second, STACK);
    expectStatus('update', updated.status, 'UPDATE_COMPLETE', updated.failureReason);
    const update = emulator.callsTo('UpdateServiceInstance').at(-1);
    const input = update?.input as { name?: string; deploymentType?: string } | undefined;
    say(`  Proton UpdateServiceInstance ${String(input?.name)} deploymentType=${String(input?.deploymentType)}`);

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
    const functions = new Set(driver.invocations.map((i) => i.functionName)).size;
    say(`  ${driver.invocations.length} Lambda invocations of ${functions} functions, ${driver.executions.length} waiter executions, `
      + `${time.jumps} clock jumps over ${Math.round((time.now() - started.virtual) / 60_000)} minutes of stack time`);
    const problems = [...driver.iamProblems, ...emulator.authorizationProblems.map((p) => p.message)];
    if (problems.length) throw new Error(`IAM could not decide: ${problems.join('; ')}`);
    const denied = emulator.calls.filter((c) => c.error === 'AccessDeniedException');
    if (denied.length) throw new Error(`IAM denied: ${denied.map((c) => c.accessDenied?.message ?? c.operation).join('; ')}`);
  } finally {
    await driver.dispose();
    await emulator.stop();
    fs.rmSync(workdir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  process.stderr.write(`demo failed: ${(e as Error).message}\n`);
  process.exit(1);
});
