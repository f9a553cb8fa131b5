import type { Dialect, Row } from "./dialect.js";
import { num } from "./rows.js";
import type { ApiKeyRecord, ApiKeyStore } from "./store.js";

// Only a key's hash is stored (keys.ts makes and hashes keys). A revoked key keeps its row with
// revoked_at set: the CLI still lists it and authentication refuses it by that mark.

export function sqlApiKeys(db: Dialect): ApiKeyStore {
  return {
    async addKey(key, now) {
      const inserted = await db.run(
        "INSERT INTO api_keys (id, userid, hash, admin, created_at) VALUES ($1,$2,$3,$4,$5) ON CONFLICT DO NOTHING",
        [key.id, key.userid, key.hash, key.admin ? 1 : 0, now],
      );
      return inserted === 1;
    },
    async keyByHash(hash) {
      const [row] = await db.query("SELECT * FROM api_keys WHERE hash = $1", [hash]);
      return row ? toKey(row) : undefined;
    },
    async keyById(id) {
      const [row] = await db.query("SELECT * FROM api_keys WHERE id = $1", [id]);
      return row ? { ...toKey(row), hash: String(row.hash) } : undefined;
    },
    async revokeKey(id, now) {
      const changed = await db.run(
        "UPDATE api_keys SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL",
        [id, now],
      );
      return changed === 1;
    },
    async listKeys() {
      return (await db.query("SELECT * FROM api_keys ORDER BY created_at, id")).map(toKey);
    },
  };
}

function toKey(row: Row): ApiKeyRecord {
  return {
    id: String(row.id),
    userid: String(row.userid),
    admin: Number(row.admin) === 1,
    createdAt: Number(row.created_at),
    revokedAt: num(row.revoked_at),
  };
}
