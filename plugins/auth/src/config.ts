/**
 * The auth plugin's `config` (under `plugins[].config` in the proxy config), as a zod schema:
 * shapes and cross-field rules here; reading key files and importing keys in `policy.ts`, whose
 * problems are reported as issues at the same paths. Keys are snake_case like the rest of the
 * proxy config.
 */
import { duration, z } from '@mosn/plugin-sdk';
import { JWT_ALGORITHMS } from './keys.js';

const headerName = z
  .string()
  .regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'expected an HTTP header name')
  .transform((name) => name.toLowerCase());
const nonEmpty = z.string().min(1, 'expected a non-empty string');
const oneOrMany = z.union([nonEmpty, z.array(nonEmpty).min(1)]);
// Goes inside a quoted-string of WWW-Authenticate: no quote, backslash or control characters.
const realm = z.string().regex(/^[^"\\\u0000-\u001f\u007f]+$/, 'expected a realm without quotes, backslashes or control characters');

const apiKeyEntry = z.union([
  nonEmpty,
  z.strictObject({ key: nonEmpty, id: nonEmpty.optional(), scopes: z.array(nonEmpty).optional() }),
]);

const apiKeys = z.strictObject({
  /** Header carrying the key; `Authorization: ApiKey <key>` is always accepted too. */
  header: headerName.default('x-api-key'),
  keys: z.array(apiKeyEntry).default([]),
  /** One key per line, or JSON (an array like `keys`). */
  file: nonEmpty.optional(),
  /** Forward the key's id upstream in this header. */
  id_header: headerName.optional(),
});

const jwtKey = z.strictObject({
  alg: z.enum(JWT_ALGORITHMS).optional(),
  kid: nonEmpty.optional(),
  secret: nonEmpty.optional(),
  secret_file: nonEmpty.optional(),
  secret_encoding: z.enum(['utf8', 'base64', 'base64url']).default('utf8'),
  public_key: nonEmpty.optional(),
  public_key_file: nonEmpty.optional(),
  jwk: z.record(z.string(), z.unknown()).optional(),
});

const jwt = z.strictObject({
  /** `authorization` expects `Bearer <token>`; any other header carries the bare token. */
  header: headerName.default('authorization'),
  issuer: oneOrMany.optional(),
  audience: oneOrMany.optional(),
  clock_skew: duration().prefault('60s'),
  require_exp: z.boolean().default(true),
  /** Verified tokens remembered (exp still checked on every use); 0 turns the cache off. */
  cache_size: z.number().int().min(0).max(1_000_000).default(1024),
  keys: z.array(jwtKey).default([]),
  jwks_file: nonEmpty.optional(),
  scope_claim: nonEmpty.default('scope'),
  /** Claim path → upstream header, e.g. `{ "sub": "x-user-id" }`. */
  forward_claims: z.record(nonEmpty, headerName).default({}),
});

const claimValue = z.union([z.string(), z.number(), z.boolean()]);

const rule = z
  .strictObject({
    path_prefix: z.string().startsWith('/', 'expected a path prefix starting with "/"'),
    methods: z.array(nonEmpty.transform((m) => m.toUpperCase())).min(1).optional(),
    public: z.boolean().default(false),
    credentials: z.array(z.enum(['jwt', 'api_key'])).min(1).optional(),
    scopes: z.array(nonEmpty).default([]),
    claims: z.record(nonEmpty, z.union([claimValue, z.array(claimValue).min(1)])).default({}),
  })
  .superRefine((r, ctx) => {
    if (r.public && (r.scopes.length > 0 || Object.keys(r.claims).length > 0 || r.credentials !== undefined)) {
      ctx.addIssue({
        code: 'custom',
        message: 'expected a public rule to require nothing, found scopes, claims or credentials on it',
      });
    }
    if (r.credentials?.length === 1 && r.credentials[0] === 'api_key' && Object.keys(r.claims).length > 0) {
      ctx.addIssue({ code: 'custom', path: ['claims'], message: 'API keys carry no claims: expected "credentials" to include "jwt"' });
    }
  });

export const authConfigInput = z
  .strictObject({
    /** realm in WWW-Authenticate challenges. */
    realm: realm.default('mosn'),
    api_keys: apiKeys.optional(),
    jwt: jwt.optional(),
    rules: z.array(rule).default([]),
    /** What a request no rule matches needs. */
    default: z.enum(['authenticated', 'public', 'deny']).default('authenticated'),
  })
  .superRefine((c, ctx) => {
    const configured = new Set([...(c.jwt === undefined ? [] : ['jwt']), ...(c.api_keys === undefined ? [] : ['api_key'])]);
    const needsCredential = c.default === 'authenticated' || c.rules.some((r) => !r.public);
    if (configured.size === 0 && needsCredential) {
      ctx.addIssue({ code: 'custom', message: 'expected "jwt" or "api_keys" (or every rule public), found neither' });
    }
    c.rules.forEach((r, index) => {
      for (const kind of r.credentials ?? []) {
        if (!configured.has(kind)) {
          ctx.addIssue({
            code: 'custom',
            path: ['rules', index, 'credentials'],
            message: `expected "${kind}" to be configured (top-level "${kind === 'jwt' ? 'jwt' : 'api_keys'}"), found it missing`,
          });
        }
      }
    });
  });

export type AuthConfigInput = z.input<typeof authConfigInput>;
export type AuthConfigParsed = z.output<typeof authConfigInput>;
export type JwtKeyConfig = z.output<typeof jwtKey>;
