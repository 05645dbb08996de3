// Stands in for axios's own copy of https-proxy-agent (v5, with agent-base v6) in the task bundles.
// axios uses it only when a request sets axios's `proxy` option; the tasks never do: the one HTTP
// client passes its own agents (the agent's proxy and CA, tasks/common/network.ts) with
// `proxy: false`. Constructing it means that rule was broken, so it fails loudly.
'use strict';

class HttpsProxyAgent {
  constructor() {
    throw new Error("axios's proxy option is not used by these tasks; the HTTP client passes its own proxy agent.");
  }
}

module.exports = HttpsProxyAgent;
module.exports.HttpsProxyAgent = HttpsProxyAgent;
module.exports.default = HttpsProxyAgent;
