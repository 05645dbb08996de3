// Task ids per publisher. The Marketplace build (PRODUCTION_PUBLISHER) ships the ids committed in
// each task.json, which never change within a major version. A package built for any other
// publisher (a private test build) gets ids derived from publisher, extension id and task name, so
// both extensions can be installed in one organisation without their tasks colliding. The derived
// id is a name-based UUID (RFC 4122 version 5): the same inputs always give the same id, so a test
// build keeps its ids from one package to the next.
import { createHash } from 'node:crypto';

/** The publisher of the Marketplace listing: its packages carry the committed task ids. */
export const PRODUCTION_PUBLISHER = 'dataverse-alm';

/** Namespace of the derived ids (a fixed random UUID that belongs to this extension). */
export const TASK_ID_NAMESPACE = '245faa1e-4b96-4212-a2e1-06293ac5c251';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** RFC 4122 version 5 UUID of `name` in `namespace`. */
export function uuidV5(namespace, name) {
  if (!UUID.test(namespace)) throw new Error(`namespace '${namespace}' is not a UUID.`);
  const hash = createHash('sha1')
    .update(Buffer.from(namespace.replaceAll('-', ''), 'hex'))
    .update(Buffer.from(name, 'utf8'))
    .digest();
  const bytes = hash.subarray(0, 16);
  bytes[6] = (bytes[6] & 0x0f) | 0x50;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Publisher ids are case-insensitive in the Marketplace. */
export const isProductionPublisher = (publisher) => publisher.toLowerCase() === PRODUCTION_PUBLISHER;

/**
 * The id a task gets in a package for `publisher`: the committed id for the production publisher,
 * otherwise one derived from publisher, extension id and task name (not the version, so that every
 * version of a task keeps one id).
 */
export function taskIdFor({ publisher, extensionId, taskName, committedId }) {
  if (isProductionPublisher(publisher)) return committedId;
  return uuidV5(TASK_ID_NAMESPACE, [publisher, extensionId, taskName].map((part) => part.toLowerCase()).join('/'));
}
