import { randomUUID } from 'crypto';
import { stringify } from 'yaml';
import { conflict, validation } from '../errors';
import { appendInstance, serviceSpecInstances } from '../spec';
import { Handler } from './types';
import { BUSY_INSTANCE_STATUSES, InstanceRecord } from '../state/instance';
import { BUSY_SERVICE_STATUSES, ServiceRecord, serviceView } from '../state/service';
import { ProtonState } from '../state/store';

export interface SeedInstance {
  readonly name: string;
  readonly environment: string;
  /** Instance inputs, written under the entry's `spec` in the service spec. */
  readonly spec?: unknown;
}

export interface SeedService {
  readonly name: string;
  readonly templateName: string;
  /** Default '1'. */
  readonly templateMajorVersion?: string;
  /** Default '0'. */
  readonly templateMinorVersion?: string;
  readonly instances?: SeedInstance[];
}

interface NewService {
  readonly name: string;
  readonly templateName: string;
  readonly templateMajorVersion: string;
  readonly templateMinorVersion?: string;
  readonly spec: string;
}

function newService(state: ProtonState, input: NewService): ServiceRecord {
  const now = state.now();
  return {
    name: input.name,
    arn: state.serviceArn(input.name),
    templateName: input.templateName,
    templateMajorVersion: input.templateMajorVersion,
    templateMinorVersion: input.templateMinorVersion ?? '0',
    createdAt: now,
    lastModifiedAt: now,
    spec: input.spec,
    status: 'ACTIVE',
  };
}

function newInstance(state: ProtonState, service: ServiceRecord, entry: SeedInstance): InstanceRecord {
  const now = state.now();
  return {
    name: entry.name,
    serviceName: service.name,
    templateName: service.templateName,
    arn: state.instanceArn(service.name, entry.name),
    environmentName: entry.environment,
    createdAt: now,
    // The instance's own spec, in the shape CreateServiceInstance accepts.
    config: {
      spec: stringify({ environment: entry.environment, ...(entry.spec !== undefined ? { spec: entry.spec } : {}) }),
      templateMajorVersion: service.templateMajorVersion,
      templateMinorVersion: service.templateMinorVersion,
    },
    status: 'IN_PROGRESS',
    lastDeploymentAttemptedAt: now,
    lastDeploymentSucceededAt: now,
  };
}

/** An ACTIVE service whose instances are already SUCCEEDED: test set-up without waiting. */
export function seedService(state: ProtonState, seed: SeedService): ServiceRecord {
  if (state.findService(seed.name)) throw new Error(`service ${seed.name} already exists`);
  const instances = seed.instances ?? [];
  const spec = stringify({ proton: 'ServiceSpec', instances: instances.map((i) => ({ name: i.name, environment: i.environment, ...(i.spec !== undefined ? { spec: i.spec } : {}) })) });
  const service = newService(state, { ...seed, templateMajorVersion: seed.templateMajorVersion ?? '1', spec });
  state.services.set(service.name, service);
  state.tags.set(service.arn, []);
  for (const entry of instances) {
    const instance = newInstance(state, service, entry);
    instance.status = 'SUCCEEDED';
    const id = randomUUID();
    instance.lastAttemptedDeploymentId = id;
    instance.lastSucceededDeploymentId = id;
    state.addInstance(instance);
    state.tags.set(instance.arn, []);
  }
  return service;
}

export const createService: Handler = (state, input) => {
  if (state.findService(input.name)) throw conflict(`Service ${input.name} already exists`);
  const entries = serviceSpecInstances(input.spec);
  const service = newService(state, input as NewService);
  service.description = input.description;
  state.services.set(service.name, service);
  state.tags.set(service.arn, input.tags ?? []);
  let endsAt = state.now();
  let failed = false;
  for (const entry of entries) {
    const instance = newInstance(state, service, entry);
    state.addInstance(instance);
    state.tags.set(instance.arn, []);
    state.startDeployment(instance, { ...instance.config });
    const deployment = instance.deployment;
    if (deployment) {
      endsAt = Math.max(endsAt, deployment.endsAt);
      failed ||= deployment.outcome === 'FAILED';
    }
  }
  if (entries.length > 0) {
    service.status = 'CREATE_IN_PROGRESS';
    service.pending = {
      status: 'CREATE_IN_PROGRESS',
      endsAt,
      finish: (s) => {
        s.status = failed ? 'CREATE_FAILED' : 'ACTIVE';
        s.statusMessage = failed ? 'One or more service instances failed to deploy' : undefined;
      },
    };
    state.settleAll();
  }
  return { service: serviceView(service) };
};

export const getService: Handler = (state, input) => ({ service: serviceView(state.getService(input.name)) });

function assertNotBusy(service: ServiceRecord, action: string): void {
  if (BUSY_SERVICE_STATUSES.has(service.status)) {
    throw conflict(`Service ${service.name} is ${service.status}; it cannot be ${action} until that finishes`);
  }
}

export const updateService: Handler = (state, input) => {
  const service = state.getService(input.name);
  assertNotBusy(service, 'updated');
  if (input.spec === undefined) {
    if (input.description !== undefined) service.description = input.description;
    service.lastModifiedAt = state.now();
    return { service: serviceView(service) };
  }
  const entries = serviceSpecInstances(input.spec);
  if (entries.length === 0) {
    throw validation(`Service ${service.name} must keep at least one service instance: the spec lists none. Delete the last instance with DeleteService`);
  }
  const current = state.instancesOf(service.name);
  const wanted = new Set(entries.map((e) => e.name));
  const added = entries.filter((e) => !current.some((i) => i.name === e.name));
  if (added.length > 0) {
    throw validation(`The emulator does not add service instances through UpdateService (${added.map((e) => e.name).join(', ')}): use CreateServiceInstance`);
  }
  const removed = current.filter((i) => !wanted.has(i.name));
  const busy = removed.find((i) => BUSY_INSTANCE_STATUSES.has(i.status));
  if (busy) throw conflict(`Service instance ${busy.name} is ${busy.status}; it cannot be removed until that finishes`);

  if (input.description !== undefined) service.description = input.description;
  service.spec = input.spec;
  service.lastModifiedAt = state.now();
  service.statusMessage = undefined;
  if (removed.length === 0) {
    service.status = 'ACTIVE';
    return { service: serviceView(service) };
  }
  const endsAt = Math.max(...removed.map((i) => state.startRemoval(i)));
  const failing = removed.filter((i) => i.removal?.outcome === 'DELETE_FAILED');
  service.status = 'UPDATE_IN_PROGRESS';
  service.pending = {
    status: 'UPDATE_IN_PROGRESS',
    endsAt,
    finish: (s) => {
      if (failing.length === 0) {
        s.status = 'ACTIVE';
        return;
      }
      s.status = 'UPDATE_FAILED';
      s.statusMessage = `Failed to delete service instance(s) ${failing.map((i) => i.name).join(', ')}`;
      // The instances that survived are listed again, so the spec keeps describing what exists.
      for (const i of failing) s.spec = appendInstance(s.spec, { name: i.name, environment: i.environmentName });
    },
  };
  state.settleAll();
  return { service: serviceView(service) };
};

export const deleteService: Handler = (state, input) => {
  const service = state.getService(input.name);
  assertNotBusy(service, 'deleted');
  const instances = state.instancesOf(service.name);
  const busy = instances.find((i) => BUSY_INSTANCE_STATUSES.has(i.status));
  if (busy) throw conflict(`Service instance ${busy.name} is ${busy.status}; service ${service.name} cannot be deleted until that finishes`);
  const endsAt = Math.max(state.now() + state.options.removalMs, ...instances.map((i) => state.startRemoval(i)));
  const failing = instances.filter((i) => i.removal?.outcome === 'DELETE_FAILED');
  service.status = 'DELETE_IN_PROGRESS';
  service.lastModifiedAt = state.now();
  service.pending = {
    status: 'DELETE_IN_PROGRESS',
    endsAt,
    finish: (s) => {
      if (failing.length === 0) {
        s.deleted = true;
      } else {
        s.status = 'DELETE_FAILED';
        s.statusMessage = `Failed to delete service instance(s) ${failing.map((i) => i.name).join(', ')}`;
      }
    },
  };
  const view = serviceView(service);
  state.settleAll();
  return { service: view };
};
