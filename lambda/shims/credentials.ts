/**
 * Stands in for `@aws-sdk/credential-provider-node` in the handler bundle: the `bundle` task in .projenrc.ts
 * aliases that package to this file. The Proton client's runtime config imports `defaultProvider` from it
 * statically, so passing `credentials` to the client would not keep the default chain out of the bundle.
 *
 * Why environment only: Lambda puts the function's credentials in the environment (AWS_ACCESS_KEY_ID,
 * AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN), and so does the local driver that runs the bundle in the wire tests.
 * The chain's other providers (SSO, INI files, credential_process, web identity, IMDS/ECS, with their nested
 * STS/SSO clients) never apply there, yet cost about 137 KB of the bundle and its cold-start load time.
 *
 * Outside Lambda, the bundle therefore needs those variables set: `fromEnv` rejects with
 * CredentialsProviderError when AWS_ACCESS_KEY_ID or AWS_SECRET_ACCESS_KEY is missing.
 */
import { fromEnv, FromEnvInit } from '@aws-sdk/credential-provider-env';

/**
 * The SDK calls this with the client's config (it reads only `logger` from it) and uses the returned provider
 * for every request; reading a few environment variables per request costs nothing worth memoizing.
 */
export function defaultProvider(init?: FromEnvInit): ReturnType<typeof fromEnv> {
  return fromEnv(init);
}
