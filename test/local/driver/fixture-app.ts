/** Builds and synthesizes small CDK apps around the fixture handler, one assembly per call. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, CfnOutput, CustomResource, Duration, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as cr from 'aws-cdk-lib/custom-resources';

export const STACK = 'DriverTest';
export const HANDLER_DIR = path.join(__dirname, 'fixtures', 'handler');

export interface ThingSpec {
  readonly id: string;
  readonly props?: Record<string, unknown>;
  /** Ids of other things whose `Name` attribute this one takes as property `Upstream`. */
  readonly upstream?: string;
  readonly dependsOn?: string[];
  readonly serviceTimeoutSeconds?: number;
}

export interface AppSpec {
  readonly things: ThingSpec[];
  /** Output name → [thing id, attribute]. */
  readonly outputs?: Record<string, [string, string]>;
  readonly queryIntervalSeconds?: number;
  readonly totalTimeoutSeconds?: number;
  readonly functionTimeoutSeconds?: number;
  readonly assetMetadata?: boolean;
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `driver-${prefix}-`));
}

export function synth(spec: AppSpec): string {
  const outdir = tempDir('cdkout');
  const app = new App({ outdir, context: spec.assetMetadata ? { 'aws:cdk:enable-asset-metadata': true } : {} });
  const stack = new Stack(app, STACK);
  const fn = (id: string, handler: string) => new lambda.Function(stack, id, {
    runtime: lambda.Runtime.NODEJS_20_X,
    handler,
    code: lambda.Code.fromAsset(HANDLER_DIR),
    timeout: Duration.seconds(spec.functionTimeoutSeconds ?? 60),
    environment: { OWN_SETTING: `own-${stack.region}` },
  });
  const provider = new cr.Provider(stack, 'Provider', {
    onEventHandler: fn('OnEvent', 'index.onEvent'),
    isCompleteHandler: fn('IsComplete', 'index.isComplete'),
    queryInterval: Duration.seconds(spec.queryIntervalSeconds ?? 5),
    totalTimeout: Duration.seconds(spec.totalTimeoutSeconds ?? 30),
  });
  const made = new Map<string, CustomResource>();
  for (const t of spec.things) {
    const upstream = t.upstream ? { Upstream: made.get(t.upstream)!.getAttString('Name') } : {};
    const res = new CustomResource(stack, t.id, {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::Thing',
      properties: { Name: t.id.toLowerCase(), ...upstream, ...t.props },
      serviceTimeout: t.serviceTimeoutSeconds ? Duration.seconds(t.serviceTimeoutSeconds) : undefined,
    });
    for (const d of t.dependsOn ?? []) res.node.addDependency(made.get(d)!);
    made.set(t.id, res);
  }
  for (const [name, [id, attr]] of Object.entries(spec.outputs ?? {})) {
    new CfnOutput(stack, name, { value: made.get(id)!.getAttString(attr) });
  }
  app.synth();
  return outdir;
}

export interface HandlerCall {
  step: 'onEvent' | 'isComplete';
  type: string;
  requestId: string;
  logicalId: string;
  physicalId?: string;
  props?: Record<string, string>;
  oldProps?: Record<string, string>;
  extra?: string;
  poll?: number;
  env?: Record<string, string | undefined>;
  context?: { functionName: string; remaining: number };
  event?: Record<string, string>;
}

export interface HandlerState {
  calls: HandlerCall[];
  things: Record<string, Record<string, string>>;
  creates: Record<string, number>;
}

export function readState(file: string): HandlerState {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}
