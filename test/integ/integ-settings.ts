import { App } from 'aws-cdk-lib';

/** What an integration test deploys into: names from context first, then the environment, then defaults. */
export interface IntegSettings {
  readonly serviceName: string;
  readonly serviceInstanceName: string;
  readonly environmentName: string;
  readonly specInputs: Record<string, unknown>;
}

/**
 * The settings of the integration tests (see integ.service-instance.ts for how to run them). The defaults keep
 * the snapshots stable offline.
 *
 * @param app the test's app, whose context may name them
 * @param instanceDefault the instance name when none is given
 */
export function integSettings(app: App, instanceDefault = 'integ-instance'): IntegSettings {
  const setting = (contextKey: string, envName: string, fallback: string) =>
    String(app.node.tryGetContext(contextKey) ?? process.env[envName] ?? fallback);
  return {
    serviceName: setting('serviceName', 'CDK_PROTON_INTEG_SERVICE', 'cdk-proton-integ'),
    serviceInstanceName: setting('serviceInstanceName', 'CDK_PROTON_INTEG_INSTANCE', instanceDefault),
    environmentName: setting('environmentName', 'CDK_PROTON_INTEG_ENVIRONMENT', 'cdk-proton-integ-env'),
    specInputs: JSON.parse(setting('specInputs', 'CDK_PROTON_INTEG_SPEC_INPUTS', '{}')),
  };
}
