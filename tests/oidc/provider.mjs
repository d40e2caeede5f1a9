// A real OpenID provider on loopback for the sign-in tests (oidc-provider, OpenID-certified).
// Configuration comes from the environment (set by tests/fixtures/oidc.py):
//   OIDC_PORT, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, OIDC_REDIRECT_URI, OIDC_POST_LOGOUT_URI,
//   OIDC_ACCOUNTS: JSON {login: {claim: value, ...}}; the login form (dev interactions)
//   accepts any login, and the account's claims come from this map.
import Provider from 'oidc-provider';

const env = process.env;
const port = Number(env.OIDC_PORT);
const accounts = JSON.parse(env.OIDC_ACCOUNTS || '{}');
const claimNames = [...new Set(Object.values(accounts).flatMap((c) => Object.keys(c)))];

const provider = new Provider(`http://127.0.0.1:${port}`, {
  clients: [{
    client_id: env.OIDC_CLIENT_ID,
    client_secret: env.OIDC_CLIENT_SECRET,
    redirect_uris: [env.OIDC_REDIRECT_URI],
    post_logout_redirect_uris: env.OIDC_POST_LOGOUT_URI ? [env.OIDC_POST_LOGOUT_URI] : [],
    grant_types: ['authorization_code'],
    response_types: ['code'],
  }],
  claims: { openid: ['sub', ...claimNames] },
  conformIdTokenClaims: false, // the requested claims in the ID token itself
  pkce: { required: () => true },
  cookies: { keys: ['nearmiss-test-only'] },
  async findAccount(ctx, id) {
    return { accountId: id, async claims() { return { sub: id, ...(accounts[id] || {}) }; } };
  },
});
provider.listen(port, '127.0.0.1', () => console.log(`oidc-provider listening on ${port}`));
