import type { JsonServiceDefinition } from "../../contracts.js";
import type { DurableStates, LocalService } from "../local-service.js";
import { emptySsmState, SsmModel, type SsmState } from "./model.js";
import { ssmOperations } from "./responses.js";

/** SSM Parameter Store on its durable state, over awsJson1_1 (`AmazonSSM`). */
export function createSsmService(
  states: DurableStates,
): LocalService<SsmModel, SsmState, JsonServiceDefinition> {
  const durable = states("ssm", emptySsmState);
  const model = new SsmModel(durable.state);
  return {
    model,
    durable,
    definition: {
      protocol: "awsJson1_1",
      signingName: "ssm",
      targetPrefix: "AmazonSSM",
      operations: ssmOperations(model, durable),
    },
  };
}
