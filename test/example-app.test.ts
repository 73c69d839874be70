import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { RESOURCE_TYPE } from '../src/private/contract';

/**
 * The example app as a user runs it: the real `cdk` CLI, with examples/cdk.json, offline. Catches what an
 * in-process synth does not: the cdk.json app command, ts-node over the example, the CLI reading the assembly.
 */

const EXAMPLES = path.join(__dirname, '..', 'examples');
const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-proton-example-'));
let template: any;

beforeAll(() => {
  const run = spawnSync('npx', ['cdk', 'synth', '--no-notices', '--quiet', '--output', outdir], {
    cwd: EXAMPLES,
    encoding: 'utf-8',
    // No AWS account here: keep the CLI from looking for credentials or a default environment.
    env: { ...process.env, AWS_EC2_METADATA_DISABLED: 'true', CDK_DISABLE_VERSION_CHECK: 'true' },
  });
  if (run.status !== 0) {
    throw new Error(`cdk synth failed (exit ${run.status}):\n${run.stdout}\n${run.stderr}`);
  }
  template = JSON.parse(fs.readFileSync(path.join(outdir, 'FrontendInstances.template.json'), 'utf-8'));
}, 120_000);

afterAll(() => {
  fs.rmSync(outdir, { recursive: true, force: true });
});

function instances(): any[] {
  return Object.values(template.Resources).filter((r: any) => r.Type === RESOURCE_TYPE);
}

function logicalIdOf(instanceName: string): string {
  return Object.entries(template.Resources).find(
    ([, r]: [string, any]) => r.Type === RESOURCE_TYPE && r.Properties.ServiceInstanceName === instanceName,
  )![0];
}

test('two service instances of the frontend service, in two environments', () => {
  const found = instances();
  expect(found).toHaveLength(2);
  expect(found.map((r) => r.Properties.ServiceName)).toEqual(['frontend', 'frontend']);
  expect(found.map((r) => r.Properties.ServiceInstanceName).sort()).toEqual(['production', 'staging']);
  expect(found.map((r) => /environment: (\S+)/.exec(r.Properties.Spec)?.[1]).sort()).toEqual(['production-env', 'staging-env']);
});

test('tags from props and from Tags.of() reach both instances; staging is removed with the stack, production kept', () => {
  const byName = Object.fromEntries(instances().map((r) => [r.Properties.ServiceInstanceName, r.Properties]));
  expect(byName.staging.Tags).toEqual({ stage: 'staging', team: 'web' });
  expect(byName.production.Tags).toEqual({ stage: 'production', team: 'web' });
  expect(byName.staging.RemovalPolicy).toBe('Destroy');
  expect(byName.production.RemovalPolicy).toBe('Retain');
});

test('outputs the production instance ARN and the staging deployment status', () => {
  expect(template.Outputs.ProductionInstanceArn.Value).toEqual({ 'Fn::GetAtt': [logicalIdOf('production'), 'Arn'] });
  expect(template.Outputs.StagingDeploymentStatus.Value).toEqual({ 'Fn::GetAtt': [logicalIdOf('staging'), 'DeploymentStatus'] });
  expect(template.Outputs.ProductionEndpoint.Value).toEqual({ 'Fn::GetAtt': [logicalIdOf('production'), 'Output.ServiceEndpoint'] });
  expect(template.Resources[logicalIdOf('production')].Properties.OutputKeys).toEqual(['ServiceEndpoint']);
});

test('both instances share one provider, and the handler asset is in the assembly', () => {
  const serviceTokens = new Set(instances().map((r) => JSON.stringify(r.Properties.ServiceToken)));
  expect(serviceTokens.size).toBe(1);
  const handlers = Object.values(template.Resources).filter((r: any) => r.Type === 'AWS::Lambda::Function' && /^index\.(onEvent|isComplete)$/.test(r.Properties.Handler));
  expect(handlers).toHaveLength(2);
  const assets = JSON.parse(fs.readFileSync(path.join(outdir, 'FrontendInstances.assets.json'), 'utf-8'));
  const bundled = Object.values(assets.files).some((a: any) => fs.existsSync(path.join(outdir, a.source.path, 'index.js')));
  expect(bundled).toBe(true);
});
