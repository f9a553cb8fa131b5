import { randomBytes, randomUUID } from "node:crypto";
import type { QueryServiceDefinition, TopicPublisher } from "../../contracts.js";
import type { DurableStates, LocalService } from "../local-service.js";
import { emptySnsState, SnsModel, type SnsState } from "./model.js";
import { publish, type SnsRuntime, snsOperations } from "./responses.js";

export const SNS_XML_NAMESPACE = "http://sns.amazonaws.com/doc/2010-03-31/";

/** SNS topics and subscriptions on their durable state, over awsQuery (`2010-03-31`). */
export function createSnsService(
  states: DurableStates,
  runtime: Omit<SnsRuntime, "messageId" | "now"> & Partial<SnsRuntime>,
): LocalService<SnsModel, SnsState, QueryServiceDefinition> & { publisher: TopicPublisher } {
  const durable = states("sns", emptySnsState);
  const model = new SnsModel(durable.state, {
    uuid: randomUUID,
    token: () => randomBytes(64).toString("hex"),
  });
  const full: SnsRuntime = { messageId: randomUUID, now: () => new Date(), ...runtime };
  return {
    model,
    durable,
    publisher: {
      publish: (topicArn, message) => publish(model, full, { topicArn, ...message, attributes: {} }),
    },
    definition: {
      protocol: "awsQuery",
      signingName: "sns",
      version: "2010-03-31",
      xmlNamespace: SNS_XML_NAMESPACE,
      operations: snsOperations(model, durable, full),
    },
  };
}
