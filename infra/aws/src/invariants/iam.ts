import { UNSCOPABLE_ACTIONS } from "../iam.js";
import type { Violation } from "./context.js";
import { list, obj, ofType, parseJson, type RecordedResource, TYPES } from "./resources.js";

/** Least privilege: no wildcard actions, and `Resource: "*"` only where AWS allows nothing narrower. */
export function checkPolicies(resources: RecordedResource[]): Violation[] {
  return ofType(resources, TYPES.rolePolicy).flatMap((policy) => {
    const statements = list(obj(parseJson(policy.inputs.policy)).Statement).map(obj);
    if (statements.length === 0) return [`IAM policy ${policy.name}: unreadable or empty`];
    return statements.flatMap((s, i) =>
      checkStatement(`IAM policy ${policy.name} statement ${String(s.Sid ?? i)}`, s),
    );
  });
}

function checkStatement(label: string, s: Record<string, unknown>): Violation[] {
  if (s.Effect !== "Allow") return [];
  const actions = asList(s.Action);
  const resources = asList(s.Resource);
  const v: Violation[] = [];
  if (s.NotAction !== undefined || s.NotResource !== undefined)
    v.push(`${label}: NotAction/NotResource grant too much`);
  for (const action of actions) {
    if (action.includes("*")) v.push(`${label}: action ${action} is a wildcard; name the actions`);
  }
  if (resources.length === 0) v.push(`${label}: no resources`);
  if (resources.includes("*")) {
    const broad = actions.filter((a) => !(a in UNSCOPABLE_ACTIONS));
    if (broad.length > 0) {
      v.push(`${label}: ${broad.join(", ")} on Resource "*"; scope it to the resources it needs`);
    }
    for (const action of actions) {
      const key = UNSCOPABLE_ACTIONS[action];
      if (key && !conditionKeys(s).includes(key)) v.push(`${label}: ${action} without a ${key} condition`);
    }
  }
  if (actions.includes("iam:PassRole") && !conditionKeys(s).includes("iam:PassedToService")) {
    v.push(`${label}: iam:PassRole without an iam:PassedToService condition`);
  }
  return v;
}

function conditionKeys(s: Record<string, unknown>): string[] {
  return Object.values(obj(s.Condition)).flatMap((operator) => Object.keys(obj(operator)));
}

/** Roles assumed through an OIDC provider (CI) must name the exact repository and environment. */
export function checkTrustPolicies(resources: RecordedResource[]): Violation[] {
  return ofType(resources, "aws:iam/role:Role").flatMap((role) => {
    const statements = list(obj(parseJson(role.inputs.assumeRolePolicy)).Statement).map(obj);
    return statements
      .filter((s) => obj(s.Principal).Federated !== undefined)
      .flatMap((s) => checkOidcTrust(`IAM role ${role.name}`, s));
  });
}

function checkOidcTrust(label: string, s: Record<string, unknown>): Violation[] {
  const exact = obj(obj(s.Condition).StringEquals);
  const subjects = asList(exact["token.actions.githubusercontent.com:sub"]);
  const v: Violation[] = [];
  if (subjects.length === 0 || subjects.some((sub) => sub.includes("*") || !sub.includes(":environment:"))) {
    v.push(
      `${label}: its OIDC trust must name one repository and environment exactly (sub "repo:<owner>/<repo>:environment:<env>"), got ${JSON.stringify(subjects)}`,
    );
  }
  if (asList(exact["token.actions.githubusercontent.com:aud"]).join() !== "sts.amazonaws.com") {
    v.push(`${label}: its OIDC trust must require the audience sts.amazonaws.com`);
  }
  return v;
}

function asList(value: unknown): string[] {
  return (Array.isArray(value) ? value : value === undefined ? [] : [value]).map(String);
}
