import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { accessLog, type Logger, type MetricsPublisher } from "@platform/telemetry";
import { WebSocketServer } from "ws";
import type { ServerConfig } from "./config.js";
import { serveStatic } from "./http/static-files.js";
import { runningGstPids } from "./media/gst-process.js";
import { PipelineTelemetry, pipelineMetrics } from "./pipeline-telemetry.js";
import { serveConnection } from "./protocol/connection.js";
import { KurentoService } from "./protocol/kurento-service.js";
import { guardedDownload } from "./recording/recording-context.js";
import { recordingStore } from "./recording/recording-store.js";

export interface RunningServer {
  url: string;
  port: number;
  service: KurentoService;
  /** SIGTERM's first step: health turns 503, new sessions are refused. */
  drain(): void;
  /** Tells clients to reconnect, releases every session, closes sockets. */
  close(): Promise<void>;
}

/** HTTP routes under /media, the Kurento WebSocket at /kurento. */
export async function startServer(
  config: ServerConfig,
  log: Logger,
  image: () => string,
): Promise<RunningServer> {
  const metrics: MetricsPublisher | undefined = config.cloudwatchMetrics
    ? pipelineMetrics(config.environment, log, (): number => service.registry.pipelineCount())
    : undefined;
  const service = new KurentoService(
    {
      peer: {
        portRange: config.mediaUdpPorts,
        advertisement: { publicIp: config.publicIp, ports: config.advertisedPorts },
        turn: config.turn,
      },
      filters: { publicDir: config.publicDir, overlayImageHosts: config.overlayImageHosts },
      recordings: { store: recordingStore(config), download: guardedDownload() },
    },
    config,
    new PipelineTelemetry(log, metrics),
  );
  metrics?.start();

  const access = accessLog(log);
  const http = createServer((req, res) =>
    access(req, res, () => {
      void route(req, res).catch((error: unknown) => {
        log.error("request failed", { path: req.url?.split("?")[0], error: String(error) });
        if (!res.headersSent) json(res, 500, { error: "internal error" });
      });
    }),
  );

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://server");
    if (req.method !== "GET" && req.method !== "HEAD")
      return json(res, 405, { error: "only GET is served here" });
    if (url.pathname === "/media/healthz") {
      return service.draining ? json(res, 503, { status: "draining" }) : json(res, 200, { status: "ok" });
    }
    if (url.pathname === "/media/version") return json(res, 200, { ...config.version, image: image() });
    if (url.pathname === "/media/stats") {
      return json(res, 200, {
        sessions: service.sessions.all().length,
        pipelines: service.registry.pipelineCount(),
        gstProcesses: runningGstPids.size,
      });
    }
    if (url.pathname === "/media") {
      res.writeHead(301, { location: "/media/" });
      return void res.end();
    }
    if (url.pathname.startsWith("/media/") && (await serveStatic(config.publicDir, url.pathname, res)))
      return;
    json(res, 404, { error: `nothing at ${url.pathname}` });
  }

  const wss = new WebSocketServer({ noServer: true, maxPayload: 16 * 1024 * 1024 });
  http.on("upgrade", (req, socket, head) => {
    const path = new URL(req.url ?? "/", "http://server").pathname;
    if (path !== "/kurento") {
      socket.end("HTTP/1.1 404 Not Found\r\nconnection: close\r\n\r\n");
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) =>
      serveConnection(
        ws,
        service,
        { maxMessageBytes: config.maxMessageBytes, heartbeatMs: config.wsHeartbeatMs, maxInFlight: 64 },
        log,
      ),
    );
  });

  await new Promise<void>((resolve) => http.listen(config.port, config.host, resolve));
  const { port } = http.address() as AddressInfo;
  const shown = config.host === "0.0.0.0" ? "127.0.0.1" : config.host;
  log.info("media server listening", { port, host: config.host });

  return {
    url: `http://${shown}:${port}`,
    port,
    service,
    drain() {
      service.draining = true;
    },
    async close() {
      service.draining = true;
      await service.shutdown();
      for (const client of wss.clients) client.close(1001, "server shutting down");
      wss.close();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
      await metrics?.stop();
    },
  };
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}
