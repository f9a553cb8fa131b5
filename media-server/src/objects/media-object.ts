import { randomUUID } from "node:crypto";
import { RpcError } from "../protocol/errors.js";

/** What an object raises: Kurento's event payload, without the envelope. */
export type EventData = Record<string, unknown>;
export type EventSink = (object: MediaObject, type: string, data: EventData) => void;

export type OperationParams = Record<string, unknown>;
export type Operation = (params: OperationParams) => unknown | Promise<unknown>;

/**
 * The root of Kurento's taxonomy: an id, a type, a parent, events and operations by name.
 * Subclasses register operations in their constructor, so `invoke` needs no reflection.
 */
export abstract class MediaObject {
  abstract readonly type: string;
  /** Event types a client may subscribe to (Kurento's per-type list). */
  abstract readonly events: readonly string[];
  /** Kurento's hierarchy, for `describe`. */
  abstract readonly hierarchy: readonly string[];
  /** Kurento's module of the type (its qualified name is `<module>.<type>`). */
  readonly module: string = "kurento";

  readonly id: string;
  readonly creationTime = Math.floor(Date.now() / 1000);
  name: string;
  released = false;
  private readonly operations = new Map<string, Operation>();
  private readonly tags = new Map<string, string>();

  protected constructor(
    readonly idSuffix: string,
    readonly parent: MediaObject | undefined,
    protected readonly raise: EventSink,
    fixedId?: string,
  ) {
    const own = `${randomUUID()}_kurento.${idSuffix}`;
    this.id = fixedId ?? (parent ? `${parent.id}/${own}` : own);
    this.name = this.id;
    this.operation("getName", () => this.name);
    this.operation("setName", (p) => {
      this.name = stringParam(p, "name", 200);
    });
    this.operation("getCreationTime", () => this.creationTime);
    this.operation("getParent", () => this.parent?.id ?? null);
    this.operation("getChildren", () => this.children().map((c) => c.id));
    this.operation("addTag", (p) => {
      if (this.tags.size >= 50)
        throw new RpcError("MEDIA_OBJECT_ILLEGAL_PARAM_ERROR", "too many tags (max 50)");
      this.tags.set(stringParam(p, "key", 100), stringParam(p, "value", 1000));
    });
    this.operation("removeTag", (p) => {
      this.tags.delete(stringParam(p, "key", 100));
    });
    this.operation("getTag", (p) => {
      const key = stringParam(p, "key", 100);
      const value = this.tags.get(key);
      if (value === undefined)
        throw new RpcError("MEDIA_OBJECT_ILLEGAL_PARAM_ERROR", `no tag named '${key}'`);
      return value;
    });
    this.operation("getTags", () => [...this.tags].map(([key, value]) => ({ key, value })));
  }

  protected operation(name: string, fn: Operation): void {
    this.operations.set(name, fn);
  }

  children(): MediaObject[] {
    return [];
  }

  async invoke(operation: string, params: OperationParams): Promise<unknown> {
    const fn = this.operations.get(operation);
    if (!fn) {
      throw new RpcError("MEDIA_OBJECT_METHOD_NOT_FOUND", `${this.type} has no operation '${operation}'`);
    }
    const value = await fn(params);
    return value === undefined ? null : value;
  }

  emit(type: string, fields: EventData = {}): void {
    if (this.released) return;
    const now = Date.now();
    this.raise(this, type, {
      source: this.id,
      tags: [...this.tags].map(([key, value]) => ({ key, value })),
      timestamp: String(Math.floor(now / 1000)),
      timestampMillis: String(now),
      type,
      ...fields,
    });
  }

  /** Frees what the object holds; idempotent. */
  async release(): Promise<void> {
    this.released = true;
  }
}

export function stringParam(params: OperationParams, key: string, maxLength: number): string {
  const value = params[key];
  if (typeof value !== "string") {
    throw new RpcError("MEDIA_OBJECT_ILLEGAL_PARAM_ERROR", `'${key}' must be a string`);
  }
  if (value.length > maxLength) {
    throw new RpcError("MEDIA_OBJECT_ILLEGAL_PARAM_ERROR", `'${key}' is longer than ${maxLength} characters`);
  }
  return value;
}

export function numberParam(params: OperationParams, key: string, min: number, max: number): number {
  const value = params[key];
  if (typeof value !== "number" || !Number.isFinite(value) || value < min || value > max) {
    throw new RpcError("MEDIA_OBJECT_ILLEGAL_PARAM_ERROR", `'${key}' must be a number from ${min} to ${max}`);
  }
  return value;
}
