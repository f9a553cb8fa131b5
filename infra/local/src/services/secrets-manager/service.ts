import type { JsonServiceDefinition } from "../../contracts.js";
import type { DurableStates, LocalService } from "../local-service.js";
import { emptySecretsState, SecretsModel, type SecretsState } from "./model.js";
import { secretsManagerOperations } from "./responses.js";

/** Secrets Manager on its durable state, over awsJson1_1 (`secretsmanager`). */
export function createSecretsManagerService(
  states: DurableStates,
): LocalService<SecretsModel, SecretsState, JsonServiceDefinition> {
  const durable = states("secretsmanager", emptySecretsState);
  const model = new SecretsModel(durable.state);
  return {
    model,
    durable,
    definition: {
      protocol: "awsJson1_1",
      signingName: "secretsmanager",
      targetPrefix: "secretsmanager",
      operations: secretsManagerOperations(model, durable),
    },
  };
}
