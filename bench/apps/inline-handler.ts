import * as lambda from 'aws-cdk-lib/aws-lambda';

/**
 * The smallest onEvent/isComplete a hand-rolled solution could ship: inline code, no asset, no SDK bundle.
 * It is never run; only its synth cost counts.
 */
const SOURCE = [
  "const { ProtonClient, CreateServiceInstanceCommand, GetServiceInstanceCommand } = require('@aws-sdk/client-proton');",
  'const client = new ProtonClient({});',
  'exports.onEvent = async (event) => {',
  '  const p = event.ResourceProperties;',
  "  if (event.RequestType !== 'Create') return { PhysicalResourceId: event.PhysicalResourceId };",
  '  const r = await client.send(new CreateServiceInstanceCommand({ serviceName: p.ServiceName, name: p.ServiceInstanceName, spec: p.Spec }));',
  '  return { PhysicalResourceId: r.serviceInstance.arn };',
  '};',
  'exports.isComplete = async (event) => {',
  '  const p = event.ResourceProperties;',
  '  const r = await client.send(new GetServiceInstanceCommand({ serviceName: p.ServiceName, name: p.ServiceInstanceName }));',
  "  return { IsComplete: r.serviceInstance.deploymentStatus === 'SUCCEEDED' };",
  '};',
].join('\n');

export function inlineCode(): lambda.Code {
  return lambda.Code.fromInline(SOURCE);
}
