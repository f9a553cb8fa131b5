import { randomBytes } from "node:crypto";
import { AwsError, type HealthCheckSettings } from "../../contracts.js";
import type {
  ActionRecord,
  ConditionRecord,
  Elbv2State,
  ListenerRecord,
  LoadBalancerRecord,
  RuleRecord,
  Stickiness,
  TargetGroupRecord,
  TargetRecord,
} from "./state.js";
import {
  checkActions,
  checkConditions,
  checkHealthCheck,
  checkName,
  checkPort,
  checkPriority,
  checkProtocol,
  validationError,
} from "./validation.js";

// ELBv2's rules as a state machine over Elbv2State: typed inputs, no I/O. Subscribers hear of every
// change, which is how the load balancer's listeners and health checks follow the model.

export interface Scope {
  region: string;
  accountId: string;
}

const DEFAULT_HEALTH_CHECK: HealthCheckSettings = {
  path: "/",
  intervalSeconds: 30,
  timeoutSeconds: 5,
  healthyThreshold: 5,
  unhealthyThreshold: 2,
  matcher: "200",
};

export const TARGET_GROUP_ATTRIBUTE_DEFAULTS: Record<string, string> = {
  "deregistration_delay.timeout_seconds": "300",
  "stickiness.enabled": "false",
  "stickiness.type": "lb_cookie",
  "stickiness.lb_cookie.duration_seconds": "86400",
  "slow_start.duration_seconds": "0",
  "load_balancing.algorithm.type": "round_robin",
  "load_balancing.cross_zone.enabled": "use_load_balancer_configuration",
};

export const LOAD_BALANCER_ATTRIBUTE_DEFAULTS: Record<string, string> = {
  "idle_timeout.timeout_seconds": "60",
  "deletion_protection.enabled": "false",
  "routing.http2.enabled": "true",
  "routing.http.drop_invalid_header_fields.enabled": "false",
  "access_logs.s3.enabled": "false",
};

/** An action as a request describes it; the model checks it and fills in AWS's defaults. */
export type ActionInput =
  | {
      type: "forward";
      targetGroups: { arn: string; weight?: number | undefined }[];
      stickiness?: Stickiness | undefined;
    }
  | {
      type: "redirect";
      redirect: {
        protocol?: string | undefined;
        port?: string | undefined;
        host?: string | undefined;
        path?: string | undefined;
        query?: string | undefined;
        statusCode: string;
      };
    }
  | {
      type: "fixed-response";
      fixedResponse: {
        statusCode: string;
        contentType?: string | undefined;
        messageBody?: string | undefined;
      };
    };

export interface ConditionInput {
  field: "host-header" | "path-pattern";
  values: string[];
}

export interface CreateTargetGroupInput {
  name: string;
  protocol: string;
  port: number;
  vpcId?: string | undefined;
  targetType?: string | undefined;
  healthCheck: Partial<HealthCheckSettings>;
}

export class Elbv2Model {
  private readonly subscribers = new Set<() => void>();

  constructor(
    readonly state: Elbv2State,
    private readonly newId: () => string = () => randomBytes(8).toString("hex"),
    private readonly now: () => Date = () => new Date(),
  ) {}

  private readonly hasTargetGroup = (arn: string) => arn in this.state.targetGroups;

  subscribe(listener: () => void): () => void {
    this.subscribers.add(listener);
    return () => this.subscribers.delete(listener);
  }

  private changed(): void {
    for (const s of this.subscribers) s();
  }

  // ---- load balancers

  createLoadBalancer(
    scope: Scope,
    input: {
      name: string;
      type?: string | undefined;
      scheme?: string | undefined;
      subnets: string[];
      securityGroups: string[];
      ipAddressType?: string | undefined;
    },
  ): LoadBalancerRecord {
    checkName("load balancer", input.name);
    if (input.type !== undefined && input.type !== "application") {
      throw validationError(`Load balancer type '${input.type}' is not supported here; use 'application'`);
    }
    const scheme = input.scheme ?? "internet-facing";
    if (scheme !== "internet-facing" && scheme !== "internal")
      throw validationError(`Scheme '${scheme}' must be 'internet-facing' or 'internal'`);
    const existing = Object.values(this.state.loadBalancers).find((lb) => lb.name === input.name);
    if (existing) {
      if (existing.scheme !== scheme) {
        throw new AwsError(
          "DuplicateLoadBalancerName",
          `A load balancer with the same name '${input.name}' exists, but with different settings`,
        );
      }
      return existing;
    }
    const id = this.newId();
    const lb: LoadBalancerRecord = {
      arn: `arn:aws:elasticloadbalancing:${scope.region}:${scope.accountId}:loadbalancer/app/${input.name}/${id}`,
      name: input.name,
      dnsName: `${scheme === "internal" ? "internal-" : ""}${input.name}-${parseInt(id.slice(0, 8), 16)}.${scope.region}.elb.localhost`,
      createdTime: this.now().toISOString(),
      scheme,
      ipAddressType: input.ipAddressType ?? "ipv4",
      subnets: input.subnets,
      securityGroups: input.securityGroups,
      attributes: { ...LOAD_BALANCER_ATTRIBUTE_DEFAULTS },
    };
    this.state.loadBalancers[lb.arn] = lb;
    this.changed();
    return lb;
  }

  loadBalancer(arn: string): LoadBalancerRecord {
    const lb = this.state.loadBalancers[arn];
    if (!lb) throw new AwsError("LoadBalancerNotFound", `Load balancer '${arn}' not found`);
    return lb;
  }

  describeLoadBalancers(filter: {
    arns?: string[] | undefined;
    names?: string[] | undefined;
  }): LoadBalancerRecord[] {
    const all = Object.values(this.state.loadBalancers);
    if (filter.arns) return filter.arns.map((arn) => this.loadBalancer(arn));
    if (filter.names) {
      return filter.names.map((name) => {
        const lb = all.find((l) => l.name === name);
        if (!lb) throw new AwsError("LoadBalancerNotFound", "One or more load balancers not found");
        return lb;
      });
    }
    return all;
  }

  deleteLoadBalancer(arn: string): void {
    const lb = this.state.loadBalancers[arn];
    if (!lb) return; // AWS: deleting a missing load balancer succeeds
    if (lb.attributes["deletion_protection.enabled"] === "true") {
      throw new AwsError(
        "OperationNotPermitted",
        `Load balancer '${arn}' cannot be deleted because deletion protection is enabled`,
      );
    }
    for (const listener of this.listenersOf(arn)) this.removeListener(listener);
    delete this.state.loadBalancers[arn];
    delete this.state.tags[arn];
    this.changed();
  }

  modifyLoadBalancerAttributes(arn: string, attributes: Record<string, string>): Record<string, string> {
    const lb = this.loadBalancer(arn);
    for (const [key, value] of Object.entries(attributes)) {
      if (!(key in LOAD_BALANCER_ATTRIBUTE_DEFAULTS))
        throw validationError(`Load balancer attribute key '${key}' is not recognized`);
      if (key === "idle_timeout.timeout_seconds" && !isIntIn(value, 1, 4000)) {
        throw validationError(`Load balancer attribute '${key}' must be an integer between 1 and 4000`);
      }
      if (key.endsWith(".enabled") && value !== "true" && value !== "false") {
        throw validationError(`Load balancer attribute '${key}' must be 'true' or 'false'`);
      }
    }
    Object.assign(lb.attributes, attributes);
    this.changed();
    return lb.attributes;
  }

  // ---- listeners

  createListener(input: {
    loadBalancerArn: string;
    port: number;
    protocol: string;
    certificateArns: string[];
    sslPolicy?: string | undefined;
    defaultActions: ActionInput[];
  }): ListenerRecord {
    const lb = this.loadBalancer(input.loadBalancerArn);
    checkPort("port", input.port);
    const protocol = checkProtocol("listeners", input.protocol);
    const defaultActions = checkActions(input.defaultActions, this.hasTargetGroup);
    const clash = this.listenersOf(lb.arn).find((l) => l.port === input.port);
    if (clash)
      throw new AwsError(
        "DuplicateListener",
        "A listener already exists on this port for this load balancer",
      );
    const lbPath = lb.arn.split(":loadbalancer/")[1]!;
    const prefix = lb.arn.split(":loadbalancer/")[0]!;
    const arn = `${prefix}:listener/${lbPath}/${this.newId()}`;
    const listener: ListenerRecord = {
      arn,
      loadBalancerArn: lb.arn,
      port: input.port,
      protocol,
      certificateArns: input.certificateArns,
      sslPolicy: protocol === "HTTPS" ? (input.sslPolicy ?? "ELBSecurityPolicy-2016-08") : undefined,
      defaultActions,
      defaultRuleArn: `${prefix}:listener-rule/${lbPath}/${arn.split("/").pop()}/${this.newId()}`,
    };
    this.state.listeners[arn] = listener;
    this.changed();
    return listener;
  }

  listener(arn: string): ListenerRecord {
    const l = this.state.listeners[arn];
    if (!l) throw new AwsError("ListenerNotFound", `Listener '${arn}' not found`);
    return l;
  }

  listenersOf(loadBalancerArn: string): ListenerRecord[] {
    return Object.values(this.state.listeners).filter((l) => l.loadBalancerArn === loadBalancerArn);
  }

  describeListeners(filter: {
    loadBalancerArn?: string | undefined;
    listenerArns?: string[] | undefined;
  }): ListenerRecord[] {
    if (filter.listenerArns) return filter.listenerArns.map((arn) => this.listener(arn));
    if (filter.loadBalancerArn) return this.listenersOf(this.loadBalancer(filter.loadBalancerArn).arn);
    throw validationError("You must specify either listener ARNs or a load balancer ARN");
  }

  modifyListener(input: {
    arn: string;
    port?: number | undefined;
    protocol?: string | undefined;
    certificateArns?: string[] | undefined;
    sslPolicy?: string | undefined;
    defaultActions?: ActionInput[] | undefined;
  }): ListenerRecord {
    const listener = this.listener(input.arn);
    checkPort("port", input.port);
    const protocol =
      input.protocol === undefined ? listener.protocol : checkProtocol("listeners", input.protocol);
    const defaultActions = input.defaultActions
      ? checkActions(input.defaultActions, this.hasTargetGroup)
      : listener.defaultActions;
    if (input.port !== undefined && input.port !== listener.port) {
      const clash = this.listenersOf(listener.loadBalancerArn).find((l) => l.port === input.port);
      if (clash)
        throw new AwsError(
          "DuplicateListener",
          "A listener already exists on this port for this load balancer",
        );
      listener.port = input.port;
    }
    listener.protocol = protocol;
    listener.defaultActions = defaultActions;
    if (input.certificateArns) listener.certificateArns = input.certificateArns;
    if (protocol === "HTTPS")
      listener.sslPolicy = input.sslPolicy ?? listener.sslPolicy ?? "ELBSecurityPolicy-2016-08";
    else listener.sslPolicy = undefined;
    this.changed();
    return listener;
  }

  deleteListener(arn: string): void {
    this.removeListener(this.listener(arn));
    this.changed();
  }

  private removeListener(listener: ListenerRecord): void {
    for (const rule of this.rulesOf(listener.arn)) {
      delete this.state.rules[rule.arn];
      delete this.state.tags[rule.arn];
    }
    delete this.state.listeners[listener.arn];
    delete this.state.tags[listener.arn];
  }

  // ---- rules

  createRule(input: {
    listenerArn: string;
    priority: number;
    conditions: ConditionInput[];
    actions: ActionInput[];
  }): RuleRecord {
    const listener = this.listener(input.listenerArn);
    checkPriority(input.priority);
    const conditions = checkConditions(input.conditions);
    if (conditions.length === 0) throw validationError("A rule must have at least one condition");
    const actions = checkActions(input.actions, this.hasTargetGroup);
    this.checkPriorityFree(listener.arn, input.priority);
    const arn = listener.defaultRuleArn.replace(/\/[0-9a-f]+$/, `/${this.newId()}`);
    const rule: RuleRecord = {
      arn,
      listenerArn: listener.arn,
      priority: input.priority,
      conditions,
      actions,
    };
    this.state.rules[arn] = rule;
    this.changed();
    return rule;
  }

  private checkPriorityFree(listenerArn: string, priority: number, except?: string): void {
    const taken = this.rulesOf(listenerArn).find((r) => r.priority === priority && r.arn !== except);
    if (taken) throw new AwsError("PriorityInUse", `Priority '${priority}' is currently in use`);
  }

  rulesOf(listenerArn: string): RuleRecord[] {
    return Object.values(this.state.rules)
      .filter((r) => r.listenerArn === listenerArn)
      .sort((a, b) => a.priority - b.priority);
  }

  /** A rule, or the listener whose default rule the ARN names. */
  rule(arn: string): RuleRecord | ListenerRecord {
    const rule = this.state.rules[arn];
    if (rule) return rule;
    const listener = Object.values(this.state.listeners).find((l) => l.defaultRuleArn === arn);
    if (listener) return listener;
    throw new AwsError("RuleNotFound", `Rule '${arn}' not found`);
  }

  describeRules(filter: {
    listenerArn?: string | undefined;
    ruleArns?: string[] | undefined;
  }): (RuleRecord | ListenerRecord)[] {
    if (filter.ruleArns) return filter.ruleArns.map((arn) => this.rule(arn));
    if (filter.listenerArn) {
      const listener = this.listener(filter.listenerArn);
      return [...this.rulesOf(listener.arn), listener];
    }
    throw validationError("You must specify either listener or rule ARNs");
  }

  modifyRule(input: {
    arn: string;
    conditions?: ConditionInput[] | undefined;
    actions?: ActionInput[] | undefined;
  }): RuleRecord | ListenerRecord {
    const rule = this.rule(input.arn);
    const actions = input.actions ? checkActions(input.actions, this.hasTargetGroup) : undefined;
    if (!("priority" in rule)) {
      if (input.conditions && input.conditions.length > 0) {
        throw new AwsError("OperationNotPermitted", "Conditions cannot be added to the default rule");
      }
      if (actions) rule.defaultActions = actions;
    } else {
      const conditions: ConditionRecord[] | undefined = input.conditions
        ? checkConditions(input.conditions)
        : undefined;
      if (conditions) {
        if (conditions.length === 0) throw validationError("A rule must have at least one condition");
        rule.conditions = conditions;
      }
      if (actions) rule.actions = actions;
    }
    this.changed();
    return rule;
  }

  setRulePriorities(priorities: { arn: string; priority: number }[]): RuleRecord[] {
    const rules = priorities.map(({ arn, priority }) => {
      checkPriority(priority);
      const rule = this.rule(arn);
      if (!("priority" in rule))
        throw new AwsError("OperationNotPermitted", "The default rule's priority cannot be changed");
      return { rule, priority };
    });
    const moving = new Set(rules.map((r) => r.rule.arn));
    for (const { rule, priority } of rules) {
      const taken = this.rulesOf(rule.listenerArn).find((r) => r.priority === priority && !moving.has(r.arn));
      const twice =
        rules.filter((r) => r.rule.listenerArn === rule.listenerArn && r.priority === priority).length > 1;
      if (taken || twice) throw new AwsError("PriorityInUse", `Priority '${priority}' is currently in use`);
    }
    for (const { rule, priority } of rules) rule.priority = priority;
    this.changed();
    return rules.map((r) => r.rule);
  }

  deleteRule(arn: string): void {
    const rule = this.rule(arn);
    if (!("priority" in rule))
      throw new AwsError("OperationNotPermitted", "The default rule cannot be deleted");
    delete this.state.rules[arn];
    delete this.state.tags[arn];
    this.changed();
  }

  // ---- target groups

  createTargetGroup(scope: Scope, input: CreateTargetGroupInput): TargetGroupRecord {
    checkName("target group", input.name);
    checkPort("port", input.port);
    const protocol = checkProtocol("target groups", input.protocol);
    if (input.targetType !== undefined && input.targetType !== "instance") {
      throw validationError(`Target type '${input.targetType}' is not supported here; use 'instance'`);
    }
    const healthCheck = { ...DEFAULT_HEALTH_CHECK, ...stripUndefined(input.healthCheck) };
    checkHealthCheck(healthCheck);
    const existing = Object.values(this.state.targetGroups).find((tg) => tg.name === input.name);
    if (existing) {
      const same =
        existing.port === input.port &&
        existing.protocol === protocol &&
        sameHealthCheck(existing.healthCheck, healthCheck);
      if (!same) {
        throw new AwsError(
          "DuplicateTargetGroupName",
          `A target group with the same name '${input.name}' exists, but with different settings`,
        );
      }
      return existing;
    }
    const tg: TargetGroupRecord = {
      arn: `arn:aws:elasticloadbalancing:${scope.region}:${scope.accountId}:targetgroup/${input.name}/${this.newId()}`,
      name: input.name,
      protocol,
      port: input.port,
      vpcId: input.vpcId ?? "vpc-local",
      targetType: "instance",
      healthCheck,
      attributes: { ...TARGET_GROUP_ATTRIBUTE_DEFAULTS },
      targets: [],
    };
    this.state.targetGroups[tg.arn] = tg;
    this.changed();
    return tg;
  }

  targetGroup(arn: string): TargetGroupRecord {
    const tg = this.state.targetGroups[arn];
    if (!tg) throw new AwsError("TargetGroupNotFound", `Target groups '${arn}' not found`);
    return tg;
  }

  describeTargetGroups(filter: {
    loadBalancerArn?: string | undefined;
    arns?: string[] | undefined;
    names?: string[] | undefined;
  }): TargetGroupRecord[] {
    const all = Object.values(this.state.targetGroups);
    if (filter.arns) return filter.arns.map((arn) => this.targetGroup(arn));
    if (filter.names) {
      return filter.names.map((name) => {
        const tg = all.find((t) => t.name === name);
        if (!tg) throw new AwsError("TargetGroupNotFound", `One or more target groups not found`);
        return tg;
      });
    }
    if (filter.loadBalancerArn) {
      const lb = this.loadBalancer(filter.loadBalancerArn);
      return all.filter((tg) => this.loadBalancerArnsOf(tg.arn).includes(lb.arn));
    }
    return all;
  }

  modifyTargetGroup(arn: string, healthCheck: Partial<HealthCheckSettings>): TargetGroupRecord {
    const tg = this.targetGroup(arn);
    const next = { ...tg.healthCheck, ...stripUndefined(healthCheck) };
    checkHealthCheck(next);
    tg.healthCheck = next;
    this.changed();
    return tg;
  }

  modifyTargetGroupAttributes(arn: string, attributes: Record<string, string>): Record<string, string> {
    const tg = this.targetGroup(arn);
    for (const [key, value] of Object.entries(attributes)) {
      if (!(key in TARGET_GROUP_ATTRIBUTE_DEFAULTS))
        throw validationError(`Target group attribute key '${key}' is not recognized`);
      if (key === "deregistration_delay.timeout_seconds" && !isIntIn(value, 0, 3600)) {
        throw validationError(`'${value}' must be an integer between 0 and 3600 for '${key}'`);
      }
      if (key === "stickiness.enabled" && value !== "true" && value !== "false") {
        throw validationError(`'${value}' must be 'true' or 'false' for '${key}'`);
      }
    }
    Object.assign(tg.attributes, attributes);
    this.changed();
    return tg.attributes;
  }

  deleteTargetGroup(arn: string): void {
    const tg = this.state.targetGroups[arn];
    if (!tg) return; // AWS: deleting a missing target group succeeds
    if (this.loadBalancerArnsOf(arn).length > 0) {
      throw new AwsError(
        "ResourceInUse",
        `Target group '${arn}' is currently in use by a listener or a rule`,
      );
    }
    delete this.state.targetGroups[arn];
    delete this.state.tags[arn];
    this.changed();
  }

  /** Load balancers whose listeners or rules forward to the group. */
  loadBalancerArnsOf(targetGroupArn: string): string[] {
    const arns = new Set<string>();
    const forwards = (actions: ActionRecord[]) =>
      actions.some((a) => a.type === "forward" && a.targetGroups.some((g) => g.arn === targetGroupArn));
    for (const listener of Object.values(this.state.listeners)) {
      if (forwards(listener.defaultActions)) arns.add(listener.loadBalancerArn);
    }
    for (const rule of Object.values(this.state.rules)) {
      const listener = this.state.listeners[rule.listenerArn];
      if (listener && forwards(rule.actions)) arns.add(listener.loadBalancerArn);
    }
    return [...arns];
  }

  registerTargets(arn: string, targets: { id: string; port?: number | undefined }[]): TargetRecord[] {
    const tg = this.targetGroup(arn);
    const resolved = targets.map((t) => this.resolveTarget(tg, t));
    for (const t of resolved) {
      if (!tg.targets.some((x) => x.id === t.id && x.port === t.port)) tg.targets.push(t);
    }
    this.changed();
    return resolved;
  }

  deregisterTargets(arn: string, targets: { id: string; port?: number | undefined }[]): TargetRecord[] {
    const tg = this.targetGroup(arn);
    const resolved = targets.map((t) => this.resolveTarget(tg, t));
    const unknown = resolved.filter((t) => !tg.targets.some((x) => x.id === t.id && x.port === t.port));
    if (unknown.length > 0) {
      throw new AwsError(
        "InvalidTarget",
        `The following targets are not registered in target group '${arn}': ${unknown.map((t) => `'${t.id}:${t.port}'`).join(", ")}`,
      );
    }
    tg.targets = tg.targets.filter((x) => !resolved.some((t) => t.id === x.id && t.port === x.port));
    this.changed();
    return resolved;
  }

  private resolveTarget(tg: TargetGroupRecord, t: { id: string; port?: number | undefined }): TargetRecord {
    if (!t.id) throw validationError("A target ID must be specified");
    const port = t.port ?? tg.port;
    checkPort("port", port);
    return { id: t.id, port };
  }

  // ---- tags

  private taggable(arn: string): void {
    if (
      arn in this.state.loadBalancers ||
      arn in this.state.targetGroups ||
      arn in this.state.listeners ||
      arn in this.state.rules
    )
      return;
    if (arn.includes(":targetgroup/"))
      throw new AwsError("TargetGroupNotFound", `Target group '${arn}' not found`);
    if (arn.includes(":listener/")) throw new AwsError("ListenerNotFound", `Listener '${arn}' not found`);
    if (arn.includes(":listener-rule/")) throw new AwsError("RuleNotFound", `Rule '${arn}' not found`);
    throw new AwsError("LoadBalancerNotFound", `Load balancer '${arn}' not found`);
  }

  addTags(arns: string[], tags: Record<string, string>): void {
    for (const arn of arns) this.taggable(arn);
    for (const arn of arns) {
      const current = { ...this.state.tags[arn], ...tags };
      if (Object.keys(current).length > 50)
        throw new AwsError("TooManyTags", "A resource can have at most 50 tags");
      this.state.tags[arn] = current;
    }
  }

  removeTags(arns: string[], keys: string[]): void {
    for (const arn of arns) this.taggable(arn);
    for (const arn of arns) for (const key of keys) delete this.state.tags[arn]?.[key];
  }

  tagsOf(arn: string): Record<string, string> {
    this.taggable(arn);
    return this.state.tags[arn] ?? {};
  }
}

function isIntIn(value: string, min: number, max: number): boolean {
  return /^\d+$/.test(value) && Number(value) >= min && Number(value) <= max;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function sameHealthCheck(a: HealthCheckSettings, b: HealthCheckSettings): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
