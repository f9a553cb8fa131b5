import type { JsonServiceDefinition, MetricSink } from "../../contracts.js";
import type { DurableStates, LocalService } from "../local-service.js";
import { emptyLogsState, LogsModel, type LogsState } from "./model.js";
import { logsOperations } from "./responses.js";

/**
 * CloudWatch Logs on its durable state, over awsJson1_1 (`Logs_20140328`); its metric filters
 * publish to `metrics`.
 */
export function createLogsService(
  states: DurableStates,
  metrics?: MetricSink,
): LocalService<LogsModel, LogsState, JsonServiceDefinition> {
  const durable = states("logs", emptyLogsState);
  const model = new LogsModel(durable.state);
  return {
    model,
    durable,
    definition: {
      protocol: "awsJson1_1",
      signingName: "logs",
      targetPrefix: "Logs_20140328",
      operations: logsOperations(model, durable, metrics),
    },
  };
}
