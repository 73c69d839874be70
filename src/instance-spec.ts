import * as fs from 'fs';
import { Stack, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { parse, stringify } from 'yaml';
import { ServiceTemplateSchema } from './template-schema';

/**
 * Options of a ServiceInstanceSpec.
 */
export interface ServiceInstanceSpecOptions {
  /**
   * The service template's input schema. When given, the instance's inputs (the `spec` of the spec document) are
   * checked against its `service_input_type` at synth time, and synth fails naming every offending field.
   *
   * @default - the inputs are not checked; Proton checks them when it deploys
   */
  readonly schema?: ServiceTemplateSchema;
}

/** The instance's inputs within a spec document: its top-level `spec`, or the `spec` of its only `instances` entry. */
function inputsOf(doc: any): unknown {
  if (doc && typeof doc === 'object') {
    if ('spec' in doc) return doc.spec;
    if (Array.isArray(doc.instances) && doc.instances.length === 1) return doc.instances[0]?.spec;
  }
  throw new Error(
    'ServiceInstanceSpec: cannot check the inputs against the template schema: the spec has no top-level `spec:` ' +
      '(nor a single `instances` entry with one) holding the inputs',
  );
}

function checkAgainst(schema: ServiceTemplateSchema | undefined, doc: unknown): void {
  if (!schema) return;
  const problems = schema.check(inputsOf(doc));
  if (problems.length > 0) {
    throw new Error(
      `ServiceInstanceSpec: the inputs do not satisfy the template schema (service_input_type ${schema.serviceInputType}):\n` +
        problems.map((p) => `  - ${p}`).join('\n'),
    );
  }
}

/**
 * The spec of a service instance, as Proton's `CreateServiceInstance` receives it: a YAML document that
 * supplies the inputs the service template asks for and names the environment to deploy into.
 *
 * Proton does not document the exact shape of this document for a single instance, so it is passed through
 * as written; the library only checks that it is YAML of an acceptable length.
 */
export abstract class ServiceInstanceSpec {
  /**
   * A spec given as YAML text.
   *
   * @param yaml the spec document, 1 to 51,200 characters
   * @param options a template schema to check the inputs against
   */
  public static fromString(yaml: string, options: ServiceInstanceSpecOptions = {}): ServiceInstanceSpec {
    // A spec that is still a token is only known at deploy time; Proton checks it then.
    if (options.schema && !Token.isUnresolved(yaml)) {
      checkAgainst(options.schema, parseSpec(yaml));
    }
    return new LiteralSpec(yaml);
  }

  /**
   * A spec read from a YAML file at synth time.
   *
   * @param path path to the file, relative to the working directory of the CDK app
   * @param options a template schema to check the inputs against
   */
  public static fromFile(path: string, options: ServiceInstanceSpecOptions = {}): ServiceInstanceSpec {
    let text: string;
    try {
      text = fs.readFileSync(path, 'utf-8');
    } catch (e) {
      throw new Error(`ServiceInstanceSpec.fromFile: cannot read ${JSON.stringify(path)}: ${(e as Error).message}`);
    }
    return ServiceInstanceSpec.fromString(text, options);
  }

  /**
   * A spec built from an object, rendered as YAML.
   *
   * Values may be tokens (for example an attribute of another resource): the object is then rendered as JSON,
   * which is also YAML, so that CloudFormation can fill the values in at deploy time.
   *
   * @param spec the spec document as an object
   * @param options a template schema to check the inputs against (inputs that are tokens are left to Proton)
   */
  public static fromObject(spec: { [key: string]: any }, options: ServiceInstanceSpecOptions = {}): ServiceInstanceSpec {
    checkAgainst(options.schema, spec);
    return new ObjectSpec(spec);
  }

  /**
   * Renders the spec for a custom resource in the given scope.
   *
   * @param scope the construct that uses the spec
   * @returns the YAML text, possibly with tokens that resolve at deploy time
   */
  public abstract render(scope: IConstruct): string;
}

function parseSpec(yaml: string): unknown {
  try {
    return parse(yaml);
  } catch (e) {
    throw new Error(`ServiceInstanceSpec: the spec is not valid YAML: ${(e as Error).message}`);
  }
}

class LiteralSpec extends ServiceInstanceSpec {
  constructor(private readonly yaml: string) {
    super();
  }

  public render(_scope: IConstruct): string {
    return this.yaml;
  }
}

class ObjectSpec extends ServiceInstanceSpec {
  constructor(private readonly spec: { [key: string]: any }) {
    super();
  }

  public render(scope: IConstruct): string {
    const stack = Stack.of(scope);
    // A token anywhere inside means the text cannot be produced until deploy time; JSON is YAML, and
    // toJsonString renders it with CloudFormation functions in place of the tokens.
    if (Token.isUnresolved(this.spec) || JSON.stringify(stack.resolve(this.spec)) !== JSON.stringify(this.spec)) {
      return stack.toJsonString(this.spec);
    }
    return stringify(this.spec);
  }
}
