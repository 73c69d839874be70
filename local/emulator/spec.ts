import { isMap, isSeq, parseDocument } from 'yaml';
import { validation } from './errors';

/** One entry of a service spec's `instances` list. */
export interface ServiceSpecInstance {
  readonly name: string;
  readonly environment: string;
  readonly spec?: unknown;
}

function parseObject(text: string, what: string): Record<string, unknown> {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) throw validation(`${what} is not valid YAML: ${doc.errors[0].message}`);
  const value: unknown = doc.toJS();
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw validation(`${what} must be a YAML mapping`);
  }
  return value as Record<string, unknown>;
}

function readInstances(doc: Record<string, unknown>, what: string): ServiceSpecInstance[] {
  const list = doc.instances;
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) throw validation(`${what}: 'instances' must be a list`);
  return list.map((entry, i) => {
    const e = entry as Record<string, unknown> | null;
    if (!e || typeof e.name !== 'string' || e.name === '') throw validation(`${what}: instances[${i}] has no name`);
    if (typeof e.environment !== 'string' || e.environment === '') throw validation(`${what}: instances[${i}] (${e.name}) names no environment`);
    return { name: e.name, environment: e.environment, spec: e.spec };
  });
}

/** The instances a service spec lists (`proton: ServiceSpec`, `instances: [{name, environment, spec}]`). */
export function serviceSpecInstances(spec: string): ServiceSpecInstance[] {
  return readInstances(parseObject(spec, 'service spec'), 'service spec');
}

/**
 * Where CreateServiceInstance finds the environment: a top-level `environment:` key, or the
 * `instances[]` entry whose name matches. The instance inputs come from the same place
 * (the entry's `spec`, else a top-level `spec`).
 */
export function readInstanceSpec(spec: string, instanceName: string): { environment: string; inputs?: unknown } {
  const doc = parseObject(spec, 'service instance spec');
  if (typeof doc.environment === 'string' && doc.environment !== '') {
    return { environment: doc.environment, inputs: doc.spec };
  }
  const entry = readInstances(doc, 'service instance spec').find((i) => i.name === instanceName);
  if (entry) return { environment: entry.environment, inputs: entry.spec };
  throw validation(`service instance spec names no environment for instance ${instanceName}: add a top-level 'environment' key or an 'instances' entry named ${instanceName}`);
}

/** Adds an instance entry to a service spec, leaving the rest of the document (comments, layout) as written. */
export function appendInstance(serviceSpec: string, entry: ServiceSpecInstance): string {
  const doc = parseDocument(serviceSpec);
  let list = doc.get('instances');
  if (!isSeq(list)) {
    doc.set('instances', doc.createNode([]));
    list = doc.get('instances');
  }
  if (!isSeq(list)) throw new Error('could not create the instances list');
  const exists = list.items.some((item) => isMap(item) && item.get('name') === entry.name);
  if (!exists) {
    const node: Record<string, unknown> = { name: entry.name, environment: entry.environment };
    if (entry.spec !== undefined) node.spec = entry.spec;
    list.add(doc.createNode(node));
  }
  return doc.toString();
}
