// Stands in for follow-redirects in the task bundles. The HTTP client sends every request with
// `maxRedirects: 0` (a token must never follow a redirect to another host), and axios then uses
// Node's own http and https modules; follow-redirects is never called.
'use strict';

module.exports = { http: require('http'), https: require('https') };
