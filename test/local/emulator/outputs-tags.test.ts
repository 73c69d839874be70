import {
  ListServiceInstanceOutputsCommand, ListTagsForResourceCommand, paginateListServiceInstanceOutputs, TagResourceCommand, UntagResourceCommand,
  CreateServiceInstanceCommand,
} from '@aws-sdk/client-proton';
import { errorOf, useEmulator } from './helpers';

const ARN = 'arn:aws:proton:us-east-1:123456789012:service/svc/service-instance/web';

describe('outputs', () => {
  const ctx = useEmulator();
  beforeEach(() => {
    ctx.emulator.seedService({ name: 'svc', templateName: 'tpl', instances: [{ name: 'web', environment: 'dev' }] });
    ctx.emulator.setOutputs('svc', 'web', { A: '1', B: '2', C: '3', D: '4', E: '5' });
  });

  test('are paged two at a time with nextToken', async () => {
    const first = await ctx.client.send(new ListServiceInstanceOutputsCommand({ serviceName: 'svc', serviceInstanceName: 'web' }));
    expect(first.outputs).toEqual([{ key: 'A', valueString: '1' }, { key: 'B', valueString: '2' }]);
    expect(first.nextToken).toEqual(expect.any(String));
    const pages: string[][] = [];
    for await (const page of paginateListServiceInstanceOutputs({ client: ctx.client }, { serviceName: 'svc', serviceInstanceName: 'web' })) {
      pages.push(page.outputs!.map((o) => o.key!));
    }
    expect(pages).toEqual([['A', 'B'], ['C', 'D'], ['E']]);
  });

  test('of an unknown instance: ResourceNotFoundException', async () => {
    const err = await errorOf(ctx.client.send(new ListServiceInstanceOutputsCommand({ serviceName: 'svc', serviceInstanceName: 'nope' })));
    expect(err.name).toBe('ResourceNotFoundException');
  });
});

describe('outputs with outputsPageSize 0 (model-exact)', () => {
  const ctx = useEmulator({ outputsPageSize: 0 });
  test('come in one page, and a nextToken breaks the EmptyNextToken constraint', async () => {
    ctx.emulator.seedService({ name: 'svc', templateName: 'tpl', instances: [{ name: 'web', environment: 'dev' }] });
    ctx.emulator.setOutputs('svc', 'web', { A: '1', B: '2', C: '3' });
    const all = await ctx.client.send(new ListServiceInstanceOutputsCommand({ serviceName: 'svc', serviceInstanceName: 'web' }));
    expect(all.outputs).toHaveLength(3);
    expect(all.nextToken).toBeUndefined();
    const err = await errorOf(ctx.client.send(new ListServiceInstanceOutputsCommand({ serviceName: 'svc', serviceInstanceName: 'web', nextToken: 'Mg==' })));
    expect(err.message).toContain("at 'nextToken' failed to satisfy constraint: Member must have length less than or equal to 0");
  });
});

describe('tags', () => {
  const ctx = useEmulator();
  beforeEach(() => ctx.emulator.seedService({ name: 'svc', templateName: 'tpl', instances: [{ name: 'a', environment: 'dev' }] }));
  const list = async (arn = ARN) => (await ctx.client.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags;

  test('given on create are stored, then tagged, retagged and untagged by ARN', async () => {
    await ctx.client.send(new CreateServiceInstanceCommand({ serviceName: 'svc', name: 'web', spec: 'environment: dev\n', tags: [{ key: 'team', value: 'x' }] }));
    expect(await list()).toEqual([{ key: 'team', value: 'x' }]);
    await ctx.client.send(new TagResourceCommand({ resourceArn: ARN, tags: [{ key: 'team', value: 'y' }, { key: 'cost', value: '' }] }));
    expect(await list()).toEqual([{ key: 'team', value: 'y' }, { key: 'cost', value: '' }]);
    await ctx.client.send(new UntagResourceCommand({ resourceArn: ARN, tagKeys: ['team'] }));
    expect(await list()).toEqual([{ key: 'cost', value: '' }]);
    expect(await list('arn:aws:proton:us-east-1:123456789012:service/svc')).toEqual([]);
  });

  test('on an unknown ARN: ResourceNotFoundException', async () => {
    const err = await errorOf(list('arn:aws:proton:us-east-1:123456789012:service/svc/service-instance/ghost'));
    expect(err.name).toBe('ResourceNotFoundException');
    expect((await errorOf(ctx.client.send(new TagResourceCommand({ resourceArn: ARN, tags: [] })))).name).toBe('ResourceNotFoundException');
  });
});
