import { html } from "htm/preact";
import { useEffect, useRef, useState } from "preact/hooks";
import type { LogLine, ServiceView } from "../views.js";
import { time } from "./format.js";
import { useStream } from "./stream.js";

// A live tail per service (its task definition's awslogs group) with a CloudWatch filter pattern.
// The pattern is applied by the region's FilterLogEvents, so one it can't parse shows its message.

export function LogsPage() {
  const services = useStream<ServiceView[]>("/events/services");
  const list = services.snapshot?.ok ? services.snapshot.data.filter((s) => s.logGroup) : [];
  const initial = new URLSearchParams(location.search);
  // The first service's group until the user picks one: derived in the render, not set by an
  // effect, because an effect runs after the paint and would undo a choice made in between.
  const [chosen, setGroup] = useState(initial.get("group") ?? "");
  const group = chosen || list[0]?.logGroup || "";
  const [pattern, setPattern] = useState(initial.get("pattern") ?? "");
  const [draft, setDraft] = useState(pattern);
  const url = group ? `/events/logs?${new URLSearchParams({ group, pattern })}` : undefined;
  const tail = useStream<LogLine[]>(url);
  const box = useRef<HTMLPreElement>(null);
  const lines = tail.snapshot?.ok ? tail.snapshot.data : [];
  useEffect(() => {
    if (box.current) box.current.scrollTop = box.current.scrollHeight;
  }, [lines.length]);
  return html`<h1>Logs</h1>
    <form class="row" onSubmit=${(e: Event) => {
      e.preventDefault();
      setPattern(draft);
    }}>
      <label>Service
        <select id="log-group" value=${group} onChange=${(e: Event) => setGroup((e.target as HTMLSelectElement).value)}>
          ${list.map((s) => html`<option value=${s.logGroup}>${s.name} (${s.logGroup})</option>`)}
        </select>
      </label>
      <input id="filter-pattern" size="50" placeholder='filter pattern, e.g. ERROR or { $.level = "error" }'
        value=${draft} onInput=${(e: Event) => setDraft((e.target as HTMLInputElement).value)} />
      <button id="apply-filter" type="submit">Apply</button>
      <span class=${tail.connected ? "good" : "busy"} id="tail-status">${tail.connected ? `live · ${lines.length} lines` : "connecting…"}</span>
    </form>
    ${tail.snapshot && !tail.snapshot.ok ? html`<div class="error-box" id="log-error">${tail.snapshot.error}</div>` : ""}
    <pre class="log" id="log-lines" ref=${box}>${lines.map(
      (l) =>
        html`<div><span class="muted">${time(l.at)} ${l.stream.split("/").pop()}</span> ${l.message}</div>`,
    )}</pre>`;
}
