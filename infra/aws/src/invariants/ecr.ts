import { APP_NAMES, type EnvironmentName } from "@platform/env";
import type { Violation } from "./context.js";
import { list, obj, ofType, parseJson, type RecordedResource, TYPES } from "./resources.js";

/** Every service's repository: immutable tags, scan on push, and a lifecycle that keeps the last N. */
export function checkRepositories(resources: RecordedResource[], env: EnvironmentName): Violation[] {
  return APP_NAMES.flatMap((app) => {
    const name = `${app}-${env}`;
    const repository = ofType(resources, TYPES.repository).find((r) => r.inputs.name === name);
    if (!repository) return [`ECR repository ${name}: missing`];
    const v: Violation[] = [];
    if (repository.inputs.imageTagMutability !== "IMMUTABLE") {
      v.push(
        `ECR repository ${name}: tags are ${String(repository.inputs.imageTagMutability)}; they must be IMMUTABLE so a tag always names the same image`,
      );
    }
    if (obj(repository.inputs.imageScanningConfiguration).scanOnPush !== true) {
      v.push(`ECR repository ${name}: scanOnPush is off`);
    }
    const policy = ofType(resources, TYPES.lifecyclePolicy).find((p) => p.inputs.repository === name);
    const rules = list(obj(parseJson(policy?.inputs.policy)).rules).map(obj);
    if (!rules.some((r) => obj(r.selection).countType === "imageCountMoreThan")) {
      v.push(`ECR repository ${name}: no lifecycle rule keeping the last N images`);
    }
    return v;
  });
}
