// Which revisions a rollback goes to and which a deploy may deregister. The rollback target is
// recorded on each revision a deploy registers (the revision that was serving before it); it is
// never deregistered, and neither is the serving one, whatever --keep says.

export interface Revision {
  /** `family:revision` or a full ARN; compared by family:revision. */
  id: string;
  revision: number;
}

/** `arn:...:task-definition/api-qa:12` or `api-qa:12` → { family: "api-qa", revision: 12 }. */
export function parseRevision(id: string): { family: string; revision: number } | undefined {
  const tail = id.includes("task-definition/") ? id.slice(id.lastIndexOf("task-definition/") + 16) : id;
  const match = /^([A-Za-z0-9_-]{1,255}):(\d+)$/.exec(tail);
  return match ? { family: match[1]!, revision: Number(match[2]) } : undefined;
}

function key(id: string): string {
  const parsed = parseRevision(id);
  return parsed ? `${parsed.family}:${parsed.revision}` : id;
}

export function sameRevision(a: string, b: string): boolean {
  return key(a) === key(b);
}

/**
 * The ACTIVE revisions of a family to deregister: all but the newest `keep`, never one in `protect`
 * (the serving revision, its rollback target, anything another deployment still runs).
 */
export function revisionsToDeregister(
  active: readonly string[],
  keep: number,
  protect: readonly string[],
): string[] {
  const protectedKeys = new Set(protect.map(key));
  const newestFirst = [...active].sort(
    (a, b) => (parseRevision(b)?.revision ?? 0) - (parseRevision(a)?.revision ?? 0),
  );
  return newestFirst.slice(Math.max(keep, 0)).filter((id) => !protectedKeys.has(key(id)));
}

/**
 * The revision that serves: the service's task definition, unless its PRIMARY deployment is still
 * rolling out, in which case the last completed deployment's revision still carries the traffic
 * (and is where a failed deploy must go back to).
 */
export function servingRevisionOf(
  serviceTaskDefinition: string,
  deployments: readonly { status: string; taskDefinition: string; rolloutState?: string }[],
): string {
  const primary = deployments.find((d) => d.status === "PRIMARY");
  if (primary?.rolloutState !== "IN_PROGRESS") return serviceTaskDefinition;
  const completed = deployments.find((d) => d.status === "ACTIVE" && d.rolloutState === "COMPLETED");
  return completed?.taskDefinition || serviceTaskDefinition;
}
