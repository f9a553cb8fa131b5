import { html } from "htm/preact";
import { useEffect, useState } from "preact/hooks";
import type { AlarmsSnapshot, AlarmView, MailSummary } from "../views.js";
import { Chart } from "./chart.js";
import { time, tone } from "./format.js";
import { StreamStatus } from "./layout.js";
import { useStream } from "./stream.js";

export function AlarmsPage() {
  const stream = useStream<AlarmsSnapshot>("/events/alarms");
  const data = stream.snapshot?.ok ? stream.snapshot.data : undefined;
  const [open, setOpen] = useState<string | undefined>();
  return html`<h1>Alarms</h1>
    <${StreamStatus} stream=${stream} />
    ${data && data.alarms.length === 0 ? html`<p>No alarms in the region.</p>` : ""}
    <div class="alarm-grid">
      ${(data?.alarms ?? []).map((a) => html`<${AlarmCard} key=${a.name} alarm=${a} />`)}
    </div>
    <h2>Outbox (alarm e-mails)</h2>
    ${
      data?.outbox === undefined
        ? html`<p class="muted">The console was not told where the region keeps its state.</p>`
        : html`<div class="columns">
            <${MailList} mails=${data.outbox} open=${open} onOpen=${setOpen} />
            ${open ? html`<${Mail} file=${open} />` : html`<p class="muted">Choose an e-mail to read it.</p>`}
          </div>`
    }`;
}

function AlarmCard({ alarm: a }: { alarm: AlarmView }) {
  return html`<article class="card alarm" data-alarm=${a.name}>
    <div class="row">
      <h3>${a.name}</h3>
      <span class=${`state ${tone(a.state)}`}>${a.state}</span>
      <span class="muted">${a.comparison} ${a.threshold} · ${a.evaluationPeriods} × ${a.period} s</span>
    </div>
    <div class="muted">${a.metric}${a.actionsEnabled ? "" : " · actions disabled"}</div>
    <div class="wrap reason">${a.reason}</div>
    <${Chart} series=${[{ name: a.name, points: a.points }]} threshold=${a.threshold} windowMs=${30 * 60_000} />
    <h4>History</h4>
    <ul class="events">
      ${a.history.map((h) => html`<li><span class="muted">${time(h.at)}</span> ${h.summary}</li>`)}
    </ul>
  </article>`;
}

function MailList(props: { mails: MailSummary[]; open: string | undefined; onOpen: (file: string) => void }) {
  if (props.mails.length === 0) return html`<p class="muted">No e-mails yet.</p>`;
  return html`<table class="mails">
    <tr><th>date</th><th>to</th><th>subject</th></tr>
    ${props.mails.map(
      (m) => html`<tr class=${m.file === props.open ? "on" : ""} data-mail=${m.file}>
        <td>${m.date}</td><td>${m.to}</td>
        <td class="wrap"><a href="#" onClick=${(e: Event) => {
          e.preventDefault();
          props.onOpen(m.file);
        }}>${m.subject}</a></td>
      </tr>`,
    )}
  </table>`;
}

function Mail({ file }: { file: string }) {
  const [mail, setMail] = useState<{ subject: string; to: string; body: string } | { error: string }>();
  useEffect(() => {
    fetch(`/api/mail?file=${encodeURIComponent(file)}`)
      .then((r) => r.json())
      .then(setMail, (e: Error) => setMail({ error: e.message }));
  }, [file]);
  if (!mail) return html`<p>…</p>`;
  if ("error" in mail) return html`<div class="error-box">${mail.error}</div>`;
  return html`<article class="card" id="mail">
    <h3>${mail.subject}</h3>
    <div class="muted">to ${mail.to}</div>
    <pre class="mail-body">${mail.body}</pre>
  </article>`;
}
