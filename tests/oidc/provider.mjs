// A real OpenID Connect provider (npm `oidc-provider` 9) for slotapp's single sign-on tests.
//
// Listens on 127.0.0.1 on a port of its own choosing, then prints `READY <issuer>` on stdout.
// Environment: CLIENT_ID, CLIENT_SECRET, REDIRECT_URI (the app's /auth/sso/callback),
// CONFORM=1 to keep email claims out of the ID token (the app must read them from userinfo,
// as with Okta), OIDC_MODULES (the node_modules that holds oidc-provider; default
// .tools/oidc/node_modules of the repository).
//
// Accounts are made up from the login typed in the dev login form:
//   "alice"            -> alice@example.com, email_verified true, name "Alice"
//   "Bob@Example.COM"  -> that address as typed (mixed case), verified
//   "unverified-..."   -> email_verified false
//   "noemail-..."      -> no email claim at all
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { createServer } from "node:http";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const modules = process.env.OIDC_MODULES ?? join(here, "../../.tools/oidc/node_modules");
const entry = createRequire(join(modules, "_")).resolve("oidc-provider");
const { default: Provider } = await import(pathToFileURL(entry).href);

function claimsOf(login) {
  const local = login.split("@")[0];
  const claims = { sub: login, name: local.charAt(0).toUpperCase() + local.slice(1) };
  if (!login.startsWith("noemail")) {
    claims.email = login.includes("@") ? login : `${login}@example.com`;
    claims.email_verified = !login.startsWith("unverified");
  }
  return claims;
}

const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
const server = createServer();
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
const issuer = `http://127.0.0.1:${server.address().port}`;

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: process.env.CLIENT_ID,
      client_secret: process.env.CLIENT_SECRET,
      redirect_uris: [process.env.REDIRECT_URI],
      grant_types: ["authorization_code"],
      response_types: ["code"],
      token_endpoint_auth_method: "client_secret_basic",
    },
  ],
  jwks: { keys: [{ ...privateKey.export({ format: "jwk" }), kid: "test", use: "sig" }] },
  cookies: { keys: [randomBytes(32).toString("hex")] },
  claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"] },
  conformIdTokenClaims: process.env.CONFORM === "1",
  pkce: { required: () => true },
  findAccount: (_ctx, id) => ({ accountId: id, claims: () => claimsOf(id) }),
});
server.on("request", provider.callback());
process.stdout.write(`READY ${issuer}\n`);
