import { randomUUID } from "node:crypto";
import type { EventData, MediaObject } from "../objects/media-object.js";
import { MediaPipeline, type PipelineContext } from "../objects/media-pipeline.js";
import { Registry } from "../objects/registry.js";
import { SERVER_MANAGER_ID } from "../objects/server-manager.js";
import { illegalParam, RpcError } from "./errors.js";
import { describeIssues, isMethod, type Method, paramSchemas } from "./messages.js";
import { type Notify, type Session, Sessions } from "./sessions.js";

export interface ServiceLimits {
  maxPipelinesPerSession: number;
  maxPipelines: number;
  /** Without it one session could fill a task's memory with endpoints in a single pipeline. */
  maxElementsPerPipeline: number;
  sessionTimeoutMs: number;
}

/** The state one WebSocket carries: which session it speaks for. */
export interface ClientLink {
  session: Session | undefined;
  readonly notify: Notify;
}

type Params = Record<string, unknown> & { sessionId?: string };

/** Told of each pipeline's life: logs and metrics (pipeline-telemetry.ts), nothing in tests. */
export interface PipelineObserver {
  created(pipelineId: string, sessionId: string): void;
  failed(pipelineId: string, sessionId: string | undefined, reason: string): void;
  released(pipelineId: string, sessionId: string): void;
}

const UNOBSERVED: PipelineObserver = { created() {}, failed() {}, released() {} };

/**
 * Kurento's methods over the object registry and the sessions. Knows nothing of sockets: the
 * connection hands it a method and params and sends back what it returns or throws.
 */
export class KurentoService {
  readonly registry: Registry;
  readonly sessions: Sessions;
  draining = false;

  constructor(
    context: PipelineContext,
    private readonly limits: ServiceLimits,
    private readonly observer: PipelineObserver = UNOBSERVED,
  ) {
    this.registry = new Registry(context, (object, type, data) => this.deliver(object, type, data), {
      version: "7.3.0",
      sessionIds: () => this.sessions.all().map((s) => s.id),
    });
    this.sessions = new Sessions(limits.sessionTimeoutMs, (session) => this.releaseOwned(session));
  }

  async handle(link: ClientLink, method: string, rawParams: unknown): Promise<unknown> {
    if (!isMethod(method) && method !== "transaction") {
      throw new RpcError("METHOD_NOT_FOUND", `method '${method}' does not exist`);
    }
    if (method === "transaction") return this.transaction(link, rawParams);
    const parsed = paramSchemas[method].safeParse(rawParams);
    if (!parsed.success)
      throw new RpcError("INVALID_PARAMS", `invalid params for ${method}: ${describeIssues(parsed.error)}`);
    const params = (parsed.data ?? {}) as Params;
    if (method === "ping") return { value: "pong", ...(link.session ? { sessionId: link.session.id } : {}) };
    if (method === "connect") return this.connect(link, params);
    const session = this.sessionFor(link, params);
    const result = await this.run(method, session, params);
    return { ...(result as object), sessionId: session.id };
  }

  /**
   * Ends every session's life: each connected client gets a ServerShuttingDown event (on each of
   * its pipelines, so kurento-client delivers it to a known object, and once without an object),
   * telling it to reconnect — through the load balancer, to a task that is not draining.
   */
  async shutdown(): Promise<void> {
    for (const session of this.sessions.all()) {
      const pipelines = [...session.owned].filter((id) => this.tryGet(id) instanceof MediaPipeline);
      for (const object of [...pipelines, ""]) {
        const data = {
          source: object,
          type: "ServerShuttingDown",
          tags: [],
          reconnect: true,
          timestampMillis: String(Date.now()),
        };
        session.notify?.("onEvent", { value: { data, object, type: "ServerShuttingDown" } });
      }
    }
    for (const session of this.sessions.all()) await this.sessions.close(session);
  }

  disconnected(link: ClientLink): void {
    if (link.session) this.sessions.detach(link.session, link.notify);
  }

  private async run(
    method: Exclude<Method, "ping" | "connect">,
    session: Session,
    p: Params,
  ): Promise<object> {
    switch (method) {
      case "create":
        return { value: await this.create(session, p.type as string, (p.constructorParams ?? {}) as Params) };
      case "invoke":
        return {
          value: await this.invoke(
            p.object as string,
            p.operation as string,
            (p.operationParams ?? {}) as Params,
          ),
        };
      case "subscribe":
        return { value: this.subscribe(session, p.object as string, p.type as string) };
      case "unsubscribe":
        if (!session.subscriptions.delete(p.subscription as string)) {
          throw new RpcError(
            "MEDIA_OBJECT_ILLEGAL_PARAM_ERROR",
            `subscription '${String(p.subscription)}' not found`,
          );
        }
        return {};
      case "release": {
        const object = this.registry.get(p.object as string);
        if (object.id === SERVER_MANAGER_ID) throw illegalParam("the ServerManager can't be released");
        await this.release(session, object);
        return {};
      }
      case "describe": {
        const o = this.registry.get(p.object as string);
        return { type: o.type, qualifiedType: `${o.module}.${o.type}`, hierarchy: o.hierarchy };
      }
      case "closeSession":
        await this.sessions.close(session);
        return {};
    }
  }

  private connect(link: ClientLink, p: Params): object {
    if (p.sessionId === undefined) {
      link.session ??= this.newSession(link);
      return { sessionId: link.session.id };
    }
    const session = this.sessions.get(p.sessionId);
    if (!session)
      throw new RpcError("INVALID_SESSION", `session '${p.sessionId}' does not exist (it may have expired)`);
    this.sessions.attach(session, link.notify);
    link.session = session;
    return { sessionId: session.id };
  }

  private sessionFor(link: ClientLink, p: Params): Session {
    const known = this.sessions.get(p.sessionId);
    if (known) {
      if (known !== link.session) this.sessions.attach(known, link.notify);
      link.session = known;
      return known;
    }
    // A session closed by closeSession or shutdown is not reused: the next request starts anew.
    if (link.session && this.sessions.get(link.session.id)) return link.session;
    link.session = this.newSession(link);
    return link.session;
  }

  private newSession(link: ClientLink): Session {
    if (this.draining) {
      throw new RpcError(
        "SERVER_SHUTTING_DOWN",
        "this server is shutting down and takes no new sessions; connect again",
      );
    }
    return this.sessions.create(link.notify);
  }

  private async create(session: Session, type: string, constructorParams: Params): Promise<string> {
    if (type === "MediaPipeline") this.checkPipelineLimits(session);
    else this.checkElementLimit(constructorParams.mediaPipeline);
    const object = this.registry.create(type, constructorParams);
    session.owned.add(object.id);
    if (object instanceof MediaPipeline) this.observer.created(object.id, session.id);
    return object.id;
  }

  private checkPipelineLimits(session: Session): void {
    if (this.draining)
      throw new RpcError(
        "SERVER_SHUTTING_DOWN",
        "this server is shutting down; create the pipeline on a new connection",
      );
    const mine = [...session.owned].filter((id) => this.tryGet(id) instanceof MediaPipeline).length;
    if (mine >= this.limits.maxPipelinesPerSession) {
      throw new RpcError(
        "NOT_ENOUGH_RESOURCES",
        `this session already has ${mine} pipelines (limit ${this.limits.maxPipelinesPerSession}); release one first`,
      );
    }
    if (this.registry.pipelineCount() >= this.limits.maxPipelines) {
      throw new RpcError(
        "NOT_ENOUGH_RESOURCES",
        `this server is full (${this.limits.maxPipelines} pipelines); try again later`,
      );
    }
  }

  /** A pipeline that is full refuses another element; a missing or wrong pipeline is the registry's error. */
  private checkElementLimit(pipelineId: unknown): void {
    const pipeline = typeof pipelineId === "string" ? this.tryGet(pipelineId) : undefined;
    if (!(pipeline instanceof MediaPipeline)) return;
    const elements = pipeline.children().length;
    if (elements >= this.limits.maxElementsPerPipeline) {
      throw new RpcError(
        "NOT_ENOUGH_RESOURCES",
        `this pipeline already has ${elements} elements (limit ${this.limits.maxElementsPerPipeline}); release one first`,
      );
    }
  }

  private async invoke(objectId: string, operation: string, params: Params): Promise<unknown> {
    return this.registry.get(objectId).invoke(operation, params);
  }

  private subscribe(session: Session, objectId: string, type: string): string {
    const object = this.registry.get(objectId);
    if (!object.events.includes(type)) {
      throw new RpcError(
        "MEDIA_OBJECT_EVENT_NOT_SUPPORTED",
        `${object.type} has no event '${type}' (events: ${object.events.join(", ")})`,
      );
    }
    const id = randomUUID();
    session.subscriptions.set(id, { object: objectId, type });
    return id;
  }

  private async release(session: Session, object: MediaObject): Promise<void> {
    const gone = await this.registry.release(object);
    if (object instanceof MediaPipeline) this.observer.released(object.id, session.id);
    for (const s of this.sessions.all()) for (const id of gone) s.owned.delete(id);
    for (const [sub, { object: target }] of session.subscriptions)
      if (gone.includes(target)) session.subscriptions.delete(sub);
  }

  private async releaseOwned(session: Session): Promise<void> {
    session.notify = undefined;
    for (const id of [...session.owned]) {
      const object = this.tryGet(id);
      if (object instanceof MediaPipeline) await this.release(session, object);
    }
    for (const id of [...session.owned]) {
      const object = this.tryGet(id);
      if (object) await this.release(session, object);
    }
  }

  /** Kurento's transaction: operations run in order; "newref:N" names the object operation N created. */
  private async transaction(link: ClientLink, raw: unknown): Promise<unknown> {
    const ops = (raw as { operations?: unknown })?.operations;
    if (!Array.isArray(ops) || ops.length > 50)
      throw new RpcError("INVALID_PARAMS", "transaction needs 'operations' (at most 50)");
    const created: string[] = [];
    const results: unknown[] = [];
    let sessionId = (raw as Params).sessionId;
    for (const op of ops as Array<{ method?: unknown; params?: unknown }>) {
      try {
        const params = resolveRefs({ ...(op.params as object), sessionId }, created) as Params;
        const result = (await this.handle(link, String(op.method), params)) as {
          value?: unknown;
          sessionId?: string;
        };
        sessionId = result.sessionId ?? sessionId;
        created.push(typeof result.value === "string" ? result.value : "");
        results.push({ result });
      } catch (e) {
        created.push("");
        results.push({
          error: e instanceof RpcError ? e.toJson() : { code: 40003, message: "operation failed" },
        });
      }
    }
    return { value: results, sessionId };
  }

  private tryGet(id: string): MediaObject | undefined {
    try {
      return this.registry.get(id);
    } catch {
      return undefined;
    }
  }

  private deliver(object: MediaObject, type: string, data: EventData): void {
    if (object instanceof MediaPipeline && type === "Error") {
      const owner = this.sessions.all().find((s) => s.owned.has(object.id));
      this.observer.failed(object.id, owner?.id, String(data.description));
    }
    for (const session of this.sessions.subscribers(object.id, type)) {
      session.notify?.("onEvent", { value: { data, object: object.id, type } });
    }
  }
}

function resolveRefs(value: unknown, created: string[]): unknown {
  if (typeof value === "string") {
    const m = /^newref:(\d+)$/.exec(value);
    return m ? (created[Number(m[1])] ?? value) : value;
  }
  if (Array.isArray(value)) return value.map((v) => resolveRefs(v, created));
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveRefs(v, created)]));
  }
  return value;
}
