import { AwsError } from "../../../contracts.js";
import { clusterArn } from "./arns.js";
import { findCluster, type ModelContext, nowSeconds, stateOf } from "./context.js";
import { setTags } from "./tags.js";
import type { ClusterRecord, Tag } from "./types.js";
import { checkName } from "./validation.js";

export function createCluster(ctx: ModelContext, name: string | undefined, tags: Tag[]): ClusterRecord {
  const clusterName = checkName(name ?? "default", "Cluster");
  const state = stateOf(ctx);
  const existing = state.clusters[clusterName];
  // CreateCluster is idempotent in ECS: an existing ACTIVE cluster is returned as it is.
  if (existing?.status === "ACTIVE") return existing;
  const cluster: ClusterRecord = {
    clusterArn: clusterArn(ctx.partition, clusterName),
    clusterName,
    status: "ACTIVE",
    createdAt: nowSeconds(ctx),
  };
  state.clusters[clusterName] = cluster;
  setTags(ctx, cluster.clusterArn, tags);
  return cluster;
}

export function deleteCluster(ctx: ModelContext, ref: unknown): ClusterRecord {
  const cluster = findCluster(ctx, ref);
  const state = stateOf(ctx);
  const hasServices = Object.values(state.services).some(
    (s) => s.clusterArn === cluster.clusterArn && s.status !== "INACTIVE",
  );
  if (hasServices) {
    throw new AwsError(
      "ClusterContainsServicesException",
      "The Cluster cannot be deleted while Services are active.",
    );
  }
  const hasTasks = Object.values(state.tasks).some(
    (t) => t.clusterArn === cluster.clusterArn && t.lastStatus !== "STOPPED",
  );
  if (hasTasks) {
    throw new AwsError(
      "ClusterContainsTasksException",
      "The Cluster cannot be deleted while Tasks are active.",
    );
  }
  cluster.status = "INACTIVE";
  return cluster;
}
