import { CfnResource, Stack } from 'aws-cdk-lib';
import { handRolledProperties, RESOURCE_TYPE } from './instance-props';

/** The floor: N CfnResources with the same properties and a literal ServiceToken, no provider at all. */
export function build(stack: Stack, n: number): void {
  const serviceToken = 'arn:aws:lambda:us-east-1:123456789012:function:bench-provider';
  for (let i = 0; i < n; i++) {
    new CfnResource(stack, `Instance${i}`, {
      type: RESOURCE_TYPE,
      properties: { ServiceToken: serviceToken, ...handRolledProperties(i) },
    });
  }
}
