import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { gunzipSync } from "node:zlib";
import {
  AwsError,
  type JsonServiceDefinition,
  type QueryServiceDefinition,
  type RequestContext,
  type RestServiceDefinition,
  type ServiceDefinition,
} from "../contracts.js";
import { asProtocolError, authError, internalFailure, type WireProtocol } from "./protocol-errors.js";
import { decodeQueryForm, encodeQueryError, encodeQueryResponse } from "./query-codec.js";
import { AuthFailure, signingServiceOf, verifyRequest, verifySigV4 } from "./sigv4.js";

// The control plane's HTTP front: unsigned routes first (layer downloads, task metadata), then one
// POST / that carries every AWS operation, dispatched by X-Amz-Target (awsJson) or Action+Version
// (awsQuery), SigV4-verified, with errors in the protocol's own shape. A REST service (S3) takes the
// rest once its signature is checked: it reads its own body, so that bodies stream.

export type HttpRoute = (req: IncomingMessage, res: ServerResponse) => void;

export interface WireOptions {
  accountId: string;
  secretFor: (accessKeyId: string) => string | undefined;
  /** Largest request body accepted (ECR layer parts arrive base64 in JSON). */
  maxBodyBytes?: number;
  log?: (message: string) => void;
}

const DEFAULT_MAX_BODY = 64 * 1024 * 1024;
const GENERIC_QUERY_NS = "https://local-region/doc/";

export class WireServer {
  private readonly jsonServices = new Map<string, JsonServiceDefinition>();
  private readonly queryServices = new Map<string, QueryServiceDefinition>();
  private readonly restServices = new Map<string, RestServiceDefinition>();
  private readonly routes: { prefix: string; handler: HttpRoute }[] = [];
  private readonly server: Server;
  private readonly log: (message: string) => void;

  constructor(private readonly options: WireOptions) {
    this.log = options.log ?? ((m) => console.error(m));
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error) => {
        this.log(`wire: unexpected failure: ${(error as Error).stack ?? String(error)}`);
        if (!res.headersSent) res.writeHead(500).end();
        else res.destroy();
      });
    });
    this.server.keepAliveTimeout = 65_000;
  }

  registerService(service: ServiceDefinition): void {
    if (service.protocol === "rest") return void this.restServices.set(service.signingName, service);
    if (service.protocol === "awsQuery") return void this.queryServices.set(service.version, service);
    this.jsonServices.set(service.targetPrefix, service);
    const query = service.queryCompatible;
    if (query)
      this.queryServices.set(query.version, {
        protocol: "awsQuery",
        signingName: service.signingName,
        ...query,
        operations: service.operations,
      });
  }

  registerHttpRoute(pathPrefix: string, handler: HttpRoute): void {
    this.routes.push({ prefix: pathPrefix, handler });
    this.routes.sort((a, b) => b.prefix.length - a.prefix.length);
  }

  async listen(port: number, host = "127.0.0.1"): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(port, host, () => {
        this.server.off("error", reject);
        resolve();
      });
    });
    return (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? "/").split("?")[0]!;
    const route = this.routes.find((r) => path.startsWith(r.prefix));
    if (route) return route.handler(req, res);
    const requestId = randomUUID();
    const target = header(req, "x-amz-target");
    const protocol: WireProtocol = target !== undefined ? "json" : "query";
    const rest = this.restServiceFor(req, path, target);
    if (rest) return this.handleRest(rest, req, res, requestId);
    if (req.method !== "POST" || path !== "/") {
      return this.sendError(
        res,
        protocol,
        new AwsError("UnknownOperationException", `No operation at ${req.method} ${path}`, 404),
        requestId,
      );
    }
    const body = await readBody(req, this.options.maxBodyBytes ?? DEFAULT_MAX_BODY);
    if (body === undefined) {
      return this.sendError(
        res,
        protocol,
        new AwsError("RequestEntityTooLarge", "Request body is too large", 413),
        requestId,
      );
    }
    let region: string;
    try {
      region = verifySigV4(
        { method: req.method, url: req.url ?? "/", headers: req.headers, body },
        this.options.secretFor,
      ).region;
    } catch (error) {
      if (error instanceof AuthFailure)
        return this.sendError(res, protocol, authError(error, protocol), requestId);
      throw error;
    }
    const ctx: RequestContext = { accountId: this.options.accountId, region, requestId };
    const payload = this.decompressed(req, body);
    if (payload instanceof AwsError) return this.sendError(res, protocol, payload, requestId);
    if (protocol === "json") return this.handleJson(res, target!, payload, ctx);
    return this.handleQuery(res, payload, ctx);
  }

  /** Signed for a REST service, or not the POST / of awsJson and awsQuery while one is registered. */
  private restServiceFor(
    req: IncomingMessage,
    path: string,
    target: string | undefined,
  ): RestServiceDefinition | undefined {
    const named = signingServiceOf({ url: req.url ?? "/", headers: req.headers });
    if (named !== undefined && this.restServices.has(named)) return this.restServices.get(named);
    if (target !== undefined || (req.method === "POST" && path === "/") || named !== undefined) return;
    return this.restServices.size === 1 ? [...this.restServices.values()][0] : undefined;
  }

  private async handleRest(
    service: RestServiceDefinition,
    req: IncomingMessage,
    res: ServerResponse,
    requestId: string,
  ): Promise<void> {
    let verified: ReturnType<typeof verifyRequest>;
    try {
      verified = verifyRequest(
        { method: req.method ?? "GET", url: req.url ?? "/", headers: req.headers, body: undefined },
        this.options.secretFor,
        new Date(),
        service.signing,
      );
    } catch (error) {
      if (!(error instanceof AuthFailure)) throw error;
      req.resume();
      const code = service.authErrorCodes[error.kind];
      return service.sendError(res, new AwsError(code, error.message, 403), requestId);
    }
    const ctx: RequestContext = { accountId: this.options.accountId, region: verified.region, requestId };
    try {
      await service.handle({ req, res, ctx, signing: verified.signing });
    } catch (error) {
      const known = error instanceof AwsError ? error : undefined;
      if (!known) this.log(`wire: ${service.signingName} failed: ${(error as Error).stack ?? String(error)}`);
      if (res.headersSent) return void res.destroy();
      req.resume();
      service.sendError(res, known ?? internalFailure(), requestId);
    }
  }

  /** The SDKs gzip large bodies (CloudWatch PutMetricData); the signature covers the gzipped bytes. */
  private decompressed(req: IncomingMessage, body: Buffer): Buffer | AwsError {
    if (header(req, "content-encoding")?.toLowerCase() !== "gzip") return body;
    try {
      return gunzipSync(body, { maxOutputLength: this.options.maxBodyBytes ?? DEFAULT_MAX_BODY });
    } catch {
      return new AwsError("SerializationException", "Request body is not valid gzip, or too large");
    }
  }

  private async handleJson(
    res: ServerResponse,
    target: string,
    body: Buffer,
    ctx: RequestContext,
  ): Promise<void> {
    const dot = target.lastIndexOf(".");
    const service = this.jsonServices.get(target.slice(0, dot));
    const operation = service?.operations[target.slice(dot + 1)];
    if (!service || dot < 0 || !operation || !Object.hasOwn(service.operations, target.slice(dot + 1))) {
      return this.sendError(
        res,
        "json",
        new AwsError("UnknownOperationException", `Unknown operation ${target}`),
        ctx.requestId,
      );
    }
    const input = parseJsonInput(body);
    if (input instanceof AwsError) return this.sendError(res, "json", input, ctx.requestId);
    const outcome = await this.invoke(() => operation(input, ctx), "json", target);
    if (outcome.error) return this.sendError(res, "json", outcome.error, ctx.requestId);
    const text = JSON.stringify(outcome.output ?? {}, jsonReplacer);
    res.writeHead(200, {
      "content-type": `application/x-amz-json-${service.protocol === "awsJson1_0" ? "1.0" : "1.1"}`,
      "x-amzn-requestid": ctx.requestId,
      "content-length": Buffer.byteLength(text),
    });
    res.end(text);
  }

  private async handleQuery(res: ServerResponse, body: Buffer, ctx: RequestContext): Promise<void> {
    let form: ReturnType<typeof decodeQueryForm>;
    try {
      form = decodeQueryForm(body.toString("utf8"));
    } catch (error) {
      return this.sendError(
        res,
        "query",
        asProtocolError(error, "query") ?? internalFailure(),
        ctx.requestId,
      );
    }
    if (!form.action) {
      return this.sendError(
        res,
        "query",
        new AwsError("MissingAction", "The request must contain the parameter Action"),
        ctx.requestId,
      );
    }
    if (!form.version) {
      return this.sendError(
        res,
        "query",
        new AwsError("MissingParameter", "The request must contain the parameter Version"),
        ctx.requestId,
      );
    }
    const service = this.queryServices.get(form.version);
    const action = form.action;
    const operation =
      service && Object.hasOwn(service.operations, action) ? service.operations[action] : undefined;
    if (!service || !operation) {
      const error = service
        ? new AwsError("InvalidAction", `The action ${action} is not valid for this web service.`)
        : new AwsError(
            "NoSuchVersion",
            `The requested version (${form.version}) of service is not supported.`,
          );
      return this.sendError(res, "query", error, ctx.requestId, service?.xmlNamespace);
    }
    const outcome = await this.invoke(() => operation(form.input, ctx), "query", action);
    if (outcome.error)
      return this.sendError(res, "query", outcome.error, ctx.requestId, service.xmlNamespace);
    const xml = encodeQueryResponse(action, service.xmlNamespace, outcome.output, ctx.requestId);
    res.writeHead(200, {
      "content-type": "text/xml",
      "x-amzn-requestid": ctx.requestId,
      "content-length": Buffer.byteLength(xml),
    });
    res.end(xml);
  }

  private async invoke(
    run: () => unknown,
    protocol: WireProtocol,
    operation: string,
  ): Promise<{ output?: unknown; error?: AwsError }> {
    try {
      return { output: await run() };
    } catch (error) {
      const known = asProtocolError(error, protocol);
      if (known) return { error: known };
      this.log(`wire: ${operation} failed: ${(error as Error).stack ?? String(error)}`);
      return { error: internalFailure() };
    }
  }

  private sendError(
    res: ServerResponse,
    protocol: WireProtocol,
    error: AwsError,
    requestId: string,
    xmlNamespace = GENERIC_QUERY_NS,
  ): void {
    const text =
      protocol === "json"
        ? JSON.stringify({ __type: error.code, message: error.message })
        : encodeQueryError(xmlNamespace, error, requestId);
    const headers: Record<string, string | number> = {
      "content-type": protocol === "json" ? "application/x-amz-json-1.1" : "text/xml",
      "x-amzn-requestid": requestId,
      "x-amzn-errortype": error.code,
      "content-length": Buffer.byteLength(text),
    };
    // awsQuery-compatible JSON services (CloudWatch) read the query-style code from this header.
    if (protocol === "json" && res.req?.headers["x-amzn-query-mode"] === "true") {
      headers["x-amzn-query-error"] = `${error.code};${error.fault}`;
    }
    res.writeHead(error.status, headers);
    res.end(text);
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** The body, or undefined when it is larger than the limit (the rest is discarded). */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on("end", () => resolve(tooLarge ? undefined : Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function parseJsonInput(body: Buffer): Record<string, unknown> | AwsError {
  if (body.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString("utf8"));
  } catch {
    return new AwsError("SerializationException", "Request body is not valid JSON");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    return new AwsError("SerializationException", "Start of structure or map found where not expected.");
  }
  return parsed as Record<string, unknown>;
}

/** awsJson timestamps are epoch seconds. */
function jsonReplacer(this: Record<string, unknown>, key: string, value: unknown): unknown {
  const raw = this[key];
  return raw instanceof Date ? raw.getTime() / 1000 : value;
}
