import { AwsError } from "../../../contracts.js";
import { clusterArn, nameFromArnOrName } from "./arns.js";
import { findCluster, lookUp, type ModelContext, nowSeconds, stateOf } from "./context.js";
import { setTags } from "./tags.js";
import type { ClusterRecord, Failure, Tag } from "./types.js";
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

export function deleteCluster(ctx: ModelContext, ref: string | undefined): ClusterRecord {
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

/** DescribeClusters: the clusters found (INACTIVE ones too) and a MISSING failure for the others. */
export function describeClusters(
  ctx: ModelContext,
  refs: string[],
): { clusters: ClusterRecord[]; failures: Failure[] } {
  const { found, failures } = lookUp(
    refs,
    (ref) => stateOf(ctx).clusters[nameFromArnOrName(ref)],
    (ref) => (ref.startsWith("arn:") ? ref : clusterArn(ctx.partition, ref)),
  );
  return { clusters: found, failures };
}

export function listClusters(ctx: ModelContext): string[] {
  return Object.values(stateOf(ctx).clusters)
    .filter((c) => c.status === "ACTIVE")
    .map((c) => c.clusterArn);
}

/** The counts DescribeClusters shows, from the tasks and services in the cluster. */
export function clusterStats(ctx: ModelContext, cluster: ClusterRecord) {
  const state = stateOf(ctx);
  const tasks = Object.values(state.tasks).filter(
    (t) => t.clusterArn === cluster.clusterArn && t.lastStatus !== "STOPPED",
  );
  const running = tasks.filter((t) => t.lastStatus === "RUNNING").length;
  const activeServices = Object.values(state.services).filter(
    (s) => s.clusterArn === cluster.clusterArn && s.status === "ACTIVE",
  ).length;
  return { running, pending: tasks.length - running, activeServices };
}
