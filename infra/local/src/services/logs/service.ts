import type { JsonServiceDefinition, MetricSink } from "../../contracts.js";
import type { DurableStates, LocalService } from "../local-service.js";
import { EventStore } from "./event-store.js";
import { IngestionCounters } from "./ingestion.js";
import { emptyLogsState, LogsModel, type LogsState, STREAM_LIMITS } from "./model.js";
import { logsOperations } from "./responses.js";
import { diskSegments } from "./segment-files.js";

/**
 * CloudWatch Logs on its durable state, over awsJson1_1 (`Logs_20140328`): groups and streams in
 * `logs.json`, their events in segment files under `<stateDir>/logs/`; its metric filters publish
 * to `metrics`.
 */
export function createLogsService(
  states: DurableStates,
  stateDir: string,
  metrics?: MetricSink,
): LocalService<LogsModel, LogsState, JsonServiceDefinition> & { counters: IngestionCounters } {
  const durable = states("logs", emptyLogsState);
  const model = new LogsModel(durable.state, Date.now, new EventStore(diskSegments(stateDir), STREAM_LIMITS));
  // Events of older state have moved from logs.json into segments: the lighter file goes to disk now.
  durable.commit();
  const counters = new IngestionCounters();
  return {
    model,
    durable,
    counters,
    definition: {
      protocol: "awsJson1_1",
      signingName: "logs",
      targetPrefix: "Logs_20140328",
      operations: logsOperations(model, durable, metrics, counters),
    },
  };
}
