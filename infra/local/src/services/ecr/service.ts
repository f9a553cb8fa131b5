import type { JsonServiceDefinition } from "../../contracts.js";
import type { DurableStates, LocalService } from "../local-service.js";
import type { BlobStore } from "./blob-store.js";
import { EcrModel, type EcrState, emptyEcrState } from "./model.js";
import { type EcrWireOptions, ecrOperations } from "./responses.js";

/** ECR on its durable state and blob store, over awsJson1_1 (`AmazonEC2ContainerRegistry_V20150921`). */
export function createEcrService(
  states: DurableStates,
  blobs: BlobStore,
  options: EcrWireOptions,
): LocalService<EcrModel, EcrState, JsonServiceDefinition> {
  const durable = states("ecr", emptyEcrState);
  const model = new EcrModel(durable.state, options.registryHost);
  return {
    model,
    durable,
    definition: {
      protocol: "awsJson1_1",
      signingName: "ecr",
      targetPrefix: "AmazonEC2ContainerRegistry_V20150921",
      operations: ecrOperations(model, durable, blobs, options),
    },
  };
}
