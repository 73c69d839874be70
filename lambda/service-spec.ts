import { isDeepStrictEqual } from 'util';
import { isMap, isSeq, parse, parseDocument } from 'yaml';

/**
 * Editing a service spec to remove one instance. Proton has no DeleteServiceInstance: an instance goes when the
 * service is updated with a spec whose `instances` list omits it. UpdateService redeploys whatever else the spec
 * changes, so the rest of the document is kept byte for byte: the instance's lines are cut out of the text,
 * and the result is checked by parsing it. Only where that cannot work (a flow-style list) is the document
 * re-rendered by the `yaml` package, which keeps comments and order but may change spacing.
 */

export type RemovalPlan =
  | { readonly kind: 'remove'; readonly spec: string; readonly remaining: number }
  | { readonly kind: 'absent' }
  | { readonly kind: 'last' };

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

function nextLineStart(text: string, offset: number): number {
  const newline = text.indexOf('\n', offset);
  return newline < 0 ? text.length : newline + 1;
}

export function planInstanceRemoval(serviceSpec: string, instanceName: string): RemovalPlan {
  const doc = parseDocument(serviceSpec);
  if (doc.errors.length > 0) {
    throw new Error(`the service spec is not valid YAML: ${doc.errors[0].message}`);
  }
  const instances = doc.get('instances', true);
  if (!isSeq(instances)) return { kind: 'absent' };

  const items = instances.items;
  const index = items.findIndex((item) => isMap(item) && String(item.get('name')) === instanceName);
  if (index < 0) return { kind: 'absent' };
  if (items.length === 1) return { kind: 'last' };

  const expected = parse(serviceSpec);
  expected.instances.splice(index, 1);

  const item = items[index] as { range?: [number, number, number] };
  const next = items[index + 1] as { range?: [number, number, number] } | undefined;
  if (!instances.flow && item.range) {
    const start = lineStart(serviceSpec, item.range[0]);
    const end = next?.range ? lineStart(serviceSpec, next.range[0]) : nextLineStart(serviceSpec, Math.max(item.range[0], item.range[2] - 1));
    const cut = serviceSpec.slice(0, start) + serviceSpec.slice(end);
    if (isDeepStrictEqual(parse(cut), expected)) {
      return { kind: 'remove', spec: cut, remaining: items.length - 1 };
    }
  }

  items.splice(index, 1);
  return { kind: 'remove', spec: doc.toString(), remaining: items.length };
}
