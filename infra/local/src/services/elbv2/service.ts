import type { QueryServiceDefinition } from "../../contracts.js";
import type { DurableStates, LocalService } from "../local-service.js";
import { Elbv2Model } from "./model.js";
import { type Elbv2DataPlane, elbv2Operations } from "./responses.js";
import { type Elbv2State, emptyElbv2State } from "./state.js";

/**
 * ELBv2 on its durable state, over awsQuery (`2015-12-01`). The data plane (the load balancer)
 * follows the model and is asked only when a request is answered, so it may be built after this.
 */
export function createElbv2Service(
  states: DurableStates,
  dataPlane: Elbv2DataPlane,
): LocalService<Elbv2Model, Elbv2State, QueryServiceDefinition> {
  const durable = states("elbv2", emptyElbv2State);
  const model = new Elbv2Model(durable.state);
  return {
    model,
    durable,
    definition: {
      protocol: "awsQuery",
      signingName: "elasticloadbalancing",
      version: "2015-12-01",
      xmlNamespace: "http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/",
      operations: elbv2Operations(model, durable, dataPlane),
    },
  };
}
