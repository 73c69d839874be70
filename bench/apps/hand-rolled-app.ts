import { CustomResource, Duration, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as cr from 'aws-cdk-lib/custom-resources';
import { inlineCode } from './inline-handler';
import { handRolledProperties, RESOURCE_TYPE } from './instance-props';

/** The least a custom-resource solution pays: one Provider with inline handlers, N CustomResources on it. */
export function build(stack: Stack, n: number): void {
  const fn = (id: string, handler: string) =>
    new lambda.Function(stack, id, { code: inlineCode(), handler, runtime: lambda.Runtime.NODEJS_22_X });
  const provider = new cr.Provider(stack, 'Provider', {
    onEventHandler: fn('OnEvent', 'index.onEvent'),
    isCompleteHandler: fn('IsComplete', 'index.isComplete'),
    queryInterval: Duration.seconds(10),
  });
  for (let i = 0; i < n; i++) {
    new CustomResource(stack, `Instance${i}`, {
      serviceToken: provider.serviceToken,
      resourceType: RESOURCE_TYPE,
      properties: handRolledProperties(i),
    });
  }
}
