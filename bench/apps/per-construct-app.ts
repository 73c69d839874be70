import { CustomResource, Duration, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { inlineCode } from './inline-handler';
import { handRolledProperties, RESOURCE_TYPE } from './instance-props';

/** What a naive construct does: every instance brings its own Provider (two handlers plus the framework's). */
export function build(stack: Stack, n: number): void {
  for (let i = 0; i < n; i++) {
    const scope = new Construct(stack, `Instance${i}`);
    const fn = (id: string, handler: string) =>
      new lambda.Function(scope, id, { code: inlineCode(), handler, runtime: lambda.Runtime.NODEJS_22_X });
    const provider = new cr.Provider(scope, 'Provider', {
      onEventHandler: fn('OnEvent', 'index.onEvent'),
      isCompleteHandler: fn('IsComplete', 'index.isComplete'),
      queryInterval: Duration.seconds(10),
    });
    new CustomResource(scope, 'Resource', {
      serviceToken: provider.serviceToken,
      resourceType: RESOURCE_TYPE,
      properties: handRolledProperties(i),
    });
  }
}
