import { html } from "htm/preact";
import type { AppLink } from "../views.js";
import { tone } from "./format.js";
import { StreamStatus } from "./layout.js";
import { useStream } from "./stream.js";

// Transcoding and media: where each app is reached through the load balancer, its health and version.

export function AppsPage() {
  const stream = useStream<AppLink[]>("/events/apps");
  const apps = stream.snapshot?.ok ? stream.snapshot.data : [];
  return html`<h1>Transcoding and media</h1>
    <${StreamStatus} stream=${stream} />
    <table class="apps card">
      <tr><th>service</th><th>link</th><th>health</th><th>version</th></tr>
      ${apps.map(
        (a) => html`<tr data-app=${a.service}>
          <td>${a.service}</td>
          <td><a href=${a.url} target="_blank" rel="noreferrer">${a.url}</a></td>
          <td class=${`health ${a.health.startsWith("200") ? "good" : tone("unhealthy")}`}>${a.health}</td>
          <td class="version wrap mono">${a.version || "–"}</td>
        </tr>`,
      )}
    </table>`;
}
