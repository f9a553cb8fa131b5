import { randomBytes, randomUUID } from "node:crypto";
import type { QueryServiceDefinition } from "../../contracts.js";
import type { DurableStates, LocalService } from "../local-service.js";
import { emptySnsState, SnsModel, type SnsState } from "./model.js";
import { type SnsRuntime, snsOperations } from "./responses.js";

export const SNS_XML_NAMESPACE = "http://sns.amazonaws.com/doc/2010-03-31/";

/** SNS topics and subscriptions on their durable state, over awsQuery (`2010-03-31`). */
export function createSnsService(
  states: DurableStates,
  runtime: Omit<SnsRuntime, "messageId" | "now"> & Partial<SnsRuntime>,
): LocalService<SnsModel, SnsState, QueryServiceDefinition> {
  const durable = states("sns", emptySnsState);
  const model = new SnsModel(durable.state, {
    uuid: randomUUID,
    token: () => randomBytes(64).toString("hex"),
  });
  return {
    model,
    durable,
    definition: {
      protocol: "awsQuery",
      signingName: "sns",
      version: "2010-03-31",
      xmlNamespace: SNS_XML_NAMESPACE,
      operations: snsOperations(model, durable, {
        messageId: randomUUID,
        now: () => new Date(),
        ...runtime,
      }),
    },
  };
}
