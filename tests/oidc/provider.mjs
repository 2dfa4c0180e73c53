// A real OpenID Provider for the tests: the certified `oidc-provider` package, on 127.0.0.1.
//
// Started by tests/oidc_provider.py with its settings in the environment:
//   PROVIDER_PORT     port to listen on (127.0.0.1 only)
//   PROVIDER_ISSUER   the issuer URL (http://localhost:PORT: another site than the app's
//                     127.0.0.1, so the login crosses sites as it does in production)
//   PROVIDER_CLIENTS  JSON list of clients (client_id, client_secret, redirect_uris,
//                     post_logout_redirect_uris)
//   PROVIDER_CONTROL  a random token: the test-only control endpoints below need it
// It prints "listening" once it accepts connections.
//
// Its own pages (login, logout) are tiny and load nothing from elsewhere; the package's
// development pages would load a web font from the internet.
//
// Test-only control (POST, header X-Control: PROVIDER_CONTROL, JSON body):
//   /__test__/accounts  {"anna": {"password": "...", "claims": {...}}}: who can log in
//   /__test__/id-token  {"mode": "..."}: what the token endpoint does to the ID token it
//                       issued, to show that the client refuses a bad one:
//     normal          nothing
//     expired         exp an hour ago, signed again with the provider's key
//     wrong_audience  aud another client's id (azp stays), signed again with the provider's key
//     wrong_issuer    iss another issuer, signed again with the provider's key
//     wrong_nonce     nonce another one, signed again with the provider's key
//     tampered        a claim changed after signing: the signature no longer matches
//     wrong_key       signed with a key the provider never published, under its key id
import { createHash, generateKeyPairSync, randomBytes, sign } from 'node:crypto';

import Provider, { errors } from 'oidc-provider';

const port = Number(process.env.PROVIDER_PORT);
const issuer = process.env.PROVIDER_ISSUER;
const clients = JSON.parse(process.env.PROVIDER_CLIENTS);
const control = process.env.PROVIDER_CONTROL;
if (!port || !issuer || !control) {
  console.error('PROVIDER_PORT, PROVIDER_ISSUER and PROVIDER_CONTROL must be set');
  process.exit(2);
}

const KID = 'test-signing-key';
const signingKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
const strangerKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;

const MODES = new Set(['normal', 'expired', 'wrong_audience', 'wrong_issuer', 'wrong_nonce', 'tampered',
  'wrong_key']);
let accounts = {};
let idTokenMode = 'normal';

const html = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const page = (title, body) => `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${html(title)}</title></head>
<body><main><h1>${html(title)}</h1>${body}</main></body></html>`;

const configuration = {
  clients: clients.map((client) => ({
    response_types: ['code'],
    grant_types: ['authorization_code'],
    token_endpoint_auth_method: 'client_secret_basic',
    id_token_signed_response_alg: 'RS256',
    ...client,
  })),
  jwks: { keys: [{ ...signingKey.export({ format: 'jwk' }), kid: KID, use: 'sig', alg: 'RS256' }] },
  cookies: { keys: [randomBytes(32).toString('hex')] },
  // PKCE for every client, confidential ones too (as the OAuth 2.0 Security BCP asks).
  pkce: { required: () => true },
  scopes: ['openid', 'email', 'profile', 'kvk'],
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', 'given_name', 'family_name', 'bsn'],
    // As a broker carrying eHerkenning would: the KvK number the person may act for. The BSN
    // comes with the profile, as some DigiD brokers send it: the client must never keep it.
    kvk: ['kvk'],
  },
  extraClaims: {},
  // Claims in the ID token too (as Keycloak sends them), not only from the userinfo endpoint.
  conformIdTokenClaims: false,
  findAccount: async (ctx, id) => {
    const account = accounts[id];
    if (!account) return undefined;
    return {
      accountId: id,
      claims: async () => ({ sub: id, ...account.claims }),
    };
  },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  features: {
    devInteractions: { enabled: false },
    rpInitiatedLogout: {
      enabled: true,
      logoutSource: async (ctx, form) => {
        ctx.type = 'html';
        ctx.body = page('Log out at the provider?', `${form}
<button type="submit" form="op.logoutForm" value="yes" name="logout">Yes, log me out</button>
<button type="submit" form="op.logoutForm">No, stay logged in</button>`);
      },
      postLogoutSuccessSource: async (ctx) => {
        ctx.type = 'html';
        ctx.body = page('Logged out at the provider', '<p>You are logged out.</p>');
      },
    },
  },
  renderError: async (ctx, out) => {
    ctx.type = 'html';
    ctx.body = page('Provider error', `<p>${html(out.error)}: ${html(out.error_description)}</p>`);
  },
  // Nothing long-lived: a test run is minutes.
  ttl: { AccessToken: 600, AuthorizationCode: 60, IdToken: 600, Interaction: 600, Session: 3600, Grant: 3600 },
};

const provider = new Provider(issuer, configuration);
provider.proxy = false;

// --- ID tokens made bad on purpose -----------------------------------------------------------

const b64 = (value) => Buffer.from(value).toString('base64url');

function signed(header, claims, key) {
  const input = `${b64(JSON.stringify(header))}.${b64(JSON.stringify(claims))}`;
  return `${input}.${sign('sha256', Buffer.from(input), key).toString('base64url')}`;
}

function spoil(idToken, mode) {
  const [headerPart, claimsPart, signature] = idToken.split('.');
  const header = JSON.parse(Buffer.from(headerPart, 'base64url'));
  const claims = JSON.parse(Buffer.from(claimsPart, 'base64url'));
  const now = Math.floor(Date.now() / 1000);
  switch (mode) {
    case 'expired':
      return signed(header, { ...claims, iat: now - 7200, exp: now - 3600 }, signingKey);
    case 'wrong_audience':
      return signed(header, { ...claims, aud: 'another-client', azp: claims.azp || claims.aud }, signingKey);
    case 'wrong_issuer':
      return signed(header, { ...claims, iss: 'http://localhost:9/another-issuer' }, signingKey);
    case 'wrong_nonce':
      return signed(header, { ...claims, nonce: 'not-the-nonce-that-was-sent' }, signingKey);
    case 'tampered':
      return `${headerPart}.${b64(JSON.stringify({ ...claims, sub: 'someone-else' }))}.${signature}`;
    case 'wrong_key':
      return signed(header, claims, strangerKey);
    default:
      throw new Error(`unknown ID token mode ${mode}`);
  }
}

provider.use(async (ctx, next) => {
  if (ctx.path.startsWith('/__test__/')) {
    await controlRequest(ctx);
    return;
  }
  if (ctx.path.startsWith('/interaction/')) {
    await interaction(ctx);
    return;
  }
  await next();
  if (ctx.path === '/token' && ctx.status === 200 && idTokenMode !== 'normal' && ctx.body?.id_token) {
    ctx.body = { ...ctx.body, id_token: spoil(ctx.body.id_token, idTokenMode) };
  }
});

async function readJson(ctx) {
  const chunks = [];
  for await (const chunk of ctx.req) chunks.push(chunk);
  return JSON.parse(Buffer.concat(chunks).toString() || '{}');
}

async function readForm(ctx) {
  const chunks = [];
  for await (const chunk of ctx.req) chunks.push(chunk);
  return Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString()));
}

async function controlRequest(ctx) {
  const given = Buffer.from(ctx.get('X-Control'));
  const expected = Buffer.from(control);
  const digest = (buffer) => createHash('sha256').update(buffer).digest('hex');
  if (ctx.method !== 'POST' || digest(given) !== digest(expected)) {
    ctx.status = 403;
    return;
  }
  const body = await readJson(ctx);
  if (ctx.path === '/__test__/accounts') {
    accounts = body;
  } else if (ctx.path === '/__test__/id-token') {
    if (!MODES.has(body.mode)) {
      ctx.status = 400;
      return;
    }
    idTokenMode = body.mode;
  } else {
    ctx.status = 404;
    return;
  }
  ctx.body = { ok: true };
}

// --- the provider's own login page -----------------------------------------------------------

function loginPage(uid, error, login) {
  return page('Log in at the test provider', `${error ? `<p role="alert">${html(error)}</p>` : ''}
<form method="post" action="/interaction/${html(uid)}">
  <p><label for="login">Username</label> <input id="login" name="login" value="${html(login || '')}" required></p>
  <p><label for="password">Password</label> <input id="password" name="password" type="password" required></p>
  <p><button type="submit">Log in at the provider</button></p>
</form>`);
}

async function interaction(ctx) {
  const uid = ctx.path.split('/')[2];
  let details;
  try {
    details = await provider.interactionDetails(ctx.req, ctx.res);
  } catch (error) {
    if (error instanceof errors.SessionNotFound) {
      ctx.status = 400;
      ctx.type = 'html';
      ctx.body = page('Provider error', '<p>This login has expired. Start again.</p>');
      return;
    }
    throw error;
  }
  const { prompt, params, session, grantId } = details;
  ctx.set('Cache-Control', 'no-store');
  if (prompt.name === 'login') {
    if (ctx.method === 'GET') {
      ctx.type = 'html';
      ctx.body = loginPage(uid, '', params.login_hint);
      return;
    }
    const form = await readForm(ctx);
    const account = accounts[form.login];
    if (!account || account.password !== form.password) {
      ctx.status = 200;
      ctx.type = 'html';
      ctx.body = loginPage(uid, 'Unknown username or wrong password.', form.login);
      return;
    }
    const to = await provider.interactionResult(ctx.req, ctx.res,
      { login: { accountId: form.login } }, { mergeWithLastSubmission: false });
    ctx.redirect(to);
    return;
  }
  if (prompt.name === 'consent') {
    // A broker asks no consent for the municipality's own site: granted at once.
    const grant = grantId ? await provider.Grant.find(grantId)
      : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
    if (prompt.details.missingOIDCScope) grant.addOIDCScope(prompt.details.missingOIDCScope.join(' '));
    if (prompt.details.missingOIDCClaims) grant.addOIDCClaims(prompt.details.missingOIDCClaims);
    const to = await provider.interactionResult(ctx.req, ctx.res,
      { consent: { grantId: await grant.save() } }, { mergeWithLastSubmission: true });
    ctx.redirect(to);
    return;
  }
  ctx.status = 501;
}

const server = provider.listen(port, '127.0.0.1', () => {
  console.log('listening');
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
