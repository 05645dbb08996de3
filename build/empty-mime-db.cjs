// Stands in for the `mime-db` package (134 KiB of media types) in the task bundles. axios pulls it
// in through form-data, which uses it only to guess the type of a file part of a multipart body;
// the tasks send JSON and form-encoded token requests only, so no lookup ever happens.
'use strict';

module.exports = {};
