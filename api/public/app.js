// The home page: version, a job form, the job list kept live over the WebSocket, and a player.
const $ = (id) => document.getElementById(id);
const jobs = new Map();
let socket;
let lastMod = 0;

const key = () => $("key").value.trim();
const authed = (init = {}) => ({
  ...init,
  headers: { ...(init.headers || {}), authorization: `Bearer ${key()}` },
});

async function loadInfo() {
  const version = await (await fetch("api/v1/version")).json();
  $("v-version").textContent = version.version;
  $("v-build").textContent = version.build;
  $("v-commit").textContent = version.commit;
  const schema = await (await fetch("api/v1/schema")).json();
  for (const [id, values] of Object.entries({
    codec: schema.ffmpeg.codec,
    scale: schema.ffmpeg.scale,
    profile: schema.ffmpeg.profile,
    speed: schema.ffmpeg.speed,
  })) {
    $(id).replaceChildren(...values.map((v) => new Option(v, v)));
  }
  $("speed").value = "fast";
  $("scale").value = "360p";
}

function render() {
  const rows = [...jobs.values()].sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1));
  $("jobs").replaceChildren(
    ...rows.map((job) => {
      const tr = document.createElement("tr");
      const cells = [job.jobid.slice(0, 8), job.input, job.status + (job.phase ? ` (${job.phase})` : "")];
      for (const text of cells)
        tr.appendChild(Object.assign(document.createElement("td"), { textContent: text }));
      const progress = Object.assign(document.createElement("progress"), {
        max: 100,
        value: job.percentComplete,
      });
      tr.appendChild(document.createElement("td")).appendChild(progress);
      const action = tr.appendChild(document.createElement("td"));
      if (job.status === "COMPLETE" && job.output) {
        const play = Object.assign(document.createElement("button"), { textContent: "play" });
        play.onclick = () => playOutput(job.output);
        action.appendChild(play);
      } else if (job.status === "ERROR") {
        action.appendChild(
          Object.assign(document.createElement("span"), {
            className: "error",
            textContent: job.errorMessage,
          }),
        );
      } else if (job.status === "SUBMITTED" || job.status === "PROGRESSING") {
        const cancel = Object.assign(document.createElement("button"), { textContent: "cancel" });
        cancel.onclick = () => fetch(`api/v1/jobs/${job.jobid}/cancel`, authed({ method: "POST" }));
        action.appendChild(cancel);
      }
      return tr;
    }),
  );
}

async function playOutput(object) {
  const response = await fetch(
    "api/v1/links",
    authed({
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ object }),
    }),
  );
  if (!response.ok) return;
  const { url } = await response.json();
  $("player").hidden = false;
  $("player").src = url;
  $("player").play();
}

function connect() {
  if (!key()) return;
  localStorage.setItem("apiKey", key());
  socket?.close();
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  socket = new WebSocket(`${scheme}://${location.host}/api/v1/ws?lastMod=${lastMod}`, ["bearer", key()]);
  socket.onopen = () => ($("status").textContent = "live");
  socket.onclose = () => {
    $("status").textContent = "reconnecting…";
    setTimeout(connect, 2000);
  };
  socket.onmessage = (message) => {
    const data = JSON.parse(message.data);
    if (data.type !== "event") return;
    lastMod = data.seq;
    jobs.set(data.job.jobid, data.job);
    render();
  };
}

const say = (text) => {
  $("submit-status").textContent = text;
};

async function submitJob() {
  const file = $("file").files[0];
  if (!file) return say("choose a file first");
  const name = file.name.replace(/[^A-Za-z0-9._=+-]/g, "_").replace(/^[.-]+/, "") || "upload.mp4";
  $("submit-status").textContent = "uploading…";
  const put = await fetch(
    `api/v1/objects/uploads/${encodeURIComponent(name)}`,
    authed({ method: "PUT", body: file }),
  );
  if (!put.ok) return say((await put.json()).message);
  const body = {
    input: `objects://uploads/${name}`,
    output: "objects://outputs/",
    priority: Number($("priority").value),
    profile: {
      ffmpeg: {
        codec: $("codec").value,
        scale: $("scale").value,
        bitrate: Number($("bitrate").value),
        profile: $("profile").value,
        speed: $("speed").value,
      },
    },
  };
  const response = await fetch(
    "api/v1/jobs",
    authed({ method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) }),
  );
  const result = await response.json();
  $("submit-status").textContent = response.ok ? `submitted ${result[0].jobid}` : result.message;
}

$("key").value = localStorage.getItem("apiKey") || "";
$("connect").onclick = connect;
$("submit").onclick = submitJob;
loadInfo();
connect();
