import { z } from "zod";

/** Shapes of the Kurento JSON-RPC requests, as kurento-client 7.3 sends them. */

const id = z.union([z.number(), z.string()]);
const objectId = z.string().min(1).max(300);
const sessionId = z.string().max(100).optional();
const plainObject = z.record(z.string(), z.unknown());

export const envelopeSchema = z.object({
  jsonrpc: z.literal("2.0"),
  id: id.optional(),
  method: z.string().min(1).max(64),
  params: z.unknown().optional(),
});
export type Envelope = z.infer<typeof envelopeSchema>;

export const paramSchemas = {
  ping: z.object({ interval: z.number().optional(), sessionId }).loose().nullish(),
  connect: z.object({ sessionId }).loose().nullish(),
  closeSession: z.object({ sessionId }).loose().nullish(),
  create: z
    .object({
      type: z.string().min(1).max(64),
      constructorParams: plainObject.optional(),
      properties: plainObject.optional(),
      sessionId,
    })
    .loose(),
  invoke: z
    .object({
      object: objectId,
      operation: z.string().min(1).max(64),
      operationParams: plainObject.optional(),
      sessionId,
    })
    .loose(),
  subscribe: z.object({ object: objectId, type: z.string().min(1).max(64), sessionId }).loose(),
  unsubscribe: z.object({ object: objectId, subscription: z.string().min(1).max(100), sessionId }).loose(),
  release: z.object({ object: objectId, sessionId }).loose(),
  describe: z.object({ object: objectId, sessionId }).loose(),
} as const;

export type Method = keyof typeof paramSchemas;
export const isMethod = (m: string): m is Method => Object.hasOwn(paramSchemas, m);

export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((i) => `${i.path.length ? i.path.join(".") : "params"}: ${i.message}`)
    .slice(0, 5)
    .join("; ");
}
