import { INSTANCE_TIMEOUT_SECONDS, Prop, RemovalBehaviour } from '../src/private/contract';

/** The resource properties of a Custom::ProtonServiceInstance, typed. */
export interface InstanceProperties {
  readonly serviceName: string;
  readonly serviceInstanceName: string;
  readonly spec: string;
  readonly templateMajorVersion?: string;
  readonly templateMinorVersion?: string;
  readonly tags: Record<string, string>;
  readonly clientToken?: string;
  readonly retain: boolean;
  readonly timeoutSeconds: number;
  /** Instance outputs to return as attributes. */
  readonly outputKeys: string[];
  /** CloudFormation masks the attributes. */
  readonly noEcho: boolean;
}


function optional(value: unknown): string | undefined {
  return value === undefined || value === null || value === '' ? undefined : String(value);
}

/** CloudFormation delivers every scalar as a string: read them back into their types. */
export function parseProperties(raw: Record<string, unknown> | undefined): InstanceProperties {
  const props = raw ?? {};
  const required = (key: string): string => {
    const value = optional(props[key]);
    if (value === undefined) {
      throw new Error(`Custom::ProtonServiceInstance: the resource property ${key} is missing`);
    }
    return value;
  };
  const timeout = Number(props[Prop.TIMEOUT_SECONDS]);
  const tags = (props[Prop.TAGS] ?? {}) as Record<string, unknown>;
  return {
    serviceName: required(Prop.SERVICE_NAME),
    serviceInstanceName: required(Prop.SERVICE_INSTANCE_NAME),
    spec: required(Prop.SPEC),
    templateMajorVersion: optional(props[Prop.TEMPLATE_MAJOR_VERSION]),
    templateMinorVersion: optional(props[Prop.TEMPLATE_MINOR_VERSION]),
    tags: Object.fromEntries(Object.entries(tags).map(([k, v]) => [k, String(v ?? '')])),
    clientToken: optional(props[Prop.CLIENT_TOKEN]),
    retain: props[Prop.REMOVAL_POLICY] !== RemovalBehaviour.DESTROY,
    timeoutSeconds: Number.isFinite(timeout) && timeout > 0 ? timeout : INSTANCE_TIMEOUT_SECONDS.default,
    outputKeys: Array.isArray(props[Prop.OUTPUT_KEYS]) ? (props[Prop.OUTPUT_KEYS] as unknown[]).map(String) : [],
    noEcho: props[Prop.NO_ECHO] === 'true' || props[Prop.NO_ECHO] === true,
  };
}

