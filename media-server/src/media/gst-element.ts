/** One GStreamer element as the pipeline builder sees it: a factory name and typed properties. */
export interface GstElement {
  factory: string;
  props: Record<string, string | number | boolean>;
}

export const element = (factory: string, props: GstElement["props"] = {}): GstElement => ({ factory, props });

/** gst-launch argv tokens for one element; values are ours or validated, never raw client text. */
export function elementArgv(e: GstElement): string[] {
  return [e.factory, ...Object.entries(e.props).map(([k, v]) => `${k}=${formatValue(v)}`)];
}

function formatValue(v: string | number | boolean): string {
  if (typeof v === "boolean") return v ? "true" : "false";
  if (typeof v === "number") return String(v);
  if (!/^[A-Za-z0-9_./:,=+%-]*$/.test(v)) throw new Error(`unsafe GStreamer property value: ${v}`);
  return v;
}
