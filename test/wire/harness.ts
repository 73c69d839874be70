import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { CloudFormationDriver, CloudFormationDriverOptions, StackOperationResult, VirtualClock } from '../../local/driver';
import { EmulatorOptions, ProtonEmulator } from '../../local/emulator';
import { RESOURCE_TYPE } from '../../src/private/contract';

/**
 * The wire-level test bench: the real synthesized template, the real bundled handler and aws-cdk-lib's Provider
 * framework from the cloud assembly, the real @aws-sdk/client-proton on the wire, and the local emulator checking
 * every request against the official model and every caller against its role's policies (IAM is on: the
 * emulator asks the driver's authorizer). Time is virtual: the driver and the emulator share one clock, which
 * jumps over every wait (the provider's 10 s polls, a deployment's minutes) whenever no function is running, so
 * `deploymentMs` and the like are in the stack's own time and cost no real time.
 */

export const STACK = 'Wire';
export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';

export interface Bench {
  readonly emulator: ProtonEmulator;
  readonly driver: CloudFormationDriver;
  /** Synthesizes a stack built by `build` into a fresh assembly directory. */
  synth(build: (stack: Stack) => void): string;
  deploy(build: (stack: Stack) => void): Promise<StackOperationResult>;
  destroy(): Promise<StackOperationResult>;
  /** The logical id of the custom resource of an instance, by instance name. */
  logicalId(instanceName: string): string;
  attribute(instanceName: string, key: string): string | undefined;
  stop(): Promise<void>;
}

export interface BenchOptions {
  readonly emulator?: EmulatorOptions;
  readonly driver?: CloudFormationDriverOptions;
  readonly env?: Record<string, string>;
  /** Leave IAM off (every call allowed); on by default. */
  readonly withoutIam?: boolean;
}

export async function startBench(options: BenchOptions = {}): Promise<Bench> {
  const clock = options.driver?.clock ?? new VirtualClock();
  const emulator = await ProtonEmulator.start({ deploymentMs: 300, removalMs: 200, cancelMs: 100, now: clock.now, ...options.emulator });
  const driver = new CloudFormationDriver({
    region: REGION,
    accountId: ACCOUNT,
    ...options.driver,
    clock,
    env: { AWS_ENDPOINT_URL_PROTON: emulator.endpoint, ...options.env, ...options.driver?.env },
  });
  if (!options.withoutIam) emulator.setAuthorizer(driver.authorizer);
  const dirs: string[] = [];
  let lastTemplate: any;

  const synth = (build: (stack: Stack) => void) => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-proton-wire-'));
    dirs.push(outdir);
    const app = new App({ outdir });
    const stack = new Stack(app, STACK, { env: { account: ACCOUNT, region: REGION } });
    build(stack);
    app.synth();
    lastTemplate = JSON.parse(fs.readFileSync(path.join(outdir, `${STACK}.template.json`), 'utf-8'));
    return outdir;
  };

  const logicalId = (instanceName: string) => {
    const entry = Object.entries<any>(lastTemplate.Resources).find(
      ([, r]) => r.Type === RESOURCE_TYPE && r.Properties.ServiceInstanceName === instanceName,
    );
    if (!entry) throw new Error(`no ServiceInstance named ${instanceName} in the last template`);
    return entry[0];
  };

  return {
    emulator,
    driver,
    synth,
    deploy: (build) => driver.deploy(synth(build), STACK),
    destroy: () => driver.destroy(STACK),
    logicalId,
    attribute: (instanceName, key) => driver.getAttribute(STACK, logicalId(instanceName), key) as string | undefined,
    stop: async () => {
      // The driver first: what still runs in the background (a waiter's execution) may still call the emulator.
      await driver.dispose();
      await emulator.stop();
      for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A Proton service with one instance that the stack does not manage, so instances can be removed from it. */
export function seedFrontend(emulator: ProtonEmulator, name = 'frontend'): void {
  emulator.seedService({ name, templateName: 'fargate-service', instances: [{ name: 'keeper', environment: 'shared-env' }] });
}

export function instanceSpec(environment: string, port = 80): string {
  return `proton: ServiceSpec\nenvironment: ${environment}\nspec:\n  port: ${port}\n`;
}

/**
 * Every IAM decision the local evaluation could not take, anywhere (the driver's Lambda and Step Functions, the
 * CloudFormation API, the emulator); a test asserts it is empty, so a policy it cannot read never passes silently.
 */
export function iamProblems(bench: Bench): string[] {
  return [...bench.driver.iamProblems, ...bench.emulator.authorizationProblems.map((p) => `${p.operation}: ${p.message}`)];
}

/**
 * Every call IAM refused (not an injected AccessDeniedException fault): to Proton, and the handlers' DescribeStacks.
 * Empty means the construct's policies grant everything its handler calls.
 */
export function iamDenials(bench: Bench): string[] {
  return [
    ...bench.emulator.calls.filter((c) => c.accessDenied).map((c) => `${c.operation}: ${c.accessDenied!.message}`),
    ...bench.driver.cloudFormationCalls.filter((c) => c.accessDenied).map((c) => `${c.action}: ${c.accessDenied!.message}`),
  ];
}

/**
 * Stops the bench after checking that IAM, which was on, took every decision it was asked for and that the
 * construct's policies allowed every call the handlers made.
 */
export async function stopChecked(bench: Bench): Promise<void> {
  try {
    expect(iamProblems(bench)).toEqual([]);
    expect(iamDenials(bench)).toEqual([]);
  } finally {
    await bench.stop();
  }
}

/** Every request the emulator answered passed the model's validation (none rejected as malformed by it). */
export function modelRejections(emulator: ProtonEmulator): string[] {
  return emulator.calls.filter((c) => c.error === 'ValidationException' && c.status === 400).map((c) => `${c.operation}: ${JSON.stringify(c.input).slice(0, 200)}`);
}
