import * as fs from 'fs';
import * as path from 'path';
import { ProtonClient } from '@aws-sdk/client-proton';
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { StackOperationResult } from '../../local/driver';
import { ProtonEmulator } from '../../local/emulator';
import { ServiceInstance, ServiceInstanceSpec } from '../../src';
import { RESOURCE_TYPE } from '../../src/private/contract';
import { Bench, BenchOptions, iamDenials, iamProblems, modelRejections, STACK, startBench } from '../wire/harness';

/**
 * Stack-level scenarios: successive versions of an app deployed through the local CloudFormation (phases,
 * rollbacks, cleanup, IAM in force at each moment), with a fault where the scenario needs one; each ends by
 * comparing Proton with what the last successful template says.
 */

export interface InstanceDef {
  /** Construct id. */
  readonly id: string;
  readonly service: string;
  readonly name: string;
  readonly spec?: string;
  readonly major?: string;
  readonly minor?: string;
  readonly tags?: Record<string, string>;
  readonly removalPolicy?: RemovalPolicy;
  readonly outputs?: string[];
  readonly noEcho?: boolean;
  readonly clientToken?: string;
  readonly timeout?: Duration;
}

export interface AppVersion {
  readonly instances: InstanceDef[];
}

/** The spec of an instance, by environment and a value that changes between versions. */
export function specOf(environment: string, port = 80): string {
  return `proton: ServiceSpec\nenvironment: ${environment}\nspec:\n  port: ${port}\n`;
}

export function buildApp(version: AppVersion): (stack: Stack) => void {
  return (stack) => {
    for (const def of version.instances) {
      const instance = new ServiceInstance(stack, def.id, {
        serviceName: def.service,
        serviceInstanceName: def.name,
        spec: ServiceInstanceSpec.fromString(def.spec ?? specOf(`${def.name}-env`)),
        templateMajorVersion: def.major,
        templateMinorVersion: def.minor,
        tags: def.tags,
        removalPolicy: def.removalPolicy ?? RemovalPolicy.DESTROY,
        noEcho: def.noEcho,
        clientToken: def.clientToken,
        timeout: def.timeout ?? Duration.minutes(10),
      });
      for (const key of def.outputs ?? []) instance.getOutput(key);
    }
  };
}

export interface Scenario extends Bench {
  /** Synthesizes and deploys a version; remembers its template as the last good one when the operation succeeds. */
  deployVersion(version: AppVersion): Promise<StackOperationResult>;
  /** The template of the last operation that succeeded (or the one a rollback returned to). */
  lastGoodTemplate(): any;
  /** Instances (by name) that Proton has in a service, removed ones excluded. */
  instancesIn(service: string): string[];
}

/**
 * Someone else working on the same Proton services (the console, another pipeline): not the stack's handler.
 * Its calls carry its own credentials and, by convention here, the client token `operator`.
 */
export function operatorClient(bench: Bench): ProtonClient {
  return new ProtonClient({ endpoint: bench.emulator.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'AKIDOPERATOR', secretAccessKey: 'operator' } });
}

/** A service with an instance the stack does not manage, so that the stack's instances can all be removed from it. */
export function seedService(emulator: ProtonEmulator, name: string): void {
  emulator.seedService({ name, templateName: 'fargate-service', instances: [{ name: 'keeper', environment: 'shared-env' }] });
}

export async function startScenario(services: string[], options: BenchOptions = {}): Promise<Scenario> {
  const bench = await startBench(options);
  for (const service of services) seedService(bench.emulator, service);
  let lastGood: any = { Resources: {} };
  const templates = new Map<string, any>();
  return {
    ...bench,
    async deployVersion(version) {
      const dir = bench.synth(buildApp(version));
      const template = JSON.parse(fs.readFileSync(path.join(dir, `${STACK}.template.json`), 'utf-8'));
      templates.set(dir, template);
      const result = await bench.driver.deploy(dir, STACK);
      if (result.status === 'CREATE_COMPLETE' || result.status === 'UPDATE_COMPLETE') lastGood = template;
      return result;
    },
    lastGoodTemplate: () => lastGood,
    instancesIn(service) {
      return bench.emulator.state.instancesOf(service).map((i) => i.name).sort();
    },
  };
}

export interface ProtonExpectation {
  /** Instances the stack no longer manages but kept (RETAIN), by `service/name`. */
  readonly retained?: string[];
  /** The instances seeded outside the stack, by `service/name`; default every service's `keeper`. */
  readonly keepers?: string[];
}

/**
 * Proton is exactly as the last good template says: every instance the template declares exists, SUCCEEDED, with
 * the template's spec, pinned versions and tags; in every service involved, no instance exists beyond those, the
 * seeded keepers and what the scenario says was retained. And nothing the handler called was denied by IAM.
 */
export function expectProtonAsTemplate(scenario: Scenario, services: string[], expectation: ProtonExpectation = {}): void {
  const template = scenario.lastGoodTemplate();
  const declared = Object.values<any>(template.Resources).filter((r) => r.Type === RESOURCE_TYPE).map((r) => r.Properties);
  for (const props of declared) {
    const instance = scenario.emulator.instance(props.ServiceName, props.ServiceInstanceName);
    expect({ name: `${props.ServiceName}/${props.ServiceInstanceName}`, status: instance?.deploymentStatus, spec: instance?.spec }).toEqual({
      name: `${props.ServiceName}/${props.ServiceInstanceName}`,
      status: 'SUCCEEDED',
      spec: props.Spec,
    });
    if (props.TemplateMajorVersion !== undefined) expect(instance!.templateMajorVersion).toBe(props.TemplateMajorVersion);
    if (props.TemplateMinorVersion !== undefined) expect(instance!.templateMinorVersion).toBe(props.TemplateMinorVersion);
    const tags = Object.fromEntries((scenario.emulator.state.tags.get(String(instance!.arn)) ?? []).map((t) => [t.key, t.value]));
    expect(tags).toEqual(props.Tags ?? {});
  }
  const keepers = expectation.keepers ?? services.map((s) => `${s}/keeper`);
  for (const service of services) {
    const expected = [
      ...keepers,
      ...(expectation.retained ?? []),
      ...declared.map((p) => `${p.ServiceName}/${p.ServiceInstanceName}`),
    ].filter((k) => k.startsWith(`${service}/`)).map((k) => k.slice(service.length + 1)).sort();
    expect({ service, instances: scenario.instancesIn(service) }).toEqual({ service, instances: expected });
  }
  expect(iamDenials(scenario)).toEqual([]);
  expect(iamProblems(scenario)).toEqual([]);
  expect(modelRejections(scenario.emulator)).toEqual([]);
}

/** Resource events of an operation that ended in a failed state, as `logicalId:status`. */
export function failures(result: StackOperationResult): string[] {
  return result.events.filter((e) => e.status.endsWith('_FAILED')).map((e) => `${e.logicalId}:${e.status}`);
}
