// Stands in for the `jsonwebtoken` package in the task bundles. msal-node uses it only to sign a
// client assertion with a certificate; the tasks authenticate with a client secret, a federated
// token or a managed identity, never a certificate, so signing is refused loudly if ever reached.
'use strict';

function sign() {
  throw new Error('Certificate client assertions are not supported by these tasks.');
}

module.exports = { sign };
module.exports.default = module.exports;
