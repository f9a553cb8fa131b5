import type { Durable, RegionServices, ServiceDefinition } from "../contracts.js";

// What every service folder's service.ts builds with its create<Service>Service factory.

/** Durable JSON state by name, as the region hands it out (`<stateDir>/state/<name>.json`). */
export type DurableStates = RegionServices["durable"];

export interface LocalService<Model, State, Definition extends ServiceDefinition = ServiceDefinition> {
  /** State and rules, no I/O: what the runtime seams (registry, target groups, sinks) read and change. */
  model: Model;
  /** The model's state on disk; an adapter that changes the model outside a request commits it. */
  durable: Durable<State>;
  /** The wire operations, for the region to register. */
  definition: Definition;
}
