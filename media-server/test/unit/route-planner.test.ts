import { describe, expect, it } from "vitest";
import { type GraphNode, planRoutes } from "../../src/media/route-planner.js";

type Node = GraphNode & { source: Node | undefined };
const node = (id: string, kind: Node["kind"], source?: Node): Node => ({ id, kind, source });
const ids = (routes: ReturnType<typeof planRoutes<Node>>) =>
  routes.map((r) => [r.source.id, r.filters.map((f) => f.id).join(">"), r.sink.id]);

describe("route planning", () => {
  it("an endpoint connected to itself is a loopback without filters", () => {
    const ep = node("ep", "endpoint");
    ep.source = ep;
    expect(ids(planRoutes([ep]))).toEqual([["ep", "", "ep"]]);
  });

  it("walks through a chain of filters back to the source endpoint", () => {
    const ep = node("ep", "endpoint");
    const f1 = node("f1", "filter", ep);
    const f2 = node("f2", "filter", f1);
    ep.source = f2;
    expect(ids(planRoutes([ep, f1, f2]))).toEqual([["ep", "f1>f2", "ep"]]);
  });

  it("serves several sinks from one source, and ignores dangling filters and filter cycles", () => {
    const a = node("a", "endpoint");
    const b = node("b", "endpoint", a);
    const f = node("f", "filter", a);
    const c = node("c", "endpoint", f);
    const g1 = node("g1", "filter");
    const g2 = node("g2", "filter", g1);
    g1.source = g2;
    const d = node("d", "endpoint", g2);
    expect(ids(planRoutes([a, b, f, c, g1, g2, d]))).toEqual([
      ["a", "", "b"],
      ["a", "f", "c"],
    ]);
  });
});
