import { useEffect, useState } from "preact/hooks";

// A page's live data: one EventSource per stream. EventSource reconnects by itself after a dropped
// connection; when the server refuses it (a 401 after the console restarted, a 400) it gives up,
// so this opens a new one after a pause, bounded only by the page's life.

export type Snapshot<T> = { ok: true; at: number; data: T } | { ok: false; at: number; error: string };

export interface Stream<T> {
  snapshot: Snapshot<T> | undefined;
  connected: boolean;
}

const REOPEN_MS = 3000;

export function useStream<T>(url: string | undefined): Stream<T> {
  const [state, setState] = useState<Stream<T>>({ snapshot: undefined, connected: false });
  useEffect(() => {
    setState({ snapshot: undefined, connected: false });
    if (!url) return;
    let source: EventSource | undefined;
    let timer: number | undefined;
    const open = () => {
      source = new EventSource(url);
      source.onopen = () => setState((s) => ({ ...s, connected: true }));
      source.onmessage = (event) =>
        setState({ snapshot: JSON.parse(event.data as string) as Snapshot<T>, connected: true });
      source.onerror = () => {
        setState((s) => ({ ...s, connected: false }));
        if (source?.readyState === EventSource.CLOSED) timer = window.setTimeout(open, REOPEN_MS);
      };
    };
    open();
    return () => {
      window.clearTimeout(timer);
      source?.close();
    };
  }, [url]);
  return state;
}
