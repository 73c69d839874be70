import {
  ArnFormat,
  CfnResource,
  CustomResource,
  Duration,
  IResource,
  ITaggable,
  Lazy,
  RemovalPolicy,
  Resource,
  Stack,
  TagManager,
  TagType,
  Token,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { ServiceInstanceSpec } from './instance-spec';
import { AttributeName, OUTPUT_ATTRIBUTE_PREFIX, parseServiceInstanceArn, Prop, RemovalBehaviour, RESOURCE_TYPE } from './private/contract';
import { DEFAULT_INSTANCE_TIMEOUT, SERVICE_TIMEOUT_MARGIN } from './private/runtime';
import { ServiceInstanceProvider } from './provider';
import {
  show,
  validateClientToken,
  validateOutputKey,
  validateMinorNeedsMajor,
  validateResourceName,
  validateSpec,
  validateTagCount,
  validateTags,
  validateTemplateVersion,
  validateTimeout,
} from './validation';

/**
 * An AWS Proton service instance.
 */
export interface IServiceInstance extends IResource {
  /**
   * The ARN of the service instance.
   *
   * @attribute
   */
  readonly serviceInstanceArn: string;

  /**
   * The name of the service instance.
   *
   * @attribute
   */
  readonly serviceInstanceName: string;

  /**
   * The name of the service the instance belongs to.
   *
   * @attribute
   */
  readonly serviceName: string;
}

/**
 * Properties of a ServiceInstance.
 */
export interface ServiceInstanceProps {
  /**
   * The name of the Proton service to add the instance to. The service must already exist.
   *
   * Changing it replaces the instance: a new one is created in the new service, then the old one is removed
   * according to `removalPolicy`.
   */
  readonly serviceName: string;

  /**
   * The name of the service instance (Proton's `name`): 1 to 100 letters, digits, `_` or `-`.
   *
   * Changing it replaces the instance.
   */
  readonly serviceInstanceName: string;

  /**
   * The spec of the instance: the inputs of the service template and the environment to deploy into.
   *
   * A change redeploys the instance with the new spec (`deploymentType: CURRENT_VERSION`).
   */
  readonly spec: ServiceInstanceSpec;

  /**
   * The major version of the service template to deploy.
   *
   * Raising it on an existing instance deploys that major version (`deploymentType: MAJOR_VERSION`).
   *
   * @default - the template's recommended major version
   */
  readonly templateMajorVersion?: string;

  /**
   * The minor version of the service template to deploy. Requires `templateMajorVersion`.
   *
   * Changing it on an existing instance deploys that minor version (`deploymentType: MINOR_VERSION`).
   *
   * @default - the recommended minor version of the major version
   */
  readonly templateMinorVersion?: string;

  /**
   * Tags of the service instance. Tags added with `Tags.of(...)` are merged in and, as on every CDK resource,
   * win on the same key. Changing tags changes them on the instance without a deployment.
   *
   * @default - no tags
   */
  readonly tags?: { [key: string]: string };

  /**
   * A seed for the idempotency tokens the handler sends to Proton (`CreateServiceInstance`,
   * `UpdateServiceInstance`).
   *
   * Each request's token is derived from this seed and from the CloudFormation request, so a retried request
   * carries the same token, and two different requests (a replacement, an update) never reuse one with other
   * parameters (which Proton would refuse as IdempotentParameterMismatch within its 8-hour window).
   *
   * @default - tokens derived from the CloudFormation request alone
   */
  readonly clientToken?: string;

  /**
   * Whether CloudFormation masks the instance's attributes (CloudFormation's `NoEcho` for a custom resource).
   *
   * Set it when the outputs you read with `getOutput` are secret: the attributes are then shown as `*****`
   * wherever CloudFormation shows them (stack events, the console, DescribeStackResource) and the Provider
   * framework redacts them in its logs. `Fn::GetAtt` still resolves to the real values, so a value you put in a
   * stack output or another resource's property is visible there.
   *
   * @default false
   */
  readonly noEcho?: boolean;

  /**
   * What happens to the Proton instance when the resource leaves the stack or is replaced.
   *
   * `RETAIN` keeps it in Proton on every removal, replacement and stack deletion — except when the stack
   * operation that created it is rolled back (the stack's creation, or the update that added it): then it is
   * removed, so a failed first deploy leaves nothing that would block the next one. This is CloudFormation's
   * `RetainExceptOnCreate`; the handler tells a rollback apart by asking CloudFormation for its own stack's status.
   * An instance whose first deployment never succeeded is removed as well. `DESTROY` removes it from its service
   * through `UpdateService`; Proton cannot remove the last instance of a service that way.
   *
   * @default RemovalPolicy.RETAIN - a service instance carries deployed infrastructure, and AWS Proton no
   * longer accepts new customers, so an instance removed by accident may not be recoverable
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * How long to wait for a deployment (create, update or removal) before failing. When it runs out, the running
   * deployment is cancelled (`CancelServiceInstanceDeployment`) and the stack operation fails saying so.
   * Between 1 and 55 minutes: CloudFormation gives a custom resource at most an hour.
   *
   * @default Duration.minutes(50)
   */
  readonly timeout?: Duration;
}

/**
 * Attributes to import an existing service instance.
 */
export interface ServiceInstanceAttributes {
  /**
   * The name of the service the instance belongs to.
   */
  readonly serviceName: string;

  /**
   * The name of the service instance.
   */
  readonly serviceInstanceName: string;

  /**
   * The ARN of the service instance.
   *
   * @default - built from the names, in the stack's partition, region and account
   */
  readonly serviceInstanceArn?: string;
}

abstract class ServiceInstanceBase extends Resource implements IServiceInstance {
  public abstract readonly serviceInstanceArn: string;
  public abstract readonly serviceInstanceName: string;
  public abstract readonly serviceName: string;
}

/** The ARN path of a service instance: `service/<service>/service-instance/<name>`. */
function instanceArn(scope: Construct, serviceName: string, serviceInstanceName: string): string {
  return Stack.of(scope).formatArn({
    service: 'proton',
    resource: 'service',
    resourceName: `${serviceName}/service-instance/${serviceInstanceName}`,
    arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
  });
}

/**
 * An AWS Proton service instance, created in an existing service when the stack deploys.
 *
 * CloudFormation has no resource type for it, so a custom resource (`Custom::ProtonServiceInstance`) calls
 * `CreateServiceInstance`, waits until the deployment has finished, and exposes the instance as attributes.
 * All instances of a stack share one provider.
 *
 * @resource Custom::ProtonServiceInstance
 */
export class ServiceInstance extends ServiceInstanceBase implements ITaggable {
  /**
   * Imports a service instance by its ARN (`arn:…:proton:<region>:<account>:service/<service>/service-instance/<name>`).
   */
  public static fromServiceInstanceArn(scope: Construct, id: string, serviceInstanceArn: string): IServiceInstance {
    if (Token.isUnresolved(serviceInstanceArn)) {
      throw new Error(
        `ServiceInstance.fromServiceInstanceArn: the ARN must be known at synth time to read the names from it; got ${serviceInstanceArn}. ` +
          'Use fromServiceInstanceAttributes with the names instead.',
      );
    }
    const names = parseServiceInstanceArn(serviceInstanceArn);
    if (!names) {
      throw new Error(
        `ServiceInstance.fromServiceInstanceArn: ${show(serviceInstanceArn, 200)} is not a Proton service instance ARN ` +
          '(arn:<partition>:proton:<region>:<account>:service/<service>/service-instance/<name>)',
      );
    }
    return ServiceInstance.fromServiceInstanceAttributes(scope, id, { ...names, serviceInstanceArn });
  }

  /**
   * Imports a service instance by its names (and, optionally, its ARN).
   */
  public static fromServiceInstanceAttributes(scope: Construct, id: string, attrs: ServiceInstanceAttributes): IServiceInstance {
    validateResourceName('serviceName', attrs.serviceName);
    validateResourceName('serviceInstanceName', attrs.serviceInstanceName);
    class Import extends ServiceInstanceBase {
      public readonly serviceName = attrs.serviceName;
      public readonly serviceInstanceName = attrs.serviceInstanceName;
      public readonly serviceInstanceArn = attrs.serviceInstanceArn ?? instanceArn(this, attrs.serviceName, attrs.serviceInstanceName);
    }
    return new Import(scope, id);
  }

  /** The ARN of the service instance, from Proton's answer. @attribute Arn */
  public readonly serviceInstanceArn: string;
  public readonly serviceInstanceName: string;
  public readonly serviceName: string;

  /** Tags of the instance; `Tags.of(instance).add(...)` lands here. */
  public readonly tags: TagManager;

  /** The custom resource behind the instance. */
  private readonly resource: CustomResource;
  /** Outputs asked for with getOutput(): only these are fetched and returned. */
  private readonly outputKeys = new Set<string>();
  private removalPolicy: RemovalPolicy;

  public constructor(scope: Construct, id: string, props: ServiceInstanceProps) {
    super(scope, id);

    validateResourceName('serviceName', props.serviceName);
    validateResourceName('serviceInstanceName', props.serviceInstanceName);
    validateTemplateVersion('templateMajorVersion', props.templateMajorVersion);
    validateTemplateVersion('templateMinorVersion', props.templateMinorVersion);
    validateMinorNeedsMajor(props.templateMajorVersion, props.templateMinorVersion);
    validateTags(props.tags);
    validateClientToken(props.clientToken);
    const timeout = props.timeout ?? DEFAULT_INSTANCE_TIMEOUT;
    validateTimeout(timeout);
    const spec = props.spec.render(this);
    validateSpec(spec);
    this.removalPolicy = checkRemovalPolicy(props.removalPolicy ?? RemovalPolicy.RETAIN);

    this.serviceName = props.serviceName;
    this.serviceInstanceName = props.serviceInstanceName;
    this.tags = new TagManager(TagType.MAP, RESOURCE_TYPE, props.tags);

    const provider = ServiceInstanceProvider.of(this);
    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: provider.serviceToken,
      resourceType: RESOURCE_TYPE,
      serviceTimeout: timeout.plus(SERVICE_TIMEOUT_MARGIN),
      // The handler decides what Delete does (see removalPolicy), so CloudFormation must always send it.
      removalPolicy: RemovalPolicy.DESTROY,
      properties: {
        [Prop.SERVICE_NAME]: props.serviceName,
        [Prop.SERVICE_INSTANCE_NAME]: props.serviceInstanceName,
        [Prop.SPEC]: spec,
        [Prop.TEMPLATE_MAJOR_VERSION]: props.templateMajorVersion,
        [Prop.TEMPLATE_MINOR_VERSION]: props.templateMinorVersion,
        [Prop.TAGS]: Lazy.any({ produce: () => this.renderTags() }),
        [Prop.CLIENT_TOKEN]: props.clientToken,
        [Prop.REMOVAL_POLICY]: removalBehaviour(this.removalPolicy),
        [Prop.TIMEOUT_SECONDS]: timeout.toSeconds(),
        // OutputKeys is set by getOutput(), when there are keys to ask for.
        [Prop.NO_ECHO]: props.noEcho ? 'true' : undefined,
      },
    });
    const { grant, previous } = provider._register(this, props.serviceName);
    // The policy that lets the handler act on this instance is deleted only after this resource (see provider).
    this.resource.node.addDependency(grant);
    if (previous) {
      this.node.addDependency(previous);
    }

    this.serviceInstanceArn = this.attribute('Arn');
  }

  /** The status of the last deployment: `SUCCEEDED` once the stack operation has completed. @attribute DeploymentStatus */
  public get deploymentStatus(): string {
    return this.attribute('DeploymentStatus');
  }

  /** Proton's message about the last deployment (cut to fit CloudFormation's response size); empty when none. @attribute DeploymentStatusMessage */
  public get deploymentStatusMessage(): string {
    return this.attribute('DeploymentStatusMessage');
  }

  /** The Proton environment the instance is deployed into, as named in its spec. @attribute EnvironmentName */
  public get environmentName(): string {
    return this.attribute('EnvironmentName');
  }

  /** When the instance was created (ISO 8601). @attribute CreatedAt */
  public get createdAt(): string {
    return this.attribute('CreatedAt');
  }

  /** When a deployment was last attempted (ISO 8601). @attribute LastDeploymentAttemptedAt */
  public get lastDeploymentAttemptedAt(): string {
    return this.attribute('LastDeploymentAttemptedAt');
  }

  /** When a deployment last succeeded (ISO 8601). @attribute LastDeploymentSucceededAt */
  public get lastDeploymentSucceededAt(): string {
    return this.attribute('LastDeploymentSucceededAt');
  }

  /** The ID of the last attempted deployment; empty when Proton gives none. @attribute LastAttemptedDeploymentId */
  public get lastAttemptedDeploymentId(): string {
    return this.attribute('LastAttemptedDeploymentId');
  }

  /** The ID of the last successful deployment; empty when Proton gives none. @attribute LastSucceededDeploymentId */
  public get lastSucceededDeploymentId(): string {
    return this.attribute('LastSucceededDeploymentId');
  }

  /** The last client request token Proton received for the instance; empty when none. @attribute LastClientRequestToken */
  public get lastClientRequestToken(): string {
    return this.attribute('LastClientRequestToken');
  }

  /** The service template the instance is deployed with. @attribute TemplateName */
  public get templateName(): string {
    return this.attribute('TemplateName');
  }

  /** The major version of the template that is deployed. @attribute TemplateMajorVersion */
  public get deployedTemplateMajorVersion(): string {
    return this.attribute('TemplateMajorVersion');
  }

  /** The minor version of the template that is deployed. @attribute TemplateMinorVersion */
  public get deployedTemplateMinorVersion(): string {
    return this.attribute('TemplateMinorVersion');
  }

  /**
   * An output of the instance's provisioned infrastructure (what `ListServiceInstanceOutputs` returns), as a token
   * other constructs can use, e.g. an SSM parameter or a CloudFront origin.
   *
   * Only the outputs asked for are fetched and returned, on create and on every update; a key the instance does
   * not have fails the deployment with a message that lists the keys it does have. Output values are sensitive
   * in Proton: the handler never logs them, but a value used elsewhere in the stack is visible there.
   *
   * @param key the output's key, as the service template names it
   * @returns a token for the output's value (`Fn::GetAtt [<resource>, Output.<key>]`)
   */
  public getOutput(key: string): string {
    validateOutputKey(key);
    this.outputKeys.add(key);
    this.cfnResource().addPropertyOverride(Prop.OUTPUT_KEYS, [...this.outputKeys].sort());
    return this.resource.getAttString(`${OUTPUT_ATTRIBUTE_PREFIX}${key}`);
  }

  /**
   * Sets what happens to the Proton instance when the resource leaves the stack or is replaced.
   * `SNAPSHOT` is not supported: Proton has no snapshots.
   */
  public applyRemovalPolicy(policy: RemovalPolicy): void {
    this.removalPolicy = checkRemovalPolicy(policy);
    this.cfnResource().addPropertyOverride(Prop.REMOVAL_POLICY, removalBehaviour(this.removalPolicy));
  }

  /** The custom resource's L1, where properties set after construction go (plain values: no token to resolve). */
  private cfnResource(): CfnResource {
    return this.resource.node.defaultChild as CfnResource;
  }

  private attribute(name: AttributeName): string {
    return this.resource.getAttString(name);
  }

  private renderTags(): { [key: string]: string } | undefined {
    const rendered: { [key: string]: string } | undefined = this.tags.renderTags();
    if (rendered === undefined || Object.keys(rendered).length === 0) return undefined;
    validateTagCount(Object.keys(rendered).length);
    return rendered;
  }
}

function checkRemovalPolicy(policy: RemovalPolicy): RemovalPolicy {
  if (policy === RemovalPolicy.SNAPSHOT) {
    throw new Error('ServiceInstance: invalid removalPolicy: SNAPSHOT is not supported, Proton has no snapshots; use RETAIN or DESTROY');
  }
  return policy;
}

function removalBehaviour(policy: RemovalPolicy): string {
  return policy === RemovalPolicy.DESTROY ? RemovalBehaviour.DESTROY : RemovalBehaviour.RETAIN;
}
