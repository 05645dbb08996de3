import { OwnerSpec } from './connections';
import { DataverseClient } from './dataverse';
import { findSystemUsers } from './solution-queries';

/** Anything that names the owner whose connection a reference gets (the `ConnectionOwner` input, per-reference owners). */
export interface OwnerSources {
  ownerFor(logicalName: string): OwnerSpec | undefined;
}

/**
 * The object ids of owners given by UPN, from the environment's system users (`domainname`), in
 * one query per 50 distinct UPNs. The admin connections listing does not always return
 * `createdBy.userPrincipalName` or `email`, but always `createdBy.id`: a UPN owner is matched on
 * the object id found here (and on the UPN when it is not a user of the environment).
 */
export async function resolveOwnerUpns(dataverse: DataverseClient, owners: ReadonlyArray<OwnerSpec | undefined>): Promise<Map<string, string>> {
  const upns = [...new Set(owners.filter((o): o is OwnerSpec => !!o?.upn && !o.objectId).map((o) => o.upn as string))];
  if (upns.length === 0) return new Map();
  const users = await findSystemUsers(dataverse, { upns });
  const result = new Map<string, string>();
  for (const user of users) {
    const upn = user.domainname?.toLowerCase();
    const objectId = user.azureactivedirectoryobjectid?.toLowerCase();
    if (upn && objectId) result.set(upn, objectId);
  }
  return result;
}

/** The owner with the object id of its UPN, when one was found. */
export function withObjectId(owner: OwnerSpec | undefined, objectIds: ReadonlyMap<string, string>): OwnerSpec | undefined {
  if (!owner?.upn || owner.objectId) return owner;
  const objectId = objectIds.get(owner.upn);
  return objectId ? { ...owner, objectId } : owner;
}

/** The sources, whose owners given by UPN carry the object id found for them. */
export function withOwnerObjectIds<T extends OwnerSources>(sources: T, objectIds: ReadonlyMap<string, string>): T {
  if (objectIds.size === 0) return sources;
  // A plain copy: the sources are plain objects, and their users spread them.
  return { ...sources, ownerFor: (logicalName: string) => withObjectId(sources.ownerFor(logicalName), objectIds) };
}

/** The sources with the object ids of every owner they give by UPN for these references (one lookup for all). */
export async function resolveSourceOwners<T extends OwnerSources>(dataverse: DataverseClient, sources: T, logicalNames: readonly string[]): Promise<T> {
  const objectIds = await resolveOwnerUpns(dataverse, logicalNames.map((name) => sources.ownerFor(name)));
  return withOwnerObjectIds(sources, objectIds);
}
