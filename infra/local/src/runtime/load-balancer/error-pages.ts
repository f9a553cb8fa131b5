import type { ServerResponse } from "node:http";
import { STATUS_CODES } from "node:http";

// The ALB's own error responses: a small HTML page and `Server: awselb/2.0`.

/** The reason phrases ALB's pages use where they differ from Node's. */
const ALB_REASONS: Record<number, string> = {
  503: "Service Temporarily Unavailable",
  504: "Gateway Time-out",
};

function reason(status: number): string {
  return ALB_REASONS[status] ?? STATUS_CODES[status] ?? "";
}

export function errorPage(status: number): string {
  const title = `${status} ${reason(status)}`.trim();
  return `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n</body>\r\n</html>\r\n`;
}

export function sendErrorPage(res: ServerResponse, status: number): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = errorPage(status);
  res.writeHead(status, reason(status), {
    server: "awselb/2.0",
    "content-type": "text/html",
    "content-length": Buffer.byteLength(body),
  });
  res.end(body);
}

export function rawErrorResponse(status: number): string {
  const body = errorPage(status);
  return `HTTP/1.1 ${status} ${reason(status)}\r\nServer: awselb/2.0\r\nContent-Type: text/html\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
}
