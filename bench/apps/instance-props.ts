/**
 * The one instance every bench app creates N times, so that every variant puts the same properties into
 * its template and only the machinery around them differs.
 */

/** The spec as a user would write it; ServiceInstanceSpec.fromString passes it through unchanged. */
export const SPEC_YAML = [
  'proton: ServiceSpec',
  'environment: bench-env',
  'spec:',
  '  image: public.ecr.aws/nginx/nginx:1.27',
  '  port: 80',
  '  desired_count: 2',
  '',
].join('\n');

/**
 * The spec of instance i. By default every instance shares SPEC_YAML; with BENCH_DISTINCT_SPECS=1 (set by the synth
 * bench for one extra pair of runs) each gets its own text, so nothing can be learnt once and reused.
 */
export function specFor(i: number): string {
  return process.env[DISTINCT_SPECS_ENV] === '1' ? `${SPEC_YAML}  replica: ${i}\n` : SPEC_YAML;
}

export const DISTINCT_SPECS_ENV = 'BENCH_DISTINCT_SPECS';

export const SERVICE_NAME = 'bench-service';

export function instanceName(i: number): string {
  return `instance-${i}`;
}

/** The properties a hand-rolled custom resource sends (the same keys the construct's handler reads). */
export function handRolledProperties(i: number): Record<string, unknown> {
  return {
    ServiceName: SERVICE_NAME,
    ServiceInstanceName: instanceName(i),
    Spec: specFor(i),
    TemplateMajorVersion: '1',
    Tags: { stage: 'bench' },
  };
}

export const RESOURCE_TYPE = 'Custom::ProtonServiceInstance';
