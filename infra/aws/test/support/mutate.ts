import type { RecordedResource } from "../../src/invariants/resources.js";

/** A deep copy of a stack with one resource changed, to show a check catches exactly that change. */
export function withChange(
  resources: RecordedResource[],
  match: (r: RecordedResource) => boolean,
  change: (r: RecordedResource) => void,
): RecordedResource[] {
  const copy = structuredClone(resources);
  const targets = copy.filter(match);
  if (targets.length === 0) throw new Error("the change matches no resource: the test itself is wrong");
  targets.forEach(change);
  return copy;
}

/** Edits a JSON-string input (container definitions, policies) in place. */
export function editJson<T>(r: RecordedResource, key: string, edit: (value: T) => void): void {
  const value = JSON.parse(String(r.inputs[key])) as T;
  edit(value);
  r.inputs[key] = JSON.stringify(value);
}
