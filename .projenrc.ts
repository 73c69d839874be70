import { awscdk, javascript, JsonFile } from 'projen';
import { UpdateSnapshot } from 'projen/lib/javascript';

/** The Lambda runtime the handler bundle targets; the construct names the same one in src/private/runtime.ts. */
const HANDLER_NODE_TARGET = 'node22';

/** Folders of TypeScript outside the jsii API: the handler, the local emulator and driver, the example app, benchmarks. */
const TOOLING_DIRS = ['lambda', 'local', 'examples', 'bench'];

/** Where `package:check-languages` writes the Python and Java sources it generates (ignored, never packaged). */
const LANGUAGE_CHECK_DIR = '.languages-check';

/** integ-runner over test/integ/, TypeScript run by ts-node (the snapshot lives next to the test). */
const INTEG_RUNNER = [
  'integ-runner --directory test/integ --language typescript',
  '--app "ts-node --transpile-only --project test/tsconfig.json {filePath}"',
].join(' ');

const project = new awscdk.AwsCdkConstructLibrary({
  name: 'cdk-proton',
  description:
    'AWS CDK L2 construct for AWS Proton service instances: create, wait for the deployment, update and remove them from a CDK app.',
  author: 'cdk-proton maintainers',
  authorAddress: 'maintainers@cdk-proton.dev',
  repositoryUrl: 'https://github.com/cdk-proton/cdk-proton.git',
  keywords: ['awscdk', 'cdk', 'proton', 'aws-proton', 'custom-resource'],
  stability: 'experimental',
  license: 'Apache-2.0',
  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,

  cdkVersion: '2.257.0',
  constructsVersion: '10.5.1',
  jsiiVersion: '~6.0.0',

  // Runtime dependencies shipped inside the jsii package (bundledDependencies).
  bundledDeps: ['yaml@^2.9.1', 'ajv@^8.20.0'],
  devDeps: [
    // The handler bundle pins its own SDK instead of relying on the Lambda runtime's copy.
    '@aws-sdk/client-proton@3.1029.0',
    // The handler asks CloudFormation for its own stack's status (is this Delete the rollback of the operation that
    // created the resource?); the same release line as client-proton, so the two share their SDK core in the bundle.
    '@aws-sdk/client-cloudformation@3.1029.0',
    // Imported by lambda/shims/credentials.ts, which the bundle uses in place of the default credential chain;
    // the exact version client-proton already pulls in (through credential-provider-node), so nothing is added.
    '@aws-sdk/credential-provider-env@3.972.85',
    '@types/aws-lambda@^8.10.164',
    'aws-sdk-client-mock@^4.1.0',
    'aws-sdk-client-mock-jest@^4.1.0',
    'esbuild@^0.28.2',
    'aws-cdk@^2.1148.0',
    // Publish-readiness checks: the cdk-nag 2.x line works with the pinned aws-cdk-lib; integ-runner 2.197
    // reads the cloud-assembly schema aws-cdk-lib 2.257 writes.
    'cdk-nag@2.38.2',
    '@aws-cdk/integ-tests-alpha@2.245.0-alpha.0',
    '@aws-cdk/integ-runner@2.197.10',
  ],

  publishToPypi: { distName: 'cdk-proton', module: 'cdk_proton' },
  publishToMaven: {
    javaPackage: 'io.github.cdkproton',
    mavenGroupId: 'io.github.cdk-proton',
    mavenArtifactId: 'cdk-proton',
  },
  publishToNuget: { dotNetNamespace: 'CdkProton', packageId: 'CdkProton' },
  publishToGo: { moduleName: 'github.com/cdk-proton/cdk-proton-go' },

  // CI must fail on a stale snapshot or a lint error instead of rewriting files.
  jestOptions: {
    updateSnapshot: UpdateSnapshot.NEVER,
    jestConfig: {
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      setupFilesAfterEnv: ['<rootDir>/test/setup/jest.setup.ts'],
      snapshotSerializers: ['<rootDir>/test/setup/asset-hash-serializer.ts', '<rootDir>/test/setup/framework-runtime-serializer.ts'],
    },
  },
  eslintOptions: { dirs: ['src'], devdirs: ['test', ...TOOLING_DIRS], commandOptions: { fix: false } },
  tsconfigDev: { include: TOOLING_DIRS.map((dir) => `../${dir}/**/*.ts`) },

  gitignore: ['/cdk.out/', '/examples/cdk.out/', '/test/**/cdk.out/', '*.tsbuildinfo', `/${LANGUAGE_CHECK_DIR}/`, '/.jsii.tabl.json'],
  githubOptions: { mergify: false },
  buildWorkflow: false,
  release: false,
  depsUpgrade: false,
  pullRequestTemplate: false,
});

project.addPackageIgnore('/lambda/');
project.addPackageIgnore('/local/');
project.addPackageIgnore('/examples/');
project.addPackageIgnore('/bench/');
project.addPackageIgnore('/.ci/');
project.addPackageIgnore(`/${LANGUAGE_CHECK_DIR}/`);

// The custom-resource handler: bundled with esbuild (SDK included, minified) into assets/, shipped in the npm package.
project.bundler.bundleTask.exec(
  [
    'esbuild lambda/index.ts --bundle --platform=node',
    `--target=${HANDLER_NODE_TARGET}`,
    '--minify --main-fields=module,main --legal-comments=none',
    // The bundle is CommonJS: load Node built-ins with require() rather than import(), which also works in a vm.
    '--supported:dynamic-import=false',
    // `yaml`'s `node` export is CommonJS, which esbuild cannot tree-shake; its browser/ folder is the same code
    // as ESM (the alias bypasses the package's `exports`). About -17 KB.
    '--alias:yaml=./node_modules/yaml/browser/index.js',
    // Credentials from the environment only (see the shim for why): drops the default chain's SSO, INI, process,
    // web-identity and IMDS providers and their nested STS/SSO clients. About -137 KB and a faster cold start.
    '--alias:@aws-sdk/credential-provider-node=./lambda/shims/credentials.ts',
    '--outfile=assets/service-instance-handler/index.js',
  ].join(' '),
);

// Tests synthesize stacks that reference the bundle: build it before jest runs, so a fresh clone passes.
project.testTask.prependSpawn(project.bundler.bundleTask);

for (const dir of TOOLING_DIRS) {
  project.eslint?.allowDevDeps(`${dir}/**`);
  // eslint's project service needs a tsconfig in each folder it lints.
  new JsonFile(project, `${dir}/tsconfig.json`, {
    obj: {
      extends: '../tsconfig.json',
      compilerOptions: { rootDir: '..', noEmit: true },
      include: ['**/*.ts', '../src/**/*.ts'],
    },
  });
}


// The README's main command (for now): synthesize the example app with the real cdk CLI, offline.
project.addTask('synth:example', {
  description: 'Synthesize the example app in examples/ with the cdk CLI',
  cwd: 'examples',
  steps: [{ spawn: 'bundle' }, { exec: 'cdk synth --no-notices --quiet' }],
});

// The README's main command: synthesize the example app, deploy it into the local Proton emulator through the
// CloudFormation driver, then update and delete it, printing what a user would watch.
project.addTask('demo', {
  description: 'Deploy the example app against the embedded local Proton emulator (offline)',
  steps: [{ spawn: 'bundle' }, { exec: 'ts-node --transpile-only --project local/tsconfig.json local/demo/main.ts' }],
});

// Measurements, not tests: prints the table that BENCHMARKS.md records.
project.addTask('bench', {
  description: 'Run the benchmarks in bench/ and print their table',
  steps: [{ spawn: 'bundle' }, { exec: 'ts-node --transpile-only --project bench/tsconfig.json bench/run.ts' }],
});

// Publish-readiness checks that run after compile (.ci/run runs each of them).

// The README's examples compile, strictly, against the jsii assembly: Construct Hub transliterates them to every
// language. Snippets run inside rosetta/default.ts-fixture (a Stack constructor).
project.addTask('rosetta:extract', {
  description: 'Compile the README examples with jsii-rosetta in strict mode (needs compile)',
  steps: [{ exec: 'jsii-rosetta extract --strict --fail' }],
});

// The API transliterates: generate the Python and Java sources (no PyPI or Maven needed). .NET and Go stay
// configured for packaging but cannot be generated without their toolchains here.
project.addTask('package:check-languages', {
  description: 'Generate the Python and Java sources with jsii-pacmak --code-only (needs compile)',
  steps: [
    { exec: `rm -rf ${LANGUAGE_CHECK_DIR}` },
    { exec: `jsii-pacmak --code-only --targets python --targets java --outdir ${LANGUAGE_CHECK_DIR} --force` },
    // The generated Python must at least parse (building it needs PyPI; compiling the Java needs Maven Central).
    { exec: `python3 -m compileall -q ${LANGUAGE_CHECK_DIR}/python/src` },
  ],
});

// The integration test's snapshot, compared offline: --dry-run never deploys, and fails when the snapshot is stale.
project.addTask('integ:verify', {
  description: 'Check that the committed integ test snapshot matches test/integ (offline)',
  steps: [{ spawn: 'bundle' }, { exec: `${INTEG_RUNNER} --dry-run` }],
});
project.addTask('integ:update', {
  description: 'Rewrite the integ test snapshot from test/integ (offline, deploys nothing)',
  steps: [{ spawn: 'bundle' }, { exec: `${INTEG_RUNNER} --dry-run --update-on-failed` }],
});

project.synth();
