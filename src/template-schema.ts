import * as fs from 'fs';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { Token } from 'aws-cdk-lib';
import { parse } from 'yaml';

/**
 * The input schema of a Proton service template (its `schema/schema.yaml`), used to check a service instance's
 * inputs at synth time instead of finding out from a failed deployment.
 *
 * Proton schemas are OpenAPI 3 objects: `schema.types` holds the type definitions and `schema.service_input_type`
 * names the one that describes a service instance's inputs. They are checked with Ajv, with each property's
 * `default` applied first (as Proton fills in defaults before it renders the template), so a required input with
 * a default is satisfied.
 */
export class ServiceTemplateSchema {
  /**
   * A schema read from a template's `schema.yaml` at synth time.
   *
   * @param path path to the file, relative to the working directory of the CDK app
   */
  public static fromFile(path: string): ServiceTemplateSchema {
    let text: string;
    try {
      text = fs.readFileSync(path, 'utf-8');
    } catch (e) {
      throw new Error(`ServiceTemplateSchema.fromFile: cannot read ${JSON.stringify(path)}: ${(e as Error).message}`);
    }
    return new ServiceTemplateSchema(text, path);
  }

  /**
   * A schema given as the YAML text of a template's `schema.yaml`.
   *
   * @param yaml the schema document
   */
  public static fromString(yaml: string): ServiceTemplateSchema {
    return new ServiceTemplateSchema(yaml, 'the schema');
  }

  /** The name of the type that describes a service instance's inputs (`service_input_type`). */
  public readonly serviceInputType: string;

  private readonly validator: ValidateFunction;

  private constructor(yaml: string, source: string) {
    let doc: any;
    try {
      doc = parse(yaml);
    } catch (e) {
      throw new Error(`ServiceTemplateSchema: ${source} is not valid YAML: ${(e as Error).message}`);
    }
    const schema = doc?.schema;
    const inputType = schema?.service_input_type ?? schema?.serviceInputType;
    const types = schema?.types;
    if (typeof inputType !== 'string' || typeof types !== 'object' || types === null) {
      throw new Error(`ServiceTemplateSchema: ${source} has no schema.service_input_type naming one of schema.types`);
    }
    if (!(inputType in types)) {
      throw new Error(
        `ServiceTemplateSchema: ${source} names service_input_type ${JSON.stringify(inputType)}, but schema.types has only ` +
          `${Object.keys(types).map((t) => JSON.stringify(t)).join(', ')}`,
      );
    }
    this.serviceInputType = inputType;
    // OpenAPI keywords Ajv does not know (example, nullable, …) are allowed; Proton's `#/types/X` references are
    // pointed at the same definitions under `$defs`.
    const ajv = new (loadAjv())({ allErrors: true, strict: false, useDefaults: true, verbose: true });
    const defs = JSON.parse(JSON.stringify(types).replace(/"#\/types\//g, '"#/$defs/'));
    try {
      this.validator = ajv.compile({ $defs: defs, $ref: `#/$defs/${inputType}` });
    } catch (e) {
      throw new Error(`ServiceTemplateSchema: ${source} is not a valid schema: ${(e as Error).message}`);
    }
  }

  /**
   * Checks a service instance's inputs against the schema.
   *
   * @param inputs the instance's inputs (the `spec` of the instance in its spec document)
   * @returns one line per problem, each with the JSON path of the offending field; empty when the inputs conform
   */
  public check(inputs: any): string[] {
    const copy = inputs === undefined ? {} : JSON.parse(JSON.stringify(inputs));
    if (this.validator(copy)) return [];
    return (this.validator.errors ?? []).filter((e) => !Token.isUnresolved(e.data)).map(describe);
  }
}

/** Ajv is loaded when a schema is first read, so that apps without one do not pay for it at every synth. */
function loadAjv(): typeof import('ajv').default {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('ajv') as typeof import('ajv')).default;
}

function describe(error: ErrorObject): string {
  const path = `spec${error.instancePath.split('/').slice(1).map((p) => (/^\d+$/.test(p) ? `[${p}]` : `.${p}`)).join('')}`;
  switch (error.keyword) {
    case 'required':
      return `${path}.${(error.params as { missingProperty: string }).missingProperty} is required`;
    case 'additionalProperties':
      return `${path}.${(error.params as { additionalProperty: string }).additionalProperty} is not an input of the template`;
    case 'enum':
      return `${path} must be one of ${(error.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}, not ${JSON.stringify(error.data)}`;
    default:
      return `${path} ${error.message}${error.data !== undefined && typeof error.data !== 'object' ? ` (got ${JSON.stringify(error.data)})` : ''}`;
  }
}
