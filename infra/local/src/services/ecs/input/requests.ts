import type { PageRequest } from "../../../wire/paging.js";
import type { ListTaskDefinitionsFilter } from "../model/task-definitions.js";
import type { ListTasksFilter } from "../model/tasks.js";
import type { Tag } from "../model/types.js";
import { invalid } from "../model/validation.js";
import { list, object, optionalInt, optionalString, stringList } from "./values.js";

// The other ECS requests read into typed inputs: resource references, list filters, tags, pages.

export const clusterRef = (input: Record<string, unknown>) => optionalString(input.cluster, "cluster");

/** The references a Describe operation takes: 1 to `max` of them. */
export function references(input: Record<string, unknown>, name: string, max: number, noun = name): string[] {
  const refs = stringList(input[name], name);
  if (refs.length === 0 || refs.length > max) throw invalid(`${name} must name 1 to ${max} ${noun}.`);
  return refs;
}

export function includesTags(input: Record<string, unknown>): boolean {
  return stringList(input.include, "include").includes("TAGS");
}

export function tagsOf(value: unknown): Tag[] {
  const tags = list(value, "tags").map((t, i) => {
    const o = object(t, `tags[${i}]`);
    if (typeof o.key !== "string" || o.key.length < 1 || o.key.length > 128) {
      throw invalid(`tags[${i}].key must be 1-128 characters.`);
    }
    if (o.value !== undefined && (typeof o.value !== "string" || o.value.length > 256)) {
      throw invalid(`tags[${i}].value must be at most 256 characters.`);
    }
    return { key: o.key, value: (o.value as string | undefined) ?? "" };
  });
  if (tags.length > 50) throw invalid("A resource can have at most 50 tags.");
  return tags;
}

export function listTaskDefinitionsFilter(input: Record<string, unknown>): ListTaskDefinitionsFilter {
  const status = (optionalString(input.status, "status") ?? "ACTIVE") as ListTaskDefinitionsFilter["status"];
  if (!["ACTIVE", "INACTIVE", "DELETE_IN_PROGRESS"].includes(status))
    throw invalid("status must be ACTIVE or INACTIVE.");
  const sort = (optionalString(input.sort, "sort") ?? "ASC") as "ASC" | "DESC";
  if (sort !== "ASC" && sort !== "DESC") throw invalid("sort must be ASC or DESC.");
  const familyPrefix = optionalString(input.familyPrefix, "familyPrefix");
  return { status, sort, ...(familyPrefix ? { familyPrefix } : {}) };
}

export function familiesFilter(input: Record<string, unknown>) {
  const status = (optionalString(input.status, "status") ?? "ACTIVE") as "ACTIVE" | "INACTIVE" | "ALL";
  if (!["ACTIVE", "INACTIVE", "ALL"].includes(status))
    throw invalid("status must be ACTIVE, INACTIVE or ALL.");
  return { familyPrefix: optionalString(input.familyPrefix, "familyPrefix"), status };
}

export function listTasksFilter(input: Record<string, unknown>): ListTasksFilter {
  return {
    cluster: clusterRef(input),
    serviceName: optionalString(input.serviceName, "serviceName"),
    family: optionalString(input.family, "family"),
    startedBy: optionalString(input.startedBy, "startedBy"),
    desiredStatus: optionalString(input.desiredStatus, "desiredStatus"),
  };
}

/** ECS list pages: `maxResults` (1 to 100, 100 by default) and `nextToken`. */
export function pageRequest(input: Record<string, unknown>): PageRequest {
  return {
    size: optionalInt(input.maxResults, "maxResults", 1, 100) ?? 100,
    token: optionalString(input.nextToken, "nextToken"),
  };
}

export const invalidToken = () => invalid("Invalid nextToken.");
