import { html } from "htm/preact";
import type { LoadBalancerSnapshot, TargetGroupMetrics } from "../views.js";
import { Chart } from "./chart.js";
import { StreamStatus } from "./layout.js";
import { useStream } from "./stream.js";

const WINDOW_MS = 15 * 60_000;

export function LoadBalancerPage() {
  const stream = useStream<LoadBalancerSnapshot>("/events/load-balancer");
  const data = stream.snapshot?.ok ? stream.snapshot.data : undefined;
  return html`<h1>Load balancer</h1>
    <${StreamStatus} stream=${stream} />
    ${(data?.loadBalancers ?? []).map(
      (lb) =>
        html`<div class="row"><strong>${lb.name}</strong><span class="muted">${lb.dns}</span><span>listeners ${lb.listeners.join(", ")}</span></div>`,
    )}
    <h2>Rules</h2>
    <table class="rules card">
      <tr><th>listener</th><th>priority</th><th>conditions</th><th>action</th><th>weights</th></tr>
      ${(data?.rules ?? []).map(
        (r) => html`<tr data-listener=${r.listener} data-priority=${r.priority}>
          <td>${r.listener}</td><td>${r.priority}</td><td class="wrap">${r.conditions.join(" · ") || "–"}</td><td>${r.action}</td>
          <td class="weights">${r.weights.map((w) => `${w.targetGroup} ${w.weight}`).join(" / ")}</td>
        </tr>`,
      )}
    </table>
    <h2>Target groups (last 15 minutes, per minute)</h2>
    <div class="tg-grid">${(data?.targetGroups ?? []).map((g) => html`<${GroupCard} key=${g.name} group=${g} />`)}</div>`;
}

function GroupCard({ group: g }: { group: TargetGroupMetrics }) {
  return html`<article class="card" data-tg=${g.name}>
    <div class="row"><h3>${g.name}</h3><span class="muted">health check ${g.healthCheck}</span></div>
    <${Chart} series=${[{ name: "requests", points: g.requests }, { name: "5xx", points: g.errors5xx }]} windowMs=${WINDOW_MS} />
    <${Chart} series=${[{ name: "p95 ms", points: g.p95ms }]} unit="ms" windowMs=${WINDOW_MS} />
  </article>`;
}
