/**
 * Kurento's JSON-RPC error codes (KMS and kurento-client agree on these numbers; kurento-client maps
 * 40100 to TypeError, 40101 to ReferenceError, 40105 to SyntaxError and handles 40007 on reconnect).
 */
export const ErrorCode = {
  PARSE_ERROR: -32700,
  INVALID_REQUEST: -32600,
  METHOD_NOT_FOUND: -32601,
  INVALID_PARAMS: -32602,
  INVALID_SESSION: 40007,
  MEDIA_ERROR: 40000,
  UNEXPECTED_ERROR: 40003,
  NOT_ENOUGH_RESOURCES: 40004,
  SERVER_SHUTTING_DOWN: 40005,
  MEDIA_OBJECT_TYPE_NOT_FOUND: 40100,
  MEDIA_OBJECT_NOT_FOUND: 40101,
  MEDIA_OBJECT_CONSTRUCTOR_NOT_FOUND: 40104,
  MEDIA_OBJECT_METHOD_NOT_FOUND: 40105,
  MEDIA_OBJECT_EVENT_NOT_SUPPORTED: 40106,
  MEDIA_OBJECT_ILLEGAL_PARAM_ERROR: 40107,
  SDP_PARSE_ERROR: 40201,
  SDP_END_POINT_PROCESS_OFFER_ERROR: 40205,
  SDP_END_POINT_PROCESS_ANSWER_ERROR: 40206,
  ICE_CANDIDATE_ERROR: 40208,
} as const;

export type ErrorName = keyof typeof ErrorCode;

/** An error meant for the client: its message says what was wrong, and nothing internal. */
export class RpcError extends Error {
  readonly code: number;
  readonly type: ErrorName;
  constructor(type: ErrorName, message: string) {
    super(message);
    this.type = type;
    this.code = ErrorCode[type];
  }

  toJson(): { code: number; message: string; data: { type: ErrorName } } {
    return { code: this.code, message: this.message, data: { type: this.type } };
  }
}

export const illegalParam = (message: string) => new RpcError("MEDIA_OBJECT_ILLEGAL_PARAM_ERROR", message);
