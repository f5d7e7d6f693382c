// demo_authorization_server.mjs — a mock OAuth authorization server for
// trying `authz-gateway serve` by hand (docs/http-gateway.md), built on the
// pinned oauth2-mock-server: `node tests/e2e/demo_authorization_server.mjs
// [PORT]` serves /token (client credentials; the form fields `sub` and
// `roles` become the token's claims, `aud` its audience) and /jwks. Not a
// test: nothing registers it with ctest (only *.test.mjs files are).
import { OAuth2Server } from 'oauth2-mock-server';

const port = Number(process.argv[2] ?? 9400);
const server = new OAuth2Server();
await server.issuer.keys.generate('RS256');
server.service.on('beforeTokenSigning', (token, request) => {
  token.payload.sub = request.body.sub ?? 'anonymous';
  token.payload.roles = request.body.roles ? request.body.roles.split(' ') : [];
  token.payload.azp = 'demo-client';
});
await server.start(port, '127.0.0.1');
console.log(`issuer ${server.issuer.url}`);
