/** Minimal view of the graph the planner needs; the object model implements it. */
export interface GraphNode {
  readonly id: string;
  readonly kind: "endpoint" | "filter";
  readonly source: GraphNode | undefined;
}

export interface Route<N extends GraphNode> {
  source: N;
  filters: N[];
  sink: N;
}

/**
 * For each endpoint with something upstream, walk up through filters to the endpoint whose media
 * feeds it. The result is the list of media paths the pipeline must run; filters not between two
 * endpoints process nothing (as in Kurento: no sink, no flow that matters).
 */
export function planRoutes<N extends GraphNode>(nodes: Iterable<N>): Route<N>[] {
  const routes: Route<N>[] = [];
  for (const sink of nodes) {
    if (sink.kind !== "endpoint" || !sink.source) continue;
    const filters: N[] = [];
    const seen = new Set<string>([sink.id]);
    let node = sink.source as N | undefined;
    while (node && node.kind === "filter" && !seen.has(node.id)) {
      seen.add(node.id);
      filters.unshift(node);
      node = node.source as N | undefined;
    }
    if (node && node.kind === "endpoint") routes.push({ source: node, filters, sink });
  }
  return routes;
}
