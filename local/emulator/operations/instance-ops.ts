import { randomUUID } from 'crypto';
import { parse } from 'yaml';
import { conflict, notFound, validation } from '../errors';
import { appendInstance, readInstanceSpec } from '../spec';
import { Handler, Input, page } from './types';
import { BUSY_INSTANCE_STATUSES, InstanceConfig, InstanceRecord, instanceSummary, instanceView } from '../state/instance';
import { BUSY_SERVICE_STATUSES } from '../state/service';
import { ProtonState } from '../state/store';

function view(state: ProtonState, instance: InstanceRecord): Record<string, unknown> {
  // A tombstone may outlive its service (DELETE_COMPLETE read mode); it keeps the template it had.
  const templateName = state.services.get(instance.serviceName)?.templateName ?? instance.templateName;
  const serviceInstance = instanceView(instance, templateName);
  if (!state.options.answersClientTokens) delete serviceInstance.lastClientRequestToken;
  if (state.options.specAnswer === 'RENDERED' && typeof serviceInstance.spec === 'string') {
    serviceInstance.spec = JSON.stringify(parse(serviceInstance.spec));
  }
  return { serviceInstance };
}

/** The live instance; a DELETE_COMPLETE tombstone counts as gone for anything but reads. */
function liveInstance(state: ProtonState, serviceName: string, name: string): InstanceRecord {
  state.getService(serviceName);
  const instance = state.getInstance(serviceName, name);
  if (instance.status === 'DELETE_COMPLETE') throw notFound(`Service instance ${name} of service ${serviceName} not found`);
  return instance;
}

export const createServiceInstance: Handler = (state, input) => {
  const token: string = input.clientToken ?? randomUUID();
  const service = state.getService(input.serviceName);
  const remembered = state.checkToken('CreateServiceInstance', token, input);
  if (remembered) return view(state, state.getInstance(input.serviceName, remembered));

  if (BUSY_SERVICE_STATUSES.has(service.status)) {
    throw conflict(`Service ${service.name} is ${service.status}; service instances cannot be created until it finishes`);
  }
  const existing = state.findInstance(input.serviceName, input.name);
  if (existing && existing.status !== 'DELETE_COMPLETE') {
    throw conflict(`Service instance ${input.name} already exists in service ${input.serviceName}`);
  }
  const { environment, inputs } = readInstanceSpec(input.spec, input.name);
  const now = state.now();
  const config: InstanceConfig = {
    spec: input.spec,
    templateMajorVersion: input.templateMajorVersion ?? service.templateMajorVersion,
    templateMinorVersion: input.templateMinorVersion ?? service.templateMinorVersion,
  };
  const instance: InstanceRecord = {
    name: input.name,
    serviceName: service.name,
    templateName: service.templateName,
    arn: state.instanceArn(service.name, input.name),
    environmentName: environment,
    createdAt: now,
    config,
    status: 'IN_PROGRESS',
    lastDeploymentAttemptedAt: now,
    lastDeploymentSucceededAt: now,
  };
  state.addInstance(instance);
  state.startDeployment(instance, { ...config }, token);
  service.spec = appendInstance(service.spec, { name: instance.name, environment, spec: inputs });
  service.lastModifiedAt = now;
  state.tags.set(instance.arn, (input.tags ?? []).map((t: { key: string; value: string }) => ({ key: t.key, value: t.value })));
  state.rememberToken('CreateServiceInstance', token, input, instance.name);
  return view(state, instance);
};

export const getServiceInstance: Handler = (state, input) => {
  const instance = state.findInstance(input.serviceName, input.name);
  if (!instance) {
    if (!state.findService(input.serviceName)) throw notFound(`Service ${input.serviceName} not found`);
    throw notFound(`Service instance ${input.name} of service ${input.serviceName} not found`);
  }
  return view(state, instance);
};

/** The template version a deployment type asks for, per the UpdateServiceInstance documentation. */
function targetVersions(input: Input, current: InstanceConfig): Pick<InstanceConfig, 'templateMajorVersion' | 'templateMinorVersion'> {
  const major: string | undefined = input.templateMajorVersion;
  const minor: string | undefined = input.templateMinorVersion;
  switch (input.deploymentType) {
    case 'NONE':
    case 'CURRENT_VERSION':
      if (major !== undefined || minor !== undefined) {
        throw validation(`deploymentType ${input.deploymentType} deploys the current template version: do not pass templateMajorVersion or templateMinorVersion`);
      }
      return current;
    case 'MINOR_VERSION':
      if (major !== undefined && major !== current.templateMajorVersion) {
        throw validation(`deploymentType MINOR_VERSION keeps major version ${current.templateMajorVersion}; use MAJOR_VERSION to move to ${major}`);
      }
      // The emulator has no template registry: "latest" minor is the current one plus one.
      return { templateMajorVersion: current.templateMajorVersion, templateMinorVersion: minor ?? String(Number(current.templateMinorVersion) + 1) };
    default: {
      const target = major ?? String(Number(current.templateMajorVersion) + 1);
      if (Number(target) <= Number(current.templateMajorVersion)) {
        throw validation(`deploymentType MAJOR_VERSION needs a major version higher than ${current.templateMajorVersion}, got ${target}`);
      }
      return { templateMajorVersion: target, templateMinorVersion: minor ?? '0' };
    }
  }
}

export const updateServiceInstance: Handler = (state, input) => {
  const token: string = input.clientToken ?? randomUUID();
  const instance = liveInstance(state, input.serviceName, input.name);
  if (state.checkToken('UpdateServiceInstance', token, input)) return view(state, instance);

  if (BUSY_INSTANCE_STATUSES.has(instance.status)) {
    throw conflict(`Service instance ${instance.name} of service ${instance.serviceName} is ${instance.status}; wait for it to finish before updating it`);
  }
  if (state.getService(input.serviceName).status === 'DELETE_IN_PROGRESS') {
    throw conflict(`Service ${input.serviceName} is DELETE_IN_PROGRESS`);
  }
  const previous = { ...instance.config };
  const next: InstanceConfig = { ...targetVersions(input, previous), spec: input.spec ?? previous.spec };
  if (input.spec !== undefined) {
    // The environment cannot move, but the new spec must still name one, as on create.
    readInstanceSpec(input.spec, instance.name);
  }
  instance.config = next;
  instance.lastClientRequestToken = token;
  if (input.deploymentType !== 'NONE') state.startDeployment(instance, previous, token);
  state.rememberToken('UpdateServiceInstance', token, input, instance.name);
  return view(state, instance);
};

export const cancelServiceInstanceDeployment: Handler = (state, input) => {
  const instance = liveInstance(state, input.serviceName, input.serviceInstanceName);
  if (instance.status === 'IN_PROGRESS' && instance.deployment) {
    instance.deployment.cancel = { endsAt: state.now() + state.options.cancelMs };
    state.settleAll();
  } else if (state.options.cancelWhenIdle === 'CONFLICT') {
    throw conflict(`Service instance ${instance.name} of service ${instance.serviceName} has no deployment in progress to cancel (status ${instance.status})`);
  }
  return view(state, instance);
};

const FILTERABLE = new Set(['name', 'deploymentStatus', 'templateName', 'serviceName', 'environmentName']);

export const listServiceInstances: Handler = (state, input) => {
  state.settleAll();
  if (input.serviceName !== undefined) state.getService(input.serviceName);
  const instances = [...state.instances.values()].filter((i) => input.serviceName === undefined || i.serviceName === input.serviceName);
  let rows = instances.map((i) => instanceSummary(i, state.services.get(i.serviceName)?.templateName ?? i.templateName));
  for (const filter of (input.filters ?? []) as { key?: string; value?: string }[]) {
    // Only equality filters are emulated; the date-range ones are accepted and ignored.
    if (filter.key && FILTERABLE.has(filter.key)) rows = rows.filter((r) => r[filter.key!] === filter.value);
  }
  if (input.sortBy) {
    const key: string = input.sortBy;
    const sign = input.sortOrder === 'DESCENDING' ? -1 : 1;
    rows.sort((a, b) => sign * String(a[key]).localeCompare(String(b[key]), undefined, { numeric: true }));
  }
  const result = page(rows, input.nextToken, input.maxResults ?? 100);
  return { serviceInstances: result.items, ...(result.nextToken ? { nextToken: result.nextToken } : {}) };
};

export const listServiceInstanceOutputs: Handler = (state, input) => {
  const instance = liveInstance(state, input.serviceName, input.serviceInstanceName);
  if (input.deploymentId !== undefined && input.deploymentId !== instance.lastAttemptedDeploymentId
    && input.deploymentId !== instance.lastSucceededDeploymentId) {
    throw notFound(`Deployment ${input.deploymentId} of service instance ${instance.name} not found`);
  }
  const result = page(state.outputsOf(instance.serviceName, instance.name), input.nextToken || undefined, state.options.outputsPageSize);
  return { outputs: result.items, ...(result.nextToken ? { nextToken: result.nextToken } : {}) };
};
