import { compareVersions, planDeployment, sameSpec } from '../../lambda/lifecycle/plan';

const REF = { serviceName: 'frontend', serviceInstanceName: 'prod' };
const BASE = { serviceName: 'frontend', name: 'prod' };
const RUNNING = { spec: 'a: 1\n', templateMajorVersion: '2', templateMinorVersion: '3' };

describe('compareVersions', () => {
  test.each([
    ['1', '1', 0],
    ['2', '1', 1],
    ['1', '2', -1],
    ['10', '9', 1],
    ['9', '10', -1],
    ['123456789012345678', '123456789012345679', -1],
  ])('%s vs %s', (a, b, sign) => {
    expect(Math.sign(compareVersions(a, b))).toBe(sign);
  });
});

describe('sameSpec', () => {
  test.each([
    ['the same text', 'a: 1\n', 'a: 1\n', true],
    ['a different value under other formatting', 'a: 1\nb: [x, y]\n', '# c\nb:\n  - "x"\n  - x\na:   1', false],
    ['the same YAML re-rendered', 'a: 1\nb: [x, y]\n', '# c\nb:\n  - "x"\n  - y\na:   1', true],
    ['keys in another order', 'a: 1\nb: 2\n', 'b: 2\na: 1\n', true],
    ['a number and a string', 'a: 1\n', 'a: "1"\n', false],
    ['no spec on the instance', 'a: 1\n', undefined, false],
    ['text that is not YAML, different', 'a: [', 'a: [ ', false],
  ])('%s', (_, a, b, same) => {
    expect(sameSpec(a, b)).toBe(same);
  });
});

describe('planDeployment', () => {
  test('nothing to do when the instance is as asked', () => {
    expect(planDeployment(REF, { spec: 'a: 1\n', templateMajorVersion: '2', templateMinorVersion: '3' }, RUNNING)).toEqual({ kind: 'none' });
    expect(planDeployment(REF, { spec: 'a: 1\n' }, RUNNING)).toEqual({ kind: 'none' });
  });

  test('a new spec only: CURRENT_VERSION with the spec, no versions', () => {
    expect(planDeployment(REF, { spec: 'a: 2\n', templateMajorVersion: '2' }, RUNNING)).toEqual({ kind: 'deploy', input: { ...BASE, spec: 'a: 2\n', deploymentType: 'CURRENT_VERSION' } });
  });

  test('a new minor: MINOR_VERSION in the running major', () => {
    expect(planDeployment(REF, { spec: 'a: 1\n', templateMinorVersion: '4' }, RUNNING)).toEqual({
      kind: 'deploy',
      input: { ...BASE, deploymentType: 'MINOR_VERSION', templateMajorVersion: '2', templateMinorVersion: '4' },
    });
  });

  test('a higher major: MAJOR_VERSION with the major and minor asked for, and the spec when it changed', () => {
    expect(planDeployment(REF, { spec: 'a: 2\n', templateMajorVersion: '3' }, RUNNING)).toEqual({
      kind: 'deploy',
      input: { ...BASE, spec: 'a: 2\n', deploymentType: 'MAJOR_VERSION', templateMajorVersion: '3', templateMinorVersion: undefined },
    });
  });

  test('a lower major: a downgrade, from the running to the asked', () => {
    expect(planDeployment(REF, { spec: 'a: 1\n', templateMajorVersion: '1' }, RUNNING)).toEqual({ kind: 'downgrade', from: '2', to: '1' });
  });

  test('an instance whose major is unknown is not compared', () => {
    expect(planDeployment(REF, { spec: 'a: 1\n', templateMajorVersion: '1' }, { ...RUNNING, templateMajorVersion: undefined })).toEqual({ kind: 'none' });
  });
});
