import type { ScalableResource, ScalableResources } from "../../contracts.js";

// The scalable dimensions the region's services provide (ECS: `ecs:service:DesiredCount`), by name.

export class LocalScalableResources implements ScalableResources {
  private readonly resources = new Map<string, ScalableResource>();

  get(scalableDimension: string): ScalableResource | undefined {
    return this.resources.get(scalableDimension);
  }

  provide(scalableDimension: string, resource: ScalableResource): () => void {
    this.resources.set(scalableDimension, resource);
    return () => {
      if (this.resources.get(scalableDimension) === resource) this.resources.delete(scalableDimension);
    };
  }
}
