import {
  CancelServiceInstanceDeploymentCommand,
  CreateServiceInstanceCommand,
  CreateServiceInstanceCommandInput,
  GetServiceCommand,
  GetServiceInstanceCommand,
  ListServiceInstanceOutputsCommand,
  ProtonClient,
  Service,
  ServiceInstance,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateServiceCommand,
  UpdateServiceInstanceCommand,
  UpdateServiceInstanceCommandInput,
} from '@aws-sdk/client-proton';
import { cannotReach, isConnectionFailure } from './errors';
import { watchReach } from './reach';
import { sdkClientConfig } from './sdk-config';

/**
 * The only module that talks to Proton. The lifecycle code calls these functions; tests replace the SDK client
 * underneath with aws-sdk-client-mock, and the wire tests point it at the local emulator.
 */

export type { Service, ServiceInstance };
export type CreateInstanceInput = CreateServiceInstanceCommandInput;
export type UpdateInstanceInput = UpdateServiceInstanceCommandInput;

let client: ProtonClient | undefined;

export function protonClient(): ProtonClient {
  client ??= watchReach(new ProtonClient(sdkClientConfig()), 'Proton', isConnectionFailure, cannotReach);
  return client;
}

function isNotFound(e: unknown): boolean {
  return (e as Error)?.name === 'ResourceNotFoundException';
}

export async function createServiceInstance(input: CreateInstanceInput): Promise<ServiceInstance> {
  const out = await protonClient().send(new CreateServiceInstanceCommand(input));
  return out.serviceInstance!;
}

/** The instance, or undefined when Proton does not know it (or its service). */
export async function getServiceInstance(serviceName: string, name: string): Promise<ServiceInstance | undefined> {
  try {
    const out = await protonClient().send(new GetServiceInstanceCommand({ serviceName, name }));
    return out.serviceInstance;
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}

export async function updateServiceInstance(input: UpdateInstanceInput): Promise<ServiceInstance> {
  const out = await protonClient().send(new UpdateServiceInstanceCommand(input));
  return out.serviceInstance!;
}

export async function cancelServiceInstanceDeployment(serviceName: string, serviceInstanceName: string): Promise<void> {
  await protonClient().send(new CancelServiceInstanceDeploymentCommand({ serviceName, serviceInstanceName }));
}

/** The service, or undefined when Proton does not know it. */
export async function getService(name: string): Promise<Service | undefined> {
  try {
    const out = await protonClient().send(new GetServiceCommand({ name }));
    return out.service;
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}

export async function updateServiceSpec(name: string, spec: string): Promise<void> {
  await protonClient().send(new UpdateServiceCommand({ name, spec }));
}

export async function tagResource(resourceArn: string, tags: Record<string, string>): Promise<void> {
  const list = Object.entries(tags).map(([key, value]) => ({ key, value }));
  if (list.length === 0) return;
  await protonClient().send(new TagResourceCommand({ resourceArn, tags: list }));
}

export async function untagResource(resourceArn: string, tagKeys: string[]): Promise<void> {
  if (tagKeys.length === 0) return;
  await protonClient().send(new UntagResourceCommand({ resourceArn, tagKeys }));
}

/** Every output of the instance's current deployment, following pages if Proton sends any. */
export async function listServiceInstanceOutputs(serviceName: string, serviceInstanceName: string): Promise<Record<string, string>> {
  const outputs: Record<string, string> = {};
  let nextToken: string | undefined;
  do {
    const page = await protonClient().send(new ListServiceInstanceOutputsCommand({ serviceName, serviceInstanceName, nextToken }));
    for (const output of page.outputs ?? []) {
      if (output.key !== undefined) outputs[output.key] = output.valueString ?? '';
    }
    nextToken = page.nextToken || undefined;
  } while (nextToken);
  return outputs;
}
