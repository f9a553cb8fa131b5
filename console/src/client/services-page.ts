import { html } from "htm/preact";
import { type DeployRecord, LIFECYCLE_STAGES, type ServiceView, type TrafficSplit } from "../views.js";
import { duration, time, tone } from "./format.js";
import { StreamStatus } from "./layout.js";
import { useStream } from "./stream.js";

export function ServicesPage() {
  const stream = useStream<ServiceView[]>("/events/services");
  const services = stream.snapshot?.ok ? stream.snapshot.data : [];
  const environments = [...new Set(services.map((s) => s.environment))];
  return html`<h1>Services</h1>
    <${StreamStatus} stream=${stream} />
    ${stream.snapshot?.ok && services.length === 0 ? html`<p>No services in the region yet.</p>` : ""}
    ${environments.map(
      (env) => html`<section class="env" data-env=${env}>
        <h2>${env}</h2>
        ${services.filter((s) => s.environment === env).map((s) => html`<${ServiceCard} key=${s.name} service=${s} />`)}
      </section>`,
    )}`;
}

function ServiceCard({ service: s }: { service: ServiceView }) {
  const current = s.current;
  return html`<article class="card service" data-service=${s.name}>
    <div class="row">
      <h3>${s.name}</h3>
      <span class="badge">${s.strategy}</span>
      <span class="counts" title="running / desired">${s.running}/${s.desired}</span>
      ${s.pending ? html`<span class="busy">${s.pending} pending</span>` : ""}
      <span class="muted">${s.taskDefinition}</span>
    </div>
    ${
      current
        ? html`<div class="row current">
            <span>Deployment</span>
            <span class=${`stage ${tone(current.status)}`} data-stage=${current.lifecycleStage}>${current.lifecycleStage || "–"}</span>
            <span class=${tone(current.status)} data-status=${current.status}>${current.status}</span>
            <span class="muted">${current.revision} · ${duration(current.startedAt, current.finishedAt)}</span>
          </div>`
        : ""
    }
    ${current && s.strategy !== "ROLLING" ? html`<${Stages} deployment=${current} />` : ""}
    ${s.traffic.length > 0 ? html`<${TrafficBar} split=${s.traffic} />` : ""}
    <div class="columns">
      <div>
        <h4>Deploy history</h4>
        <table class="history">
          <tr><th>started</th><th>revision</th><th>outcome</th><th>took</th><th>rollback / reason</th></tr>
          ${s.history.map(
            (d) => html`<tr>
              <td>${time(d.startedAt)}</td><td>${d.revision}</td>
              <td class=${tone(d.status)}>${d.status}</td>
              <td>${duration(d.startedAt, d.finishedAt)}</td>
              <td class="wrap">${d.rollbackReason || d.statusReason}</td>
            </tr>`,
          )}
        </table>
      </div>
      <div>
        <h4>Events</h4>
        <ul class="events">
          ${s.events.map((e) => html`<li><span class="muted">${time(e.at)}</span> ${e.message}</li>`)}
        </ul>
      </div>
    </div>
  </article>`;
}

/** The production rule's weights as one bar: the first group blue, the other green. */
function TrafficBar({ split }: { split: TrafficSplit[] }) {
  const total = split.reduce((sum, g) => sum + g.weight, 0) || 1;
  return html`<div class="traffic" title="production listener rule weights">
    ${split.map((g, i) => {
      const percent = Math.round((g.weight / total) * 100);
      return html`<div
        class=${`share ${g.targetGroup.endsWith("-green") ? "green" : i === 0 ? "blue" : "green"}`}
        data-target-group=${g.targetGroup}
        data-percent=${percent}
        style=${percent > 0 ? `width:${percent}%` : "display:none"}
      >${percent > 0 ? `${g.targetGroup} ${percent} %` : ""}</div>`;
    })}
  </div>`;
}

/** The lifecycle as a stepper: stages passed, the current one, those to come. */
function Stages({ deployment }: { deployment: DeployRecord }) {
  const at = LIFECYCLE_STAGES.indexOf(deployment.lifecycleStage as (typeof LIFECYCLE_STAGES)[number]);
  const finished = deployment.status !== "IN_PROGRESS" && deployment.status !== "PENDING";
  return html`<ol class="stages">
    ${LIFECYCLE_STAGES.map((stage, i) => {
      const state = i < at || (finished && i === at) ? "done" : i === at ? "now" : "";
      return html`<li class=${state}>${stage.toLowerCase().replaceAll("_", " ")}</li>`;
    })}
  </ol>`;
}
