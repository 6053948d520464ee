// The bridge in web mode: each request is a POST to the loopback server, authorised by the session cookie the
// page load set (or by a token given here, sent as a header, never in a URL); engine events arrive over one
// EventSource. Files the engine wrote for the page download through links (downloadUrl).
import { requestNames, type Bridge, type EngineEvent, type Result } from "../../native/protocol/contract.ts";

export function createHttpBridge(token = "", base = ""): Bridge {
  const listeners = new Set<(event: EngineEvent) => void>();
  let source: EventSource | null = null;
  const connect = () => {
    source = new EventSource(`${base}/api/events`);
    source.onmessage = (message) => {
      const event = JSON.parse(message.data as string) as EngineEvent;
      for (const listener of listeners) listener(event);
    };
  };
  const bridge = {
    subscribe(listener: (event: EngineEvent) => void) {
      listeners.add(listener);
      if (!source) connect();
      return () => {
        listeners.delete(listener);
      };
    },
    // A link, not a fetch: the browser saves the file (or opens the report) with the session cookie.
    downloadUrl: (path: string, options?: { open?: boolean }) => `${base}/api/download?path=${encodeURIComponent(path)}${options?.open ? "&open=1" : ""}`,
  } as unknown as Bridge;
  for (const name of requestNames) {
    (bridge as unknown as Record<string, (input: unknown) => Promise<Result<unknown>>>)[name] = async (input: unknown) => {
      try {
        const response = await fetch(`${base}/api/${name}`, {
          method: "POST",
          headers: { "content-type": "application/json", ...(token ? { "x-refinery-token": token } : {}) },
          body: JSON.stringify(input ?? {}),
        });
        return (await response.json()) as Result<unknown>;
      } catch (error) {
        return { ok: false, error: `cannot reach the Refinery server: ${(error as Error).message}` };
      }
    };
  }
  return bridge;
}
