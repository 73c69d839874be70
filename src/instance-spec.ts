import * as fs from 'fs';
import { Stack, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { stringify } from 'yaml';

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
   */
  public static fromString(yaml: string): ServiceInstanceSpec {
    return new LiteralSpec(yaml);
  }

  /**
   * A spec read from a YAML file at synth time.
   *
   * @param path path to the file, relative to the working directory of the CDK app
   */
  public static fromFile(path: string): ServiceInstanceSpec {
    let text: string;
    try {
      text = fs.readFileSync(path, 'utf-8');
    } catch (e) {
      throw new Error(`ServiceInstanceSpec.fromFile: cannot read ${JSON.stringify(path)}: ${(e as Error).message}`);
    }
    return new LiteralSpec(text);
  }

  /**
   * A spec built from an object, rendered as YAML.
   *
   * Values may be tokens (for example an attribute of another resource): the object is then rendered as JSON,
   * which is also YAML, so that CloudFormation can fill the values in at deploy time.
   *
   * @param spec the spec document as an object
   */
  public static fromObject(spec: { [key: string]: any }): ServiceInstanceSpec {
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
