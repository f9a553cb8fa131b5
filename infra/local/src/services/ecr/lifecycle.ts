import { AwsError } from "../../contracts.js";

// ECR lifecycle policies: validation of the policy text and which images its rules expire.

export interface LifecycleRule {
  rulePriority: number;
  tagStatus: "tagged" | "untagged" | "any";
  tagPrefixList?: string[];
  tagPatternList?: string[];
  countType: "imageCountMoreThan" | "sinceImagePushed";
  countNumber: number;
}

export interface LifecycleImage {
  digest: string;
  tags: string[];
  pushedAt: string;
}

function invalid(reason: string): AwsError {
  return new AwsError(
    "InvalidParameterException",
    `Invalid parameter at 'LifecyclePolicyText' failed to satisfy constraint: 'Lifecycle policy validation failure: ${reason}'`,
  );
}

export function parseLifecyclePolicy(text: string): LifecycleRule[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw invalid("the policy is not valid JSON");
  }
  const rules = (doc as { rules?: unknown }).rules;
  if (!Array.isArray(rules) || rules.length === 0)
    throw invalid('object has missing required properties (["rules"])');
  const parsed = rules.map(parseRule);
  const priorities = parsed.map((r) => r.rulePriority);
  if (new Set(priorities).size !== priorities.length) throw invalid("rulePriority must be unique");
  return parsed.sort((a, b) => a.rulePriority - b.rulePriority);
}

function parseRule(raw: unknown): LifecycleRule {
  const rule = raw as Record<string, unknown>;
  const selection = (rule?.selection ?? {}) as Record<string, unknown>;
  const action = (rule?.action ?? {}) as Record<string, unknown>;
  const priority = rule?.rulePriority;
  if (typeof priority !== "number" || !Number.isInteger(priority) || priority < 1)
    throw invalid("rulePriority must be a positive integer");
  if (action.type !== "expire") throw invalid("action.type must be 'expire'");
  const tagStatus = selection.tagStatus;
  if (tagStatus !== "tagged" && tagStatus !== "untagged" && tagStatus !== "any") {
    throw invalid("selection.tagStatus must be one of 'tagged', 'untagged', 'any'");
  }
  const prefixes = optionalStrings(selection.tagPrefixList, "tagPrefixList");
  const patterns = optionalStrings(selection.tagPatternList, "tagPatternList");
  if (tagStatus === "tagged" && !prefixes?.length && !patterns?.length) {
    throw invalid("tagPrefixList or tagPatternList is required when tagStatus is 'tagged'");
  }
  const countType = selection.countType;
  if (countType !== "imageCountMoreThan" && countType !== "sinceImagePushed") {
    throw invalid("selection.countType must be 'imageCountMoreThan' or 'sinceImagePushed'");
  }
  if (countType === "sinceImagePushed" && selection.countUnit !== "days")
    throw invalid("countUnit must be 'days' for sinceImagePushed");
  const countNumber = selection.countNumber;
  if (typeof countNumber !== "number" || !Number.isInteger(countNumber) || countNumber < 1) {
    throw invalid("selection.countNumber must be a positive integer");
  }
  return {
    rulePriority: priority,
    tagStatus,
    ...(prefixes ? { tagPrefixList: prefixes } : {}),
    ...(patterns ? { tagPatternList: patterns } : {}),
    countType,
    countNumber,
  };
}

function optionalStrings(v: unknown, name: string): string[] | undefined {
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || v.some((x) => typeof x !== "string"))
    throw invalid(`${name} must be a list of strings`);
  return v as string[];
}

/**
 * Digests the policy expires. Rules apply in priority order; an image selected by a rule (kept or
 * expired) is not considered by later rules, as ECR documents.
 */
export function imagesToExpire(rules: LifecycleRule[], images: LifecycleImage[], now: Date): Set<string> {
  const newestFirst = [...images].sort((a, b) => Date.parse(b.pushedAt) - Date.parse(a.pushedAt));
  const claimed = new Set<string>();
  const expired = new Set<string>();
  for (const rule of rules) {
    const selected = newestFirst.filter((img) => !claimed.has(img.digest) && selects(rule, img));
    for (const img of selected) claimed.add(img.digest);
    if (rule.countType === "imageCountMoreThan") {
      for (const img of selected.slice(rule.countNumber)) expired.add(img.digest);
    } else {
      const limit = now.getTime() - rule.countNumber * 86_400_000;
      for (const img of selected) if (Date.parse(img.pushedAt) < limit) expired.add(img.digest);
    }
  }
  return expired;
}

function selects(rule: LifecycleRule, img: LifecycleImage): boolean {
  if (rule.tagStatus === "untagged") return img.tags.length === 0;
  if (rule.tagStatus === "any") return true;
  return img.tags.some(
    (t) =>
      (rule.tagPrefixList ?? []).some((p) => t.startsWith(p)) ||
      (rule.tagPatternList ?? []).some((p) => tagPattern(p).test(t)),
  );
}

/** ECR tag patterns: `*` matches any run of characters; every other character is literal (no `?`). */
export function tagPattern(pattern: string): RegExp {
  const body = pattern
    .split("*")
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
    .join(".*");
  return new RegExp(`^${body}$`, "s");
}
