import WebSocket from "ws";

// A minimal Kurento JSON-RPC client over a WebSocket opened through the load balancer: enough to
// show the upgrade passes and which media server answered.

export interface RpcAnswer {
  id?: number;
  result?: { value?: unknown; sessionId?: string };
  error?: { code: number; message: string };
}

export class KurentoSocket {
  private nextId = 1;
  private sessionId: string | undefined;
  private readonly waiting = new Map<number, (answer: RpcAnswer) => void>();

  private constructor(private readonly ws: WebSocket) {
    ws.on("message", (data) => {
      const answer = JSON.parse(String(data)) as RpcAnswer;
      if (answer.id === undefined) return; // onEvent notifications
      this.waiting.get(answer.id)?.(answer);
      this.waiting.delete(answer.id);
    });
  }

  /** `url` is ws://127.0.0.1:<port>/kurento or wss://...; `host` picks the environment. */
  static open(url: string, host: string, ca?: string): Promise<KurentoSocket> {
    const ws = new WebSocket(url, {
      headers: { host },
      ...(ca && { ca, servername: host }),
      handshakeTimeout: 10_000,
    });
    return new Promise((resolve, reject) => {
      ws.once("open", () => resolve(new KurentoSocket(ws)));
      ws.once("error", reject);
      ws.once("unexpected-response", (_req, res) =>
        reject(new Error(`upgrade refused: ${res.statusCode} ${res.statusMessage}`)),
      );
    });
  }

  call(method: string, params: Record<string, unknown> = {}, timeoutMs = 10_000): Promise<RpcAnswer> {
    const id = this.nextId++;
    const payload = { jsonrpc: "2.0", id, method, params: { ...params, sessionId: this.sessionId } };
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${method}: no answer in ${timeoutMs} ms`)), timeoutMs);
      this.waiting.set(id, (answer) => {
        clearTimeout(timer);
        if (answer.result?.sessionId) this.sessionId = answer.result.sessionId;
        resolve(answer);
      });
      this.ws.send(JSON.stringify(payload));
    });
  }

  close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      this.ws.once("close", () => resolve());
      this.ws.close();
    });
  }
}
