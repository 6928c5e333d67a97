/** An event of a Server-Sent Events stream, as a client sees it. */
export interface SseEvent {
  id: string;
  event: string;
  data: string;
}

/**
 * Reads a Server-Sent Events stream in the background (the WHATWG parsing rules, enough of them
 * for the feed: `id`, `event`, `data`, comment lines ignored), collecting events until closed.
 */
export function sseReader(url: string, headers: Record<string, string>) {
  const controller = new AbortController();
  const state = { events: [] as SseEvent[], comments: 0, ended: false, status: 0, close: () => controller.abort() };
  void (async () => {
    try {
      const res = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: controller.signal });
      state.status = res.status;
      const decoder = new TextDecoder();
      let buffer = '';
      let current: Partial<SseEvent> = {};
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let nl: number;
        while ((nl = buffer.indexOf('\n')) >= 0) {
          const line = buffer.slice(0, nl);
          buffer = buffer.slice(nl + 1);
          if (line === '') {
            if (current.data !== undefined) state.events.push({ id: current.id ?? '', event: current.event ?? 'message', data: current.data });
            current = {};
          } else if (line.startsWith(':')) state.comments += 1;
          else {
            const colon = line.indexOf(':');
            const field = colon < 0 ? line : line.slice(0, colon);
            const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
            if (field === 'data') current.data = current.data === undefined ? value : `${current.data}\n${value}`;
            else if (field === 'id' || field === 'event') current[field] = value;
          }
        }
      }
    } catch {
      // aborted by close(), or the connection dropped
    } finally {
      state.ended = true;
    }
  })();
  return state;
}
