import { cpus } from "node:os";
import { type EventSink, MediaObject } from "./media-object.js";

export const SERVER_MANAGER_ID = "manager_ServerManager";

export interface ServerFacts {
  version: string;
  pipelineIds(): string[];
  sessionIds(): string[];
  factories: string[];
}

/**
 * Kurento's ServerManager singleton. kurento-client asks it for getInfo on connect (strict mode)
 * and refuses to work unless the modules it loaded (core, elements, filters) are listed.
 */
export class ServerManager extends MediaObject {
  readonly type = "ServerManager";
  readonly hierarchy = ["kurento.MediaObject"];
  readonly events = ["ObjectCreated", "ObjectDestroyed"];

  constructor(facts: ServerFacts, raise: EventSink) {
    super("ServerManager", undefined, raise, SERVER_MANAGER_ID);
    const generationTime = new Date().toISOString();
    const modules = ["core", "elements", "filters"].map((name) => ({
      __module__: "kurento",
      __type__: "ModuleInfo",
      name,
      version: "7.3.0",
      generationTime,
      factories: facts.factories,
    }));
    this.operation("getInfo", () => ({
      __module__: "kurento",
      __type__: "ServerInfo",
      version: facts.version,
      modules,
      type: "KMS",
      capabilities: ["transactions"],
    }));
    this.operation("getPipelines", () => facts.pipelineIds());
    this.operation("getSessions", () => facts.sessionIds());
    this.operation("getMetadata", () => "");
    this.operation("getKmd", () => "");
    this.operation("getCpuCount", () => cpus().length);
    this.operation("getUsedCpu", () => 0);
    this.operation("getUsedMemory", () => Math.round(process.memoryUsage().rss / 1024));
  }
}
