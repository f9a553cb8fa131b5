import type { Durable, ScalableResource } from "../../contracts.js";
import { activeService, findCluster, findService } from "./model/context.js";
import type { EcsModel } from "./model/ecs-model.js";
import { setDesiredCount } from "./model/services.js";
import type { EcsState } from "./model/types.js";

// ECS's side of the ScalableResources seam: `ecs:service:DesiredCount` of `service/<cluster>/<service>`,
// read and set on ECS's model (as Application Auto Scaling calls UpdateService on AWS), committed,
// then the scheduler is nudged to start or stop tasks.

export const ECS_DESIRED_COUNT = "ecs:service:DesiredCount";

export class EcsScalableServices implements ScalableResource {
  constructor(
    private readonly model: EcsModel,
    private readonly durable: Durable<EcsState>,
    private readonly nudge: () => void = () => {},
  ) {}

  capacity(resourceId: string): number | undefined {
    try {
      return this.service(resourceId).desiredCount;
    } catch {
      return undefined;
    }
  }

  setCapacity(resourceId: string, capacity: number): void {
    setDesiredCount(this.service(resourceId), capacity);
    this.durable.commit();
    this.nudge();
  }

  private service(resourceId: string) {
    const [kind, cluster, service] = resourceId.split("/");
    if (kind !== "service" || !cluster || !service) throw new Error(`not an ECS service: ${resourceId}`);
    return activeService(findService(this.model.ctx, findCluster(this.model.ctx, cluster), service));
  }
}
