import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, CfnParameter, Duration, RemovalPolicy, Stack, Tags } from 'aws-cdk-lib';
import { ServiceInstance, ServiceInstanceProvider, ServiceInstanceSpec } from '../src';
import { applyAccountBoundary, lockedDownProvider } from './fixtures/locked-down';
import { RESOURCE_TYPE } from '../src/private/contract';

/**
 * cfn-lint over the templates this library synthesizes: representative stacks and the example app.
 * cfn-lint is a CI requirement: when it is missing the suite fails (it does not skip).
 *
 * Errors and warnings both fail; the checks passed to --ignore-checks are listed below, each with its reason
 * (the README's "Contributing" section lists them too).
 */
const IGNORED_CHECKS: string[] = [
  // W3005 "dependency already enforced by a GetAtt": aws-cdk-lib's lambda.Function and the Provider framework's waiter
  // state machine add a DependsOn on their role next to the Fn::GetAtt of its ARN. Redundant and harmless, and it is
  // aws-cdk-lib's output, not ours: every CDK app with a Lambda function gets it.
  'W3005',
];

const SPEC = 'proton: ServiceSpec\nenvironment: env\nspec:\n  port: 80\n';
const ENV = { account: '123456789012', region: 'us-east-1' };

interface LintMatch {
  readonly Filename: string;
  readonly Level: string;
  readonly Message: string;
  readonly Rule: { readonly Id: string };
  readonly Location: { readonly Path?: unknown[] };
}

const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-proton-cfn-lint-'));
let templates: Record<string, string>;
let matches: LintMatch[];

/** Runs cfn-lint; a missing cfn-lint fails the suite with a message that says how to get it. */
function cfnLint(args: string[]): ReturnType<typeof spawnSync> {
  const run = spawnSync('cfn-lint', args, { encoding: 'utf-8', maxBuffer: 64 * 1024 * 1024 });
  if ((run.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
    throw new Error(
      'cfn-lint is not on PATH. The tests lint every synthesized template and CI machines have it: ' +
        'install it (`pip install cfn-lint==1.51.0`) and run the tests again.',
    );
  }
  return run;
}

/** The stacks to lint, each synthesized in-process into `outdir`; returns template paths by name. */
function synthesizeStacks(): Record<string, string> {
  const app = new App({ outdir: path.join(outdir, 'library') });

  const one = new Stack(app, 'OneInstance', { env: ENV });
  new ServiceInstance(one, 'Prod', { serviceName: 'frontend', serviceInstanceName: 'prod', spec: ServiceInstanceSpec.fromString(SPEC) });

  // Environment-agnostic, several services, enough instances that the policy is scoped per service.
  const many = new Stack(app, 'ManyInstances');
  for (let n = 0; n < 200; n++) {
    new ServiceInstance(many, `I${n}`, {
      serviceName: `service-${n % 10}`.padEnd(24, 'x'),
      serviceInstanceName: `instance-${n}`.padEnd(24, 'y'),
      spec: ServiceInstanceSpec.fromString(SPEC),
      removalPolicy: n % 2 ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
    });
  }

  // Every prop set, names from parameters, a spec holding tokens and tags from Tags.of().
  const all = new Stack(app, 'AllProps', { env: ENV });
  const serviceName = new CfnParameter(all, 'ServiceName', { default: 'frontend' });
  const instance = new ServiceInstance(all, 'Everything', {
    serviceName: serviceName.valueAsString,
    serviceInstanceName: 'everything',
    spec: ServiceInstanceSpec.fromObject({ proton: 'ServiceSpec', environment: 'env', spec: { region: all.region, url: `https://${all.urlSuffix}` } }),
    templateMajorVersion: '2',
    templateMinorVersion: '1',
    tags: { stage: 'production' },
    clientToken: 'client-token-1',
    removalPolicy: RemovalPolicy.DESTROY,
    timeout: Duration.minutes(55),
  });
  Tags.of(instance).add('team', 'web');

  // The provider configured for a locked-down account: VPC, KMS key, ARM, log settings, poll interval, boundary.
  const locked = new Stack(app, 'LockedDown', { env: ENV });
  ServiceInstanceProvider.of(locked, lockedDownProvider(locked));
  applyAccountBoundary(locked);
  new ServiceInstance(locked, 'Prod', { serviceName: 'frontend', serviceInstanceName: 'prod', spec: ServiceInstanceSpec.fromString(SPEC) });

  app.synth();

  // The example app: its module synthesizes its own App on import, into CDK_OUTDIR, so it synthesizes once.
  const exampleOut = path.join(outdir, 'example');
  const previous = process.env.CDK_OUTDIR;
  process.env.CDK_OUTDIR = exampleOut;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const example = require('../examples/app');
    expect(example.FrontendInstancesStack).toBeDefined();
  } finally {
    if (previous === undefined) delete process.env.CDK_OUTDIR;
    else process.env.CDK_OUTDIR = previous;
  }

  return {
    'one instance': path.join(outdir, 'library', 'OneInstance.template.json'),
    'many instances across services': path.join(outdir, 'library', 'ManyInstances.template.json'),
    'all props set': path.join(outdir, 'library', 'AllProps.template.json'),
    'a locked-down provider': path.join(outdir, 'library', 'LockedDown.template.json'),
    'the example app (examples/app.ts)': path.join(exampleOut, 'FrontendInstances.template.json'),
  };
}

beforeAll(() => {
  templates = synthesizeStacks();
  // A canary that must fail, linted in the same run: proves that findings are read and matched to their file.
  templates.canary = path.join(outdir, 'canary.template.json');
  fs.writeFileSync(templates.canary, JSON.stringify({ Resources: { Topic: { Type: 'AWS::SNS::Topic', Properties: { NoSuchProperty: 1 } } } }));
  const files = Object.values(templates);
  for (const file of files) expect(fs.existsSync(file)).toBe(true);
  // One cfn-lint process for every template (it starts slowly); matches carry their file name.
  const args = ['--format', 'json', ...(IGNORED_CHECKS.length ? ['--ignore-checks', ...IGNORED_CHECKS] : []), '--', ...files];
  const run = cfnLint(args);
  // Exit codes: 0 clean, or the sum of 2 (error), 4 (warning), 8 (informational); anything else means it broke.
  const findingExitCodes = [0, 2, 4, 6, 8, 10, 12, 14];
  if (run.error || run.status === null || !findingExitCodes.includes(run.status)) {
    throw new Error(`cfn-lint failed to run (exit ${run.status}): ${run.error?.message ?? run.stderr}`);
  }
  matches = JSON.parse(String(run.stdout) || '[]');
  expect(matches.filter((m) => !files.includes(path.resolve(m.Filename)))).toEqual([]);
}, 120_000);

afterAll(() => {
  fs.rmSync(outdir, { recursive: true, force: true });
});

describe('cfn-lint', () => {
  test('the canary template fails (the findings are read)', () => {
    const canary = matches.filter((m) => path.resolve(m.Filename) === templates.canary);
    expect(canary.map((m) => m.Rule.Id)).toContain('E3002');
  });

  test.each(['one instance', 'many instances across services', 'all props set', 'a locked-down provider', 'the example app (examples/app.ts)'])(
    '%s: no error or warning',
    (name) => {
      const file = templates[name];
      const template = JSON.parse(fs.readFileSync(file, 'utf-8'));
      // The template is the one meant: it holds the construct's custom resources.
      expect(Object.values(template.Resources).some((r: any) => r.Type === RESOURCE_TYPE)).toBe(true);
      const found = matches
        .filter((m) => path.resolve(m.Filename) === path.resolve(file) && m.Level !== 'Informational')
        .map((m) => `${m.Rule.Id} ${m.Level} ${JSON.stringify(m.Location.Path ?? [])}: ${m.Message}`);
      expect(found).toEqual([]);
    },
  );
});
