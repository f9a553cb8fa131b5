import { AsyncLocalStorage } from "node:async_hooks";

// The fields of the request (or job, or session) in progress, carried through its async calls so
// every line logged on its behalf names it without passing a child logger around.

export type LogContext = Record<string, string | number | undefined>;

const storage = new AsyncLocalStorage<LogContext>();

/**
 * Runs fn with these fields added to the current context; lines logged inside carry them. The
 * object itself becomes the context, so its owner sees fields added later (the access line does).
 */
export function withLogContext<T>(fields: LogContext, fn: () => T): T {
  for (const [key, value] of Object.entries(storage.getStore() ?? {}))
    if (!(key in fields)) fields[key] = value;
  return storage.run(fields, fn);
}

/** Adds fields to the context in progress (e.g. the user once the key is checked). */
export function addLogContext(fields: LogContext): void {
  const store = storage.getStore();
  if (store) Object.assign(store, fields);
}

export function currentLogContext(): LogContext | undefined {
  return storage.getStore();
}

/**
 * winston copies its defaultMeta into each line synchronously, in the caller's async context;
 * formats may run later (a busy stream buffers writes), when the context is gone. So the
 * context goes in through defaultMeta: an object whose keys are the fixed fields plus whatever
 * the context holds at the moment it is read.
 */
export function liveMeta(fixed: Record<string, unknown>): Record<string, unknown> {
  const fieldOf = (key: string | symbol): unknown =>
    typeof key === "string" ? (fixed[key] ?? currentLogContext()?.[key]) : undefined;
  return new Proxy(fixed, {
    ownKeys: () => [...new Set([...Object.keys(fixed), ...Object.keys(currentLogContext() ?? {})])],
    getOwnPropertyDescriptor: (_target, key) => {
      const value = fieldOf(key);
      return value === undefined
        ? undefined
        : { value, enumerable: true, configurable: true, writable: true };
    },
    get: (_target, key) => fieldOf(key),
  });
}
