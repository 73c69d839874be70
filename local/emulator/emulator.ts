import { ProtonAuthorization } from './authorization';
import { Faults } from './faults';
import { loadModel } from './model';
import { seedService, SeedService } from './operations';
import { DeploymentPlan, EmulatorOptions, RemovalPlan, resolveOptions } from './options';
import { RecordedCall, Recorder } from './recorder';
import { ProtonHttpServer } from './server';
import { Reachability } from '../listening';
import { instanceView } from './state/instance';
import { serviceView } from './state/service';
import { ProtonState } from './state/store';
import { RequestValidator } from './validate';
import { AuthorizationProblem } from '../iam/authorize';
import { Authorizer } from '../iam/types';

/** A local AWS Proton (awsJson1_0) endpoint for the service-instance operations, with a scripted timeline. */
export class ProtonEmulator {
  public static async start(options: EmulatorOptions = {}): Promise<ProtonEmulator> {
    const emulator = new ProtonEmulator(options);
    const port = await emulator.http.listen(emulator.state.options.host, emulator.state.options.port);
    emulator.endpoint = `http://${emulator.state.options.host}:${port}`;
    emulator.port = port;
    return emulator;
  }

  /** `http://127.0.0.1:PORT`, for the SDK's `endpoint` or AWS_ENDPOINT_URL_PROTON. */
  public endpoint = '';
  public port = 0;
  public readonly state: ProtonState;
  public readonly faults: Faults;
  public readonly recorder = new Recorder();
  public readonly validator: RequestValidator;
  private readonly authorization: ProtonAuthorization;
  private readonly http: ProtonHttpServer;
  private readonly reachability: Reachability;

  private constructor(options: EmulatorOptions) {
    const resolved = resolveOptions(options);
    this.state = new ProtonState(resolved);
    this.faults = new Faults(resolved.now);
    // The model's EmptyNextToken allows only '' (the real service never pages outputs); paging outputs needs room for a token.
    this.validator = new RequestValidator(resolved.outputsPageSize > 0 ? { EmptyNextToken: { max: undefined } } : {});
    this.authorization = new ProtonAuthorization(options.authorizer);
    this.http = new ProtonHttpServer({
      state: this.state,
      validator: this.validator,
      faults: this.faults,
      recorder: this.recorder,
      authorization: this.authorization,
      targetPrefix: loadModel().metadata.targetPrefix,
    });
    this.reachability = new Reachability(this.http.server, this.state.options.host, () => this.port);
  }

  /** Every call received, in order. */
  public get calls(): readonly RecordedCall[] {
    return this.recorder.calls;
  }

  public callsTo(operation: string): RecordedCall[] {
    return this.recorder.callsTo(operation);
  }

  /**
   * Decides the IAM permissions of every later call (undefined: all allowed). The wire harness starts the emulator
   * before the driver that knows the roles exists, so the authorizer can come afterwards.
   */
  public setAuthorizer(authorizer: Authorizer | undefined): void {
    this.authorization.authorizer = authorizer;
  }

  /** Calls the local IAM evaluation could not decide (answered AccessDeniedException); a test should fail on any. */
  public get authorizationProblems(): readonly AuthorizationProblem[] {
    return this.authorization.problems;
  }

  /** Requests that reached model validation. */
  public get validatedCount(): number {
    return this.validator.validatedCount;
  }

  /** Creates an ACTIVE service whose listed instances are already SUCCEEDED. */
  public seedService(seed: SeedService): void {
    seedService(this.state, seed);
  }

  /** Queues how the next deployment of this instance ends (consumed one per deployment, in order). */
  public planDeployment(serviceName: string, instanceName: string, plan: DeploymentPlan): void {
    this.state.planDeployment(serviceName, instanceName, plan);
  }

  /** The plan for every deployment of this instance with nothing queued (e.g. a per-instance duration). */
  public setInstancePlan(serviceName: string, instanceName: string, plan: DeploymentPlan | undefined): void {
    this.state.setInstancePlan(serviceName, instanceName, plan);
  }

  /** Queues how the next removal of this instance ends (DELETE_FAILED makes UpdateService end UPDATE_FAILED). */
  public planRemoval(serviceName: string, instanceName: string, plan: RemovalPlan): void {
    this.state.planRemoval(serviceName, instanceName, plan);
  }

  /** What ListServiceInstanceOutputs answers for this instance. */
  public setOutputs(serviceName: string, instanceName: string, outputs: Record<string, string>): void {
    this.state.setOutputs(serviceName, instanceName, outputs);
  }

  /** The instance as GetServiceInstance would show it, or undefined; for assertions without a client. */
  public instance(serviceName: string, instanceName: string): Record<string, unknown> | undefined {
    const instance = this.state.findInstance(serviceName, instanceName);
    return instance && instanceView(instance, instance.templateName);
  }

  public service(name: string): Record<string, unknown> | undefined {
    const service = this.state.findService(name);
    return service && serviceView(service);
  }

  /**
   * Whether clients can connect. Unreachable, the port refuses every connection (a function in a VPC with no route
   * to Proton, or an endpoint that is gone) while deployments go on; reachable again, it listens on the same port.
   */
  public setReachable(reachable: boolean): Promise<void> {
    return this.reachability.set(reachable);
  }

  public async stop(): Promise<void> {
    await this.reachability.close();
    await this.http.close();
  }
}
