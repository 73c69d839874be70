/** Resource ordering: CloudFormation creates a resource only after everything it names (DependsOn, Ref, GetAtt, Sub). */
import { CfnResource } from './types';

export function dependenciesOf(resource: CfnResource, resourceIds: ReadonlySet<string>): string[] {
  const found = new Set<string>();
  const dependsOn = resource.DependsOn === undefined ? [] : ([] as string[]).concat(resource.DependsOn);
  for (const d of dependsOn) found.add(d);
  collectReferences(resource.Properties, found);
  return [...found].filter((id) => resourceIds.has(id));
}

function collectReferences(value: unknown, into: Set<string>): void {
  if (Array.isArray(value)) {
    value.forEach((v) => collectReferences(v, into));
    return;
  }
  if (value === null || typeof value !== 'object') return;
  for (const [key, arg] of Object.entries(value)) {
    if (key === 'Ref' && typeof arg === 'string') {into.add(arg);} else if (key === 'Fn::GetAtt') {into.add(Array.isArray(arg) ? String(arg[0]) : String(arg).split('.')[0]);} else if (key === 'Fn::Sub') {
      const template = Array.isArray(arg) ? String(arg[0]) : String(arg);
      for (const m of template.matchAll(/\$\{([^!}][^}]*)\}/g)) into.add(m[1].trim().split('.')[0]);
      if (Array.isArray(arg)) collectReferences(arg[1], into);
    } else {collectReferences(arg, into);}
  }
}

/**
 * Dependency order, ties broken by template order so runs are reproducible
 * (CloudFormation would run independent resources in parallel; one at a time is a valid schedule).
 */
export function topologicalOrder(resources: Readonly<Record<string, CfnResource>>): string[] {
  const ids = Object.keys(resources);
  const idSet = new Set(ids);
  const deps = new Map(ids.map((id) => [id, new Set(dependenciesOf(resources[id], idSet))]));
  const order: string[] = [];
  const done = new Set<string>();
  while (order.length < ids.length) {
    const next = ids.find((id) => !done.has(id) && [...deps.get(id)!].every((d) => done.has(d)));
    if (next === undefined) {
      const stuck = ids.filter((id) => !done.has(id));
      throw new Error(`Circular dependency between resources: [${stuck.join(', ')}]`);
    }
    done.add(next);
    order.push(next);
  }
  return order;
}

/**
 * An order in which CloudFormation may delete resources: each one after every resource that depends on it. Where
 * the template leaves the order open (CloudFormation deletes such resources in parallel), what is not a custom
 * resource goes first: a custom resource that needs another resource to be deleted (its permissions, say) without
 * depending on it then fails here, as it may in AWS, instead of passing because it happened to be deleted first.
 * Remaining ties: the later in the template, the earlier deleted.
 */
export function deletionOrder(resources: Readonly<Record<string, CfnResource>>, isCustom: (type: string) => boolean): string[] {
  const ids = Object.keys(resources);
  const idSet = new Set(ids);
  const dependents = new Map(ids.map((id) => [id, new Set<string>()]));
  for (const id of ids) for (const dep of dependenciesOf(resources[id], idSet)) dependents.get(dep)!.add(id);
  const order: string[] = [];
  const deleted = new Set<string>();
  const ready = (id: string) => !deleted.has(id) && [...dependents.get(id)!].every((d) => deleted.has(d));
  while (order.length < ids.length) {
    const candidates = ids.filter(ready);
    if (candidates.length === 0) {
      throw new Error(`Circular dependency between resources: [${ids.filter((id) => !deleted.has(id)).join(', ')}]`);
    }
    const plain = candidates.filter((id) => !isCustom(resources[id].Type));
    const pool = plain.length > 0 ? plain : candidates;
    const chosen = pool[pool.length - 1];
    deleted.add(chosen);
    order.push(chosen);
  }
  return order;
}
