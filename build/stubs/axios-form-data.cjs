// Stands in for form-data (and its combined-stream, asynckit and mime-types) in the task bundles.
// axios needs it only to send multipart bodies; the tasks send JSON and form-encoded strings.
'use strict';

class FormData {
  constructor() {
    throw new Error('Multipart bodies are not sent by these tasks.');
  }
}

module.exports = FormData;
module.exports.default = FormData;
