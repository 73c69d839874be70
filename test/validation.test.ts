import { App, Duration, Lazy, Stack } from 'aws-cdk-lib';
import { ServiceInstance, ServiceInstanceProps, ServiceInstanceSpec } from '../src';

const GOOD: ServiceInstanceProps = {
  serviceName: 'frontend',
  serviceInstanceName: 'prod',
  spec: ServiceInstanceSpec.fromString('environment: prod-env\n'),
};

function build(overrides: Partial<ServiceInstanceProps>): void {
  const stack = new Stack(new App(), 'Test');
  new ServiceInstance(stack, 'Instance', { ...GOOD, ...overrides });
}

const token = (value: string) => Lazy.string({ produce: () => value });

/** Each bad input, the error it must produce (naming the prop and showing the value). */
const BAD: Array<[string, Partial<ServiceInstanceProps>, RegExp]> = [
  ['empty service name', { serviceName: '' }, /invalid serviceName: "" is 0 characters long; Proton accepts 1 to 100/],
  ['service name of 101 characters', { serviceName: 'a'.repeat(101) }, /invalid serviceName: "a{80}…" is 101 characters long/],
  ['service name with a space', { serviceName: 'front end' }, /invalid serviceName: "front end" does not match/],
  ['service name starting with -', { serviceName: '-frontend' }, /invalid serviceName: "-frontend" does not match/],
  ['service name starting with _', { serviceName: '_frontend' }, /invalid serviceName: "_frontend"/],
  ['service name with a dot', { serviceName: 'front.end' }, /invalid serviceName: "front.end"/],
  ['service name with a slash', { serviceName: 'front/end' }, /invalid serviceName: "front\/end"/],
  ['service name with unicode', { serviceName: 'frönt' }, /invalid serviceName: "frönt"/],
  ['empty instance name', { serviceInstanceName: '' }, /invalid serviceInstanceName: "" is 0 characters long/],
  ['instance name of 101 characters', { serviceInstanceName: 'b'.repeat(101) }, /invalid serviceInstanceName: .* is 101 characters long/],
  ['instance name with a colon', { serviceInstanceName: 'prod:1' }, /invalid serviceInstanceName: "prod:1" does not match/],
  ['instance name with a trailing newline', { serviceInstanceName: 'prod\n' }, /invalid serviceInstanceName: "prod\\n" does not match/],
  ['instance name starting with -', { serviceInstanceName: '-prod' }, /invalid serviceInstanceName: "-prod"/],
  ['empty spec', { spec: ServiceInstanceSpec.fromString('') }, /invalid spec: the spec is 0 characters long; Proton accepts 1 to 51200/],
  ['spec over 51,200 characters', { spec: ServiceInstanceSpec.fromString(`x: "${'y'.repeat(51_200)}"`) }, /invalid spec: the spec is 51205 characters long/],
  ['spec that is not YAML', { spec: ServiceInstanceSpec.fromString('a: [1, 2\nb: {') }, /invalid spec: the spec is not valid YAML/],
  ['spec with a duplicate key', { spec: ServiceInstanceSpec.fromString('a: 1\na: 2\n') }, /invalid spec: the spec is not valid YAML: .*[Mm]ap keys must be unique/],
  ['spec with a bad indent', { spec: ServiceInstanceSpec.fromString('a:\n  b: 1\n c: 2\n') }, /invalid spec: the spec is not valid YAML/],
  ['major version with a leading zero', { templateMajorVersion: '01' }, /invalid templateMajorVersion: "01" is not a version number/],
  ['major version that is a word', { templateMajorVersion: 'latest' }, /invalid templateMajorVersion: "latest"/],
  ['major version with a dot', { templateMajorVersion: '1.0' }, /invalid templateMajorVersion: "1.0"/],
  ['negative major version', { templateMajorVersion: '-1' }, /invalid templateMajorVersion: "-1"/],
  ['empty major version', { templateMajorVersion: '' }, /invalid templateMajorVersion: "" is 0 characters long; Proton accepts 1 to 20/],
  ['major version of 21 digits', { templateMajorVersion: '1'.repeat(21) }, /invalid templateMajorVersion: "1{21}" is 21 characters long/],
  ['minor version with a leading zero', { templateMajorVersion: '1', templateMinorVersion: '00' }, /invalid templateMinorVersion: "00"/],
  ['minor version with a space', { templateMajorVersion: '1', templateMinorVersion: ' 1' }, /invalid templateMinorVersion: " 1"/],
  ['minor version without a major', { templateMinorVersion: '1' }, /invalid templateMinorVersion: "1" is set without templateMajorVersion/],
  ['51 tags', { tags: Object.fromEntries(Array.from({ length: 51 }, (_, n) => [`k${n}`, 'v'])) }, /invalid tags: 51 tags given; Proton accepts at most 50/],
  ['empty tag key', { tags: { '': 'v' } }, /invalid tags: tag key "" is 0 characters long; Proton accepts 1 to 128/],
  ['tag key of 129 characters', { tags: { ['k'.repeat(129)]: 'v' } }, /invalid tags: tag key "k{80}…" is 129 characters long/],
  ['tag value of 257 characters', { tags: { team: 'v'.repeat(257) } }, /invalid tags: the value of tag "team" is 257 characters long; Proton accepts at most 256/],
  ['tag value that is a number', { tags: { team: 42 as unknown as string } }, /invalid tags: tag "team" has a value of type number/],
  ['client token of 65 characters', { clientToken: 't'.repeat(65) }, /invalid clientToken: "t{65}" is 65 characters long; Proton accepts at most 64/],
  ['client token with a space', { clientToken: 'my token' }, /invalid clientToken: "my token" has characters outside printable ASCII/],
  ['client token with a tab', { clientToken: 'a\tb' }, /invalid clientToken: "a\\tb"/],
  ['client token with unicode', { clientToken: 'tökén' }, /invalid clientToken: "tökén"/],
  ['timeout of 30 seconds', { timeout: Duration.seconds(30) }, /invalid timeout: 30 seconds is outside 1 minute … 55 minutes/],
  ['timeout of 56 minutes', { timeout: Duration.minutes(56) }, /invalid timeout: 56 minutes is outside 1 minute … 55 minutes/],
  ['timeout of 2 hours', { timeout: Duration.hours(2) }, /invalid timeout: 2 hours is outside/],
  ['timeout of zero', { timeout: Duration.seconds(0) }, /invalid timeout: 0 seconds is outside/],
  ['timeout with a fraction of a second', { timeout: Duration.millis(90_500) }, /invalid timeout: .* is not a whole number of seconds/],
];

describe('synth-time validation', () => {
  test.each(BAD)('%s', (_name, overrides, message) => {
    expect(() => build(overrides)).toThrow(message);
  });

  test(`covers at least 30 bad inputs (has ${BAD.length})`, () => {
    expect(BAD.length).toBeGreaterThanOrEqual(30);
  });

  test('accepts the limits themselves', () => {
    expect(() =>
      build({
        serviceName: 'a'.repeat(100),
        serviceInstanceName: `0${'_-'.repeat(49)}z`,
        spec: ServiceInstanceSpec.fromString(`x: "${'y'.repeat(51_194)}"`),
        templateMajorVersion: '9'.repeat(20),
        templateMinorVersion: '0',
        tags: Object.fromEntries(Array.from({ length: 50 }, (_, n) => [n === 0 ? 'k'.repeat(128) : `k${n}`, n === 0 ? 'v'.repeat(256) : ''])),
        clientToken: '!'.repeat(32) + '~'.repeat(32),
        timeout: Duration.minutes(55),
      }),
    ).not.toThrow();
    expect(() => build({ timeout: Duration.minutes(1) })).not.toThrow();
  });

  test('unresolved tokens are left to the service', () => {
    expect(() =>
      build({
        serviceName: token('front end'),
        serviceInstanceName: token(''),
        spec: ServiceInstanceSpec.fromString(token('a: [')),
        templateMajorVersion: token('latest'),
        tags: { [token('')]: token('v'.repeat(300)) },
        clientToken: token('has spaces'),
      }),
    ).not.toThrow();
  });

  test('a timeout that is a token is refused: the provider is sized by it', () => {
    expect(() => build({ timeout: Duration.seconds(Lazy.number({ produce: () => 60 })) })).toThrow(/invalid timeout: the timeout must be known at synth time/);
  });
});
