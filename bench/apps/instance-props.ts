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

export const SERVICE_NAME = 'bench-service';

export function instanceName(i: number): string {
  return `instance-${i}`;
}

/** The properties a hand-rolled custom resource sends (the same keys the construct's handler reads). */
export function handRolledProperties(i: number): Record<string, unknown> {
  return {
    ServiceName: SERVICE_NAME,
    ServiceInstanceName: instanceName(i),
    Spec: SPEC_YAML,
    TemplateMajorVersion: '1',
    Tags: { stage: 'bench' },
  };
}

export const RESOURCE_TYPE = 'Custom::ProtonServiceInstance';
