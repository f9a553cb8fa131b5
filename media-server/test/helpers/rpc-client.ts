import WebSocket from "ws";

export interface RpcResponse {
  id?: number | string | null;
  result?: Record<string, unknown> & { value?: unknown; sessionId?: string };
  error?: { code: number; message: string; data?: { type: string } };
}
export interface RpcEvent {
  object: string;
  type: string;
  data: Record<string, unknown>;
}

/** A raw Kurento JSON-RPC client over ws, for protocol tests: every frame is visible. */
export class TestRpc {
  readonly events: RpcEvent[] = [];
  sessionId: string | undefined;
  private nextId = 1;
  private readonly waiting = new Map<number | string | null, (r: RpcResponse) => void>();
  private readonly orphans: RpcResponse[] = [];

  private constructor(readonly ws: WebSocket) {
    ws.on("message", (data) => {
      const msg = JSON.parse(String(data)) as RpcResponse & { method?: string; params?: { value: RpcEvent } };
      if (msg.method === "onEvent" && msg.params) return void this.events.push(msg.params.value);
      const waiter = this.waiting.get(msg.id ?? null);
      if (waiter) {
        this.waiting.delete(msg.id ?? null);
        waiter(msg);
      } else this.orphans.push(msg);
    });
  }

  /** `answerPings: false` makes a client whose TCP connection is half-open (it never answers). */
  static async open(baseUrl: string, { answerPings = true } = {}): Promise<TestRpc> {
    const ws = new WebSocket(`${baseUrl.replace(/^http/, "ws")}/kurento`, { autoPong: answerPings });
    await new Promise<void>((resolve, reject) => {
      ws.once("open", () => resolve());
      ws.once("error", reject);
    });
    return new TestRpc(ws);
  }

  /** Sends a request; resolves with the whole response (result or error). */
  call(method: string, params: Record<string, unknown> = {}): Promise<RpcResponse> {
    const id = this.nextId++;
    const response = this.expect(id);
    this.ws.send(
      JSON.stringify({ jsonrpc: "2.0", id, method, params: { sessionId: this.sessionId, ...params } }),
    );
    return response.then((r) => {
      if (r.result?.sessionId) this.sessionId = r.result.sessionId;
      return r;
    });
  }

  /** Like call, but fails the test on an error response, and returns result.value. */
  async value<T = string>(method: string, params: Record<string, unknown> = {}): Promise<T> {
    const r = await this.call(method, params);
    if (r.error) throw new Error(`${method} failed: ${r.error.code} ${r.error.message}`);
    return r.result?.value as T;
  }

  invoke<T = unknown>(object: string, operation: string, operationParams: Record<string, unknown> = {}) {
    return this.value<T>("invoke", { object, operation, operationParams });
  }

  /** Sends raw text; resolves with the response carrying `id` (null for unparseable input). */
  raw(text: string | Buffer, id: number | string | null = null): Promise<RpcResponse> {
    const response = this.expect(id);
    this.ws.send(text);
    return response;
  }

  async waitForEvent(predicate: (e: RpcEvent) => boolean, timeoutMs = 10_000): Promise<RpcEvent> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const found = this.events.find(predicate);
      if (found) return found;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(
      `no matching event within ${timeoutMs} ms; got ${this.events.map((e) => e.type).join(", ")}`,
    );
  }

  close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      this.ws.once("close", () => resolve());
      this.ws.close();
    });
  }

  /** Drops the TCP connection without a closing handshake, like a client that vanished. */
  drop(): void {
    this.ws.terminate();
  }

  private expect(id: number | string | null): Promise<RpcResponse> {
    const orphan = this.orphans.findIndex((o) => (o.id ?? null) === id);
    if (orphan >= 0) return Promise.resolve(this.orphans.splice(orphan, 1)[0]!);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no response to request ${String(id)}`)), 15_000);
      this.waiting.set(id, (r) => {
        clearTimeout(timer);
        resolve(r);
      });
    });
  }
}

/** A pipeline with an endpoint and one filter, not yet connected, its Error events subscribed. */
export async function filterPipeline(rpc: TestRpc, filterType: string) {
  const pipeline = await rpc.value("create", { type: "MediaPipeline" });
  await rpc.value("subscribe", { object: pipeline, type: "Error" });
  const endpoint = await rpc.value("create", {
    type: "WebRtcEndpoint",
    constructorParams: { mediaPipeline: pipeline },
  });
  const filter = await rpc.value("create", {
    type: filterType,
    constructorParams: { mediaPipeline: pipeline },
  });
  return { pipeline, endpoint, filter };
}
