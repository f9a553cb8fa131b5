import { html } from "htm/preact";
import type { ComponentChildren } from "preact";
import { time } from "./format.js";
import type { Stream } from "./stream.js";

export const PAGES = [
  ["/services", "Services"],
  ["/tasks", "Tasks and targets"],
  ["/load-balancer", "Load balancer"],
  ["/alarms", "Alarms"],
  ["/logs", "Logs"],
  ["/apps", "Transcoding and media"],
] as const;

export function Layout(props: { path: string; children: ComponentChildren }) {
  return html`<header>
      <strong>Local platform</strong>
      <nav>${PAGES.map(([href, label]) => html`<a href=${href} class=${props.path === href ? "on" : ""}>${label}</a>`)}</nav>
      <form method="post" action="/logout"><button class="link">Sign out</button></form>
    </header>
    <main>${props.children}</main>`;
}

/** The stream's state line: live, reconnecting, or the region's error (never a stale page). */
export function StreamStatus<T>(props: { stream: Stream<T> }) {
  const { snapshot, connected } = props.stream;
  if (!connected) return html`<div class="status busy" id="stream-status">reconnecting…</div>`;
  if (snapshot && !snapshot.ok)
    return html`<div class="status bad" id="stream-status">region unreachable or refusing: ${snapshot.error}</div>`;
  return html`<div class="status good" id="stream-status">live · ${time(snapshot?.at)}</div>`;
}
