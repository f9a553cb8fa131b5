import { html } from "htm/preact";
import type { TasksSnapshot, TaskView } from "../views.js";
import { portRanges, time, tone } from "./format.js";
import { StreamStatus } from "./layout.js";
import { useStream } from "./stream.js";

export function TasksPage() {
  const stream = useStream<TasksSnapshot>("/events/tasks");
  const data = stream.snapshot?.ok ? stream.snapshot.data : undefined;
  const percent = (v: number | undefined) => (v === undefined ? "–" : `${v.toFixed(1)} %`);
  return html`<h1>Tasks and targets</h1>
    <${StreamStatus} stream=${stream} />
    ${
      data && data.utilization.length > 0
        ? html`<div class="row utilization">
            ${data.utilization.map(
              (u) =>
                html`<span class="card" data-utilization=${u.service}><strong>${u.service}</strong> CPU ${percent(u.cpu)} · memory ${percent(u.memory)}</span>`,
            )}
          </div>`
        : ""
    }
    <table class="tasks card">
      <tr><th>task</th><th>service</th><th>revision</th><th>state</th><th>image digest</th><th>host port</th><th>targets</th><th>cpu / mem</th><th>started</th></tr>
      ${(data?.tasks ?? []).map((t) => html`<${TaskRow} key=${t.id} task=${t} />`)}
    </table>`;
}

function TaskRow({ task: t }: { task: TaskView }) {
  return html`<tr data-task=${t.id} data-service=${t.service}>
    <td title=${t.id}>${t.id.slice(0, 8)}</td>
    <td>${t.service}</td>
    <td>${t.revision}</td>
    <td class=${tone(t.lastStatus)} title=${t.stoppedReason}>
      ${t.lastStatus}${t.lastStatus !== t.desiredStatus ? ` → ${t.desiredStatus}` : ""}
      ${t.stoppedReason ? html`<div class="muted reason">${t.stoppedReason}</div>` : ""}
    </td>
    <td class="mono" title=${t.image}>${t.digest ? `${t.digest.slice(0, 15)}…` : "–"}</td>
    <td class="wrap ports">${portRanges(t.hostPorts) || "–"}</td>
    <td class="targets">
      ${t.targets.map(
        (
          x,
        ) => html`<div class=${tone(x.state)} data-target-group=${x.targetGroup} data-state=${x.state} title=${x.reason}>
          ${x.targetGroup}: ${x.state}${x.drainLeft !== undefined ? ` (${x.drainLeft} s left)` : ""}
        </div>`,
      )}
    </td>
    <td>${t.cpu || "–"} / ${t.memory || "–"}</td>
    <td>${time(t.startedAt)}</td>
  </tr>`;
}
