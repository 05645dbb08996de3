// Stands in for the `debug` package in the task bundles. https-proxy-agent (also the copy inside
// axios) logs the proxy URL, password included, through `debug` whenever a DEBUG variable is set,
// and a pipeline variable named DEBUG reaches the task as exactly that. The tasks have their own
// debug output (System.Debug), so every `debug` namespace is silent.
'use strict';

function createDebug() {
  const log = () => {};
  log.enabled = false;
  log.namespace = '';
  log.log = () => {};
  log.extend = createDebug;
  log.destroy = () => {};
  return log;
}
createDebug.enable = () => {};
createDebug.disable = () => '';
createDebug.enabled = () => false;
createDebug.formatters = {};
createDebug.names = [];
createDebug.skips = [];

module.exports = createDebug;
module.exports.default = createDebug;
