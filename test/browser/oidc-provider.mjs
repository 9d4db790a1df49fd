// A real OpenID Connect provider for the browser test (node-oidc-provider), on 127.0.0.1:<port>, with one
// client: the console at <redirect>. Its development interactions accept any login (the email the person
// signs in as) with any password, then ask for consent: a browser goes through the same pages and
// redirects as with a production identity provider.
//
//   node test/browser/oidc-provider.mjs <port> <redirect_uri> <client_secret>
import Provider from 'oidc-provider';

const [port, redirect, secret] = process.argv.slice(2);
const issuer = `http://127.0.0.1:${port}`;
const provider = new Provider(issuer, {
  clients: [
    {
      client_id: 'ue-console',
      client_secret: secret,
      redirect_uris: [redirect],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_post',
    },
  ],
  // The login is the person's email; the provider vouches for it.
  findAccount: (_ctx, sub) => ({
    accountId: sub,
    claims: () => ({ sub, email: sub, email_verified: true, name: `Person ${sub}` }),
  }),
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
  // The email and name in the ID token itself (the console reads the ID token's claims).
  conformIdTokenClaims: false,
  pkce: { required: () => true },
  features: { devInteractions: { enabled: true } },
});
provider.listen(Number(port), '127.0.0.1', () => process.stdout.write(`oidc-provider ready at ${issuer}\n`));
