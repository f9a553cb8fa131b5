/** A small Kurento JSON-RPC client for the browser: requests, their answers, and onEvent. */
export interface KurentoEvent {
  object: string;
  type: string;
  data: Record<string, unknown>;
}

export class RpcFailure extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void };

export class KurentoRpc {
  sessionId: string | undefined;
  onEvent: (event: KurentoEvent) => void = () => {};
  onClose: () => void = () => {};
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  private constructor(private readonly ws: WebSocket) {
    ws.onmessage = (m) => this.receive(String(m.data));
    ws.onclose = () => {
      for (const p of this.pending.values()) p.reject(new Error("connection closed"));
      this.pending.clear();
      this.onClose();
    };
  }

  static connect(url: string): Promise<KurentoRpc> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url);
      ws.onopen = () => resolve(new KurentoRpc(ws));
      ws.onerror = () => reject(new Error(`could not connect to ${url}`));
    });
  }

  request<T = unknown>(method: string, params: Record<string, unknown> = {}): Promise<T> {
    const id = this.nextId++;
    const message = { jsonrpc: "2.0", id, method, params: { ...params, sessionId: this.sessionId } };
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.ws.send(JSON.stringify(message));
    });
  }

  /** create/invoke answer with {value}; this returns the value. */
  async value<T = unknown>(method: string, params: Record<string, unknown>): Promise<T> {
    return (await this.request<{ value: T }>(method, params)).value;
  }

  close(): void {
    this.ws.close();
  }

  private receive(text: string): void {
    const message = JSON.parse(text) as {
      id?: number;
      method?: string;
      params?: { value: KurentoEvent };
      result?: { sessionId?: string };
      error?: { code: number; message: string };
    };
    if (message.method === "onEvent" && message.params) {
      this.onEvent(message.params.value);
      return;
    }
    const pending = message.id === undefined ? undefined : this.pending.get(message.id);
    if (!pending || message.id === undefined) return;
    this.pending.delete(message.id);
    if (message.error) {
      pending.reject(new RpcFailure(message.error.code, message.error.message));
      return;
    }
    if (message.result?.sessionId) this.sessionId = message.result.sessionId;
    pending.resolve(message.result);
  }
}
