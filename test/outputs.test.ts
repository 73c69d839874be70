import { App, Lazy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ServiceInstance, ServiceInstanceSpec } from '../src';
import { resourceListOf } from './template-resources';

function instance(): { stack: Stack; i: ServiceInstance } {
  const stack = new Stack(new App(), 'S');
  const i = new ServiceInstance(stack, 'Prod', { serviceName: 'frontend', serviceInstanceName: 'prod', spec: ServiceInstanceSpec.fromString('environment: e\n') });
  return { stack, i };
}

describe('getOutput', () => {
  test('returns a GetAtt of Output.<key> and asks the handler for exactly those keys, sorted, once each', () => {
    const { stack, i } = instance();
    const endpoint = i.getOutput('ServiceEndpoint');
    i.getOutput('ClusterName');
    i.getOutput('ServiceEndpoint');
    expect(stack.resolve(endpoint)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^Prod/), 'Output.ServiceEndpoint'] });
    Template.fromStack(stack).hasResourceProperties('Custom::ProtonServiceInstance', { OutputKeys: ['ClusterName', 'ServiceEndpoint'] });
  });

  test('without getOutput no OutputKeys property is rendered', () => {
    const { stack } = instance();
    const [resource] = resourceListOf(Template.fromStack(stack), 'Custom::ProtonServiceInstance');
    expect(resource.Properties.OutputKeys).toBeUndefined();
  });

  test('bad keys fail at synth', () => {
    const { i } = instance();
    expect(() => i.getOutput('')).toThrow(/invalid output key: "" is 0 characters long; Proton output keys are 1 to 1024/);
    expect(() => i.getOutput('k'.repeat(1025))).toThrow(/is 1025 characters long/);
    expect(() => i.getOutput(Lazy.string({ produce: () => 'x' }))).toThrow(/must be known at synth time/);
  });
});
