import type { Dialect, Row } from "./dialect.js";
import { json, parse } from "./rows.js";
import type { WorkerInfo, WorkerRegistry } from "./store.js";

// Each worker upserts its own row at every state change and every few seconds; what it started with
// (task, host, size) is written once. Rows are never deleted: stopped workers stay in /workers.

export function sqlWorkers(db: Dialect): WorkerRegistry {
  return {
    async saveWorker(w) {
      await db.run(
        `INSERT INTO workers (id, task_id, host, state, current_jobs, cpus, memory, slots, started_at, heartbeat_at)
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)
         ON CONFLICT (id) DO UPDATE SET state = $4, current_jobs = $5, heartbeat_at = $10`,
        [
          w.id,
          w.taskId,
          w.host,
          w.state,
          json(w.currentJobs),
          w.cpus,
          w.memory,
          w.slots,
          w.startedAt,
          w.heartbeatAt,
        ],
      );
    },
    async workers() {
      const rows = await db.query("SELECT * FROM workers ORDER BY started_at DESC LIMIT 200");
      return rows.map(toWorker);
    },
  };
}

function toWorker(row: Row): WorkerInfo {
  return {
    id: String(row.id),
    taskId: String(row.task_id),
    host: String(row.host),
    state: row.state as WorkerInfo["state"],
    currentJobs: parse<string[]>(row.current_jobs) ?? [],
    cpus: Number(row.cpus),
    memory: Number(row.memory),
    slots: Number(row.slots),
    startedAt: Number(row.started_at),
    heartbeatAt: Number(row.heartbeat_at),
  };
}
