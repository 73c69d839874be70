import { App, Aspects, CfnParameter, CfnResource, Stack, StackProps } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { AwsSolutionsChecks, NagSuppressions } from 'cdk-nag';
import { ServiceInstance, ServiceInstanceProvider, ServiceInstanceSpec } from '../src';
import { applyAccountBoundary, lockedDownProvider } from './fixtures/locked-down';

/**
 * cdk-nag's AwsSolutions pack over stacks built with this library. A user's own cdk-nag run must see nothing
 * from our resources: what the provider cannot fix is suppressed by the library itself (cdk_nag metadata).
 */

const SPEC = ServiceInstanceSpec.fromString('proton: ServiceSpec\nenvironment: env\nspec:\n  port: 80\n');
const NAG = Match.stringLikeRegexp('AwsSolutions-.*');

interface Finding {
  readonly path: string;
  readonly message: string;
}

/** Every unsuppressed AwsSolutions error and warning, by construct path (the first line of the message only). */
function nagFindings(stack: Stack): Finding[] {
  Aspects.of(stack).add(new AwsSolutionsChecks());
  const annotations = Annotations.fromStack(stack);
  return [...annotations.findError('*', NAG), ...annotations.findWarning('*', NAG)].map((m) => ({
    path: m.id,
    message: String(m.entry.data).split('\n')[0].slice(0, 200),
  }));
}

function newStack(props: StackProps = { env: { account: '123456789012', region: 'us-east-1' } }): Stack {
  return new Stack(new App(), 'Nag', props);
}

function addInstances(stack: Stack, count: number, services: number, nameLength = 8): void {
  for (let n = 0; n < count; n++) {
    new ServiceInstance(stack, `I${n}`, {
      serviceName: `svc-${n % services}`.padEnd(nameLength, 'x'),
      serviceInstanceName: `inst-${n}`.padEnd(nameLength, 'y'),
      spec: SPEC,
    });
  }
}

/** The cdk_nag suppressions on every resource of the stack, by construct path. */
function suppressionsOf(stack: Stack): Array<{ path: string; rules: any[] }> {
  return stack.node
    .findAll()
    .filter((c): c is CfnResource => CfnResource.isCfnResource(c))
    .map((r) => ({ path: r.node.path, rules: r.getMetadata('cdk_nag')?.rules_to_suppress ?? [] }))
    .filter((r) => r.rules.length > 0);
}

/** The Proton policies of the provider (one per service, and the account-wide one when needed), by construct id. */
function protonPolicySuppressions(stack: Stack): Array<{ path: string; rules: any[] }> {
  return suppressionsOf(stack).filter((s) => /\/(ProtonService-[^/]+|ProtonAllServices)$/.test(s.path));
}

describe('cdk-nag AwsSolutions', () => {
  test('several instances in two services: no unsuppressed finding', () => {
    const stack = newStack();
    addInstances(stack, 5, 2);
    expect(nagFindings(stack)).toEqual([]);
  });

  test('an environment-agnostic stack: no unsuppressed finding', () => {
    const stack = newStack({});
    addInstances(stack, 3, 2);
    expect(nagFindings(stack)).toEqual([]);
  });

  test('names that are tokens (stack parameters): no unsuppressed finding', () => {
    const stack = newStack();
    const service = new CfnParameter(stack, 'ServiceName', { default: 'frontend' });
    const name = new CfnParameter(stack, 'InstanceName', { default: 'prod' });
    new ServiceInstance(stack, 'FromParameters', { serviceName: service.valueAsString, serviceInstanceName: name.valueAsString, spec: SPEC });
    expect(nagFindings(stack)).toEqual([]);
  });

  test('a locked-down provider (VPC, KMS key, ARM, log settings, poll interval, boundary): no unsuppressed finding', () => {
    const stack = newStack();
    ServiceInstanceProvider.of(stack, lockedDownProvider(stack));
    applyAccountBoundary(stack);
    addInstances(stack, 3, 2);
    expect(nagFindings(stack)).toEqual([]);
  });

  test('a locked-down provider configured after its instances: no unsuppressed finding either', () => {
    const stack = newStack();
    addInstances(stack, 3, 2);
    ServiceInstanceProvider.of(stack, lockedDownProvider(stack));
    expect(nagFindings(stack)).toEqual([]);
  });

  test('200 instances in 8 services: each service\'s wildcard is suppressed by name on its own policy', () => {
    const stack = newStack();
    addInstances(stack, 200, 8, 24);
    expect(nagFindings(stack)).toEqual([]);
    const policies = protonPolicySuppressions(stack);
    expect(policies).toHaveLength(8);
    for (const policy of policies) {
      const service = /ProtonService-([^/]+)$/.exec(policy.path)![1];
      // Exactly the resource cdk-nag reports, and no other wildcard.
      expect(policy.rules.map((r) => [r.id, r.applies_to])).toEqual([
        ['AwsSolutions-IAM5', [`Resource::arn:<AWS::Partition>:proton:us-east-1:123456789012:service/${service}/service-instance/*`]],
      ]);
    }
  });

  test('so many services that the later ones share the account-wide policy: both its wildcards are suppressed by name', () => {
    const stack = newStack({});
    addInstances(stack, 200, 200, 90);
    expect(nagFindings(stack)).toEqual([]);
    const [account] = protonPolicySuppressions(stack).filter((s) => s.path.endsWith('/ProtonAllServices'));
    expect(account.rules).toHaveLength(1);
    expect(account.rules[0].applies_to).toEqual([
      'Resource::arn:<AWS::Partition>:proton:<AWS::Region>:<AWS::AccountId>:service/*/service-instance/*',
      'Resource::arn:<AWS::Partition>:proton:<AWS::Region>:<AWS::AccountId>:service/*',
    ]);
  });

  test('every suppression names a rule, gives a reason, and IAM5 ones list the findings they cover', () => {
    const stack = newStack();
    addInstances(stack, 200, 10, 24);
    const all = suppressionsOf(stack);
    expect(all.length).toBeGreaterThan(0);
    for (const { path, rules } of all) {
      // Only the library's own resources carry suppressions.
      expect(path).toContain('/cdk-proton.ServiceInstanceProvider/');
      for (const rule of rules) {
        expect(rule.id).toMatch(/^AwsSolutions-(L1|SF2|IAM5)$/);
        expect(rule.reason.length).toBeGreaterThan(60);
        if (rule.id === 'AwsSolutions-IAM5') {
          expect(rule.applies_to.length).toBeGreaterThan(0);
          for (const finding of rule.applies_to) expect(typeof finding).toBe('string');
        }
      }
    }
  });

  test('without the library\'s metadata cdk-nag reports exactly the findings the README documents', () => {
    const stack = newStack();
    addInstances(stack, 2, 1);
    for (const resource of stack.node.findAll().filter((c): c is CfnResource => CfnResource.isCfnResource(c))) {
      delete resource.cfnOptions.metadata?.cdk_nag;
    }
    const provider = '/Nag/cdk-proton.ServiceInstanceProvider';
    /** cdk-nag's name for a function's versions and aliases: `<LogicalId.Arn>:*`. */
    const fnArn = (id: string) => {
      const owner = stack.node.findChild('cdk-proton.ServiceInstanceProvider');
      const fn = owner.node.findChild('Provider').node.tryFindChild(id) ?? owner.node.findChild(id);
      return `<${stack.resolve((fn.node.defaultChild as CfnResource).logicalId)}.Arn>:*`;
    };
    const found = nagFindings(stack).map((f) => `${f.path.replace(provider, '')} ${/^AwsSolutions-[A-Z0-9]+(\[[^\]]*\])?/.exec(f.message)![0]}`);
    expect(found.sort()).toEqual(
      [
        '/OnEvent/Resource AwsSolutions-L1',
        '/IsComplete/Resource AwsSolutions-L1',
        '/Provider/framework-onEvent/Resource AwsSolutions-L1',
        '/Provider/framework-isComplete/Resource AwsSolutions-L1',
        '/Provider/framework-onTimeout/Resource AwsSolutions-L1',
        '/Provider/waiter-state-machine/Resource AwsSolutions-SF2',
        // The Provider framework's grantInvoke: the handlers and their versions and aliases (<function ARN>:*).
        `/FrameworkOnEventRole/DefaultPolicy/Resource AwsSolutions-IAM5[Resource::${fnArn('OnEvent')}]`,
        `/FrameworkOnEventRole/DefaultPolicy/Resource AwsSolutions-IAM5[Resource::${fnArn('IsComplete')}]`,
        `/FrameworkWaiterRole/DefaultPolicy/Resource AwsSolutions-IAM5[Resource::${fnArn('OnEvent')}]`,
        `/FrameworkWaiterRole/DefaultPolicy/Resource AwsSolutions-IAM5[Resource::${fnArn('IsComplete')}]`,
        `/Provider/waiter-state-machine/Role/DefaultPolicy/Resource AwsSolutions-IAM5[Resource::${fnArn('framework-isComplete')}]`,
        `/Provider/waiter-state-machine/Role/DefaultPolicy/Resource AwsSolutions-IAM5[Resource::${fnArn('framework-onTimeout')}]`,
        // Step Functions' log delivery actions, which take no resource-level permissions.
        '/Provider/waiter-state-machine/Role/DefaultPolicy/Resource AwsSolutions-IAM5[Resource::*]',
        // The one service's instances, granted by a policy that outlives each instance's Delete.
        `/ProtonService-${'svc-0'.padEnd(8, 'x')} AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:proton:us-east-1:123456789012:service/${'svc-0'.padEnd(8, 'x')}/service-instance/*]`,
      ].sort(),
    );
  });

  test('the suppressions do not reach the user\'s own resources', () => {
    const stack = newStack();
    addInstances(stack, 2, 1);
    // A resource of the user's with the same kinds of findings as the provider's (managed policy, old runtime).
    new lambda.Function(stack, 'UserFunction', {
      runtime: lambda.Runtime.NODEJS_20_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => {};'),
    });
    const findings = nagFindings(stack);
    expect(findings.map((f) => f.path)).toEqual(expect.arrayContaining(['/Nag/UserFunction/Resource', '/Nag/UserFunction/ServiceRole/Resource']));
    expect(findings.filter((f) => f.path.includes('cdk-proton'))).toEqual([]);
  });

  test('a user\'s own suppression on a Proton policy survives instances added after it', () => {
    const stack = newStack();
    addInstances(stack, 1, 1);
    const provider = stack.node.findChild('cdk-proton.ServiceInstanceProvider');
    const policy = provider.node.findChild(`ProtonService-${'svc-0'.padEnd(8, 'x')}`) as iam.CfnPolicy;
    NagSuppressions.addResourceSuppressions(policy, [{ id: 'AwsSolutions-IAM4', reason: 'a user suppression kept as written' }]);
    for (let n = 1; n < 200; n++) {
      new ServiceInstance(stack, `More${n}`, { serviceName: `svc-${n % 10}`.padEnd(8, 'x'), serviceInstanceName: `more-${n}`.padEnd(24, 'y'), spec: SPEC });
    }
    const rules = policy.getMetadata('cdk_nag').rules_to_suppress;
    expect(rules.map((r: any) => r.id)).toEqual(['AwsSolutions-IAM5', 'AwsSolutions-IAM4']);
    expect(nagFindings(stack)).toEqual([]);
  });
});
