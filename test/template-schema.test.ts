import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Lazy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ServiceInstance, ServiceInstanceSpec, ServiceTemplateSchema } from '../src';

const SCHEMA_FILE = path.join(__dirname, 'fixtures', 'fargate-service-schema.yaml');
const schema = ServiceTemplateSchema.fromFile(SCHEMA_FILE);

const spec = (inputs: Record<string, unknown>) => ({ proton: 'ServiceSpec', environment: 'prod-env', spec: inputs });

describe('ServiceTemplateSchema', () => {
  test('reads the service input type from schema.yaml', () => {
    expect(schema.serviceInputType).toBe('LoadBalancedFargateServiceInput');
  });

  test('conforming inputs pass; defaults satisfy required inputs', () => {
    expect(schema.check({ image: 'nginx:1.27' })).toEqual([]);
    expect(schema.check({ image: 'nginx:1.27', port: 8080, desired_count: 3, task_size: 'large', health_check: { path: '/health' } })).toEqual([]);
  });

  test('every offending field is named by its JSON path', () => {
    expect(
      schema.check({ port: 70000, desired_count: 'three', task_size: 'huge', health_check: { path: 'health', interval_seconds: 1 } }),
    ).toEqual(
      expect.arrayContaining([
        'spec.image is required',
        'spec.port must be <= 65535 (got 70000)',
        'spec.desired_count must be number (got "three")',
        'spec.task_size must be one of "x-small", "small", "medium", "large", "x-large", not "huge"',
        'spec.health_check.path must match pattern "^/" (got "health")',
        'spec.health_check.interval_seconds must be >= 5 (got 1)',
      ]),
    );
  });

  test('a bad schema file is refused with the reason', () => {
    expect(() => ServiceTemplateSchema.fromString('schema:\n  types: {}\n')).toThrow(/has no schema.service_input_type/);
    expect(() => ServiceTemplateSchema.fromString('schema:\n  service_input_type: Nope\n  types:\n    A: {type: object}\n')).toThrow(
      /names service_input_type "Nope", but schema.types has only "A"/,
    );
    expect(() => ServiceTemplateSchema.fromString('schema: [')).toThrow(/not valid YAML/);
    expect(() => ServiceTemplateSchema.fromFile('/nonexistent/schema.yaml')).toThrow(/cannot read "\/nonexistent\/schema.yaml"/);
  });
});

describe('ServiceInstanceSpec with a template schema', () => {
  test('fromObject fails at synth listing every bad input', () => {
    expect(() => ServiceInstanceSpec.fromObject(spec({ port: 0, task_size: 'huge' }), { schema })).toThrow(
      /the inputs do not satisfy the template schema \(service_input_type LoadBalancedFargateServiceInput\):\n {2}- spec.image is required\n(.|\n)*spec.port must be >= 1 \(got 0\)(.|\n)*spec.task_size must be one of/,
    );
  });

  test('fromObject with conforming inputs renders the spec unchanged (defaults are not written in)', () => {
    const stack = new Stack(new App(), 'S');
    new ServiceInstance(stack, 'I', {
      serviceName: 'frontend',
      serviceInstanceName: 'prod',
      spec: ServiceInstanceSpec.fromObject(spec({ image: 'nginx:1.27' }), { schema }),
    });
    Template.fromStack(stack).hasResourceProperties('Custom::ProtonServiceInstance', {
      Spec: 'proton: ServiceSpec\nenvironment: prod-env\nspec:\n  image: nginx:1.27\n',
    });
  });

  test('fromFile and fromString check the YAML document too', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'spec-')), 'spec.yaml');
    fs.writeFileSync(file, 'proton: ServiceSpec\nenvironment: prod-env\nspec:\n  image: nginx\n  desired_count: 11\n');
    expect(() => ServiceInstanceSpec.fromFile(file, { schema })).toThrow(/spec.desired_count must be <= 10 \(got 11\)/);
    expect(() => ServiceInstanceSpec.fromString('environment: e\nspec:\n  image: ""\n', { schema })).toThrow(/spec.image must NOT have fewer than 1 characters/);
    expect(() => ServiceInstanceSpec.fromString('environment: e\nspec:\n  image: nginx\n', { schema })).not.toThrow();
  });

  test('inputs under a single instances entry are found too', () => {
    const doc = { proton: 'ServiceSpec', instances: [{ name: 'prod', environment: 'e', spec: { image: 'nginx', port: 'eighty' } }] };
    expect(() => ServiceInstanceSpec.fromObject(doc, { schema })).toThrow(/spec.port must be number \(got "eighty"\)/);
  });

  test('a spec without inputs cannot be checked and says so', () => {
    expect(() => ServiceInstanceSpec.fromObject({ environment: 'e' }, { schema })).toThrow(/has no top-level `spec:`/);
  });

  test('inputs that are tokens are left to Proton; the others are still checked', () => {
    const token = Lazy.string({ produce: () => 'nginx' });
    expect(() => ServiceInstanceSpec.fromObject(spec({ image: token, port: Lazy.number({ produce: () => 80 }) }), { schema })).not.toThrow();
    expect(() => ServiceInstanceSpec.fromObject(spec({ image: token, desired_count: 0 }), { schema })).toThrow(/spec.desired_count must be >= 1/);
    expect(() => ServiceInstanceSpec.fromString(Lazy.string({ produce: () => 'x' }), { schema })).not.toThrow();
  });
});
