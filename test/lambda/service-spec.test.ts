import { parse } from 'yaml';
import { SERVICE_SPEC } from './events';
import { planInstanceRemoval } from '../../lambda/service-spec';

describe('planInstanceRemoval', () => {
  test('cuts the first instance out, leaving every other byte as written', () => {
    const plan = planInstanceRemoval(SERVICE_SPEC, 'prod');
    expect(plan.kind).toBe('remove');
    if (plan.kind !== 'remove') return;
    const prodLines = ['  - name: prod', '    environment: prod-env', '    spec:', '      port: 80', ''].join('\n');
    expect(plan.spec).toBe(SERVICE_SPEC.replace(prodLines, ''));
    expect(plan.remaining).toBe(1);
  });

  test('cuts the last instance out, up to the end of the document', () => {
    const spec = `${SERVICE_SPEC}`.replace(/\n$/, '\n') + 'extra: kept\n';
    const three = spec.replace('extra: kept\n', '').concat('  - name: canary\n    environment: canary-env\nextra: kept\n');
    const plan = planInstanceRemoval(three, 'canary');
    expect(plan.kind === 'remove' && plan.spec).toBe(spec);
  });

  test('a middle instance with comments around it', () => {
    const spec = 'instances:\n  - name: a\n    environment: e\n  # about b\n  - name: b   # b here\n    environment: e\n  - name: c\n    environment: e\n';
    const plan = planInstanceRemoval(spec, 'b');
    expect(plan.kind === 'remove' && parse(plan.spec).instances.map((i: any) => i.name)).toEqual(['a', 'c']);
  });

  test('a flow-style list is re-rendered rather than cut', () => {
    const plan = planInstanceRemoval('proton: ServiceSpec\ninstances: [{name: a, environment: e}, {name: b, environment: e}]\n', 'a');
    expect(plan.kind === 'remove' && parse(plan.spec)).toEqual({ proton: 'ServiceSpec', instances: [{ name: 'b', environment: 'e' }] });
  });

  test('the only instance cannot be removed', () => {
    expect(planInstanceRemoval('instances:\n  - name: a\n    environment: e\n', 'a')).toEqual({ kind: 'last' });
  });

  test('an instance the spec does not list, or a spec without instances', () => {
    expect(planInstanceRemoval(SERVICE_SPEC, 'nope')).toEqual({ kind: 'absent' });
    expect(planInstanceRemoval('proton: ServiceSpec\n', 'a')).toEqual({ kind: 'absent' });
  });

  test('a spec that is not YAML is an error', () => {
    expect(() => planInstanceRemoval('instances: [', 'a')).toThrow(/not valid YAML/);
  });
});
