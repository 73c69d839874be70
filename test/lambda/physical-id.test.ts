import { ARN } from './events';
import { T0 } from './mocks';
import { pendingCreateId, physicalInstance, sameInstance } from '../../lambda/physical-id';

/** What a physical id says about its instance: an ARN, or a create still pending (its token, and when it began). */

const TOKEN = '0123456789abcdef'.repeat(4);
const PROD = { serviceName: 'frontend', serviceInstanceName: 'prod' };

describe('physical ids', () => {
  test('a pending create: the instance, the token and the moment the create began, in that order', () => {
    const id = pendingCreateId(PROD, TOKEN, T0);
    expect(id).toBe(`cdk-proton:pending-create:frontend/prod:${TOKEN}:${T0}`);
    expect(physicalInstance(id)).toEqual({ ref: PROD, pendingToken: TOKEN, pendingSince: T0 });
  });

  test('a pending id from before the time was added still parses, without a time', () => {
    expect(physicalInstance(`cdk-proton:pending-create:frontend/prod:${TOKEN}`)).toEqual({ ref: PROD, pendingToken: TOKEN, pendingSince: undefined });
  });

  test('an instance ARN names the instance, with nothing pending', () => {
    expect(physicalInstance(ARN)).toEqual({ ref: PROD });
  });

  test.each([
    ['no token', 'cdk-proton:pending-create:no-token'],
    ['a token that is not hex', 'cdk-proton:pending-create:frontend/prod:not-a-token'],
    ['a time that is not a number', `cdk-proton:pending-create:frontend/prod:${TOKEN}:soon`],
    ['an empty time', `cdk-proton:pending-create:frontend/prod:${TOKEN}:`],
    ['another prefix', `cdk-proton:pending:frontend/prod:${TOKEN}:${T0}`],
    ['the framework\'s marker', 'AWSCDK::CustomResourceProviderFramework::CREATE_FAILED'],
    ['nothing', ''],
    ['undefined', undefined],
  ])('%s: names no instance', (_, id) => {
    expect(physicalInstance(id)).toBeUndefined();
  });

  test('names of Proton\'s longest length make a pending id that parses back', () => {
    const ref = { serviceName: `s${'v'.repeat(99)}`, serviceInstanceName: `i${'n'.repeat(99)}` };
    const parsed = physicalInstance(pendingCreateId(ref, TOKEN, T0));
    expect(parsed).toEqual({ ref, pendingToken: TOKEN, pendingSince: T0 });
    expect(sameInstance(parsed!.ref, ref)).toBe(true);
    expect(sameInstance(parsed!.ref, PROD)).toBe(false);
  });
});
