import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { join } from 'node:path';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';

/** What the query stage's clients are to ask, and how. */
export interface QueryClientsJob {
  /** The service's base URL. */
  base: string;
  /** The questions, asked in turn (each a query string of GET /v1/flows). */
  shapes: string[];
  headers: Record<string, string>;
  clients: number;
  seconds: number;
  client: 'node:http' | 'fetch';
}

/** Each shape's latencies (ms, from the request sent to its body read to the end), the loop's seconds. */
export interface QueryClientsResult {
  byShape: number[][];
  loopSeconds: number;
}

/**
 * Runs the query stage's closed-loop clients on a thread of their own (worker_threads): its own heap
 * and garbage collector, so that the benchmark's own heap (the generated records and results of
 * the stages before, hundreds of MB in a full run) does not pause the clients mid-request and count
 * its pauses as the service's latency. Resolves with the latencies once the clients are done.
 */
export function runQueryClients(job: QueryClientsJob): Promise<QueryClientsResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(join(__dirname, 'query-clients.js'), { workerData: job });
    let result: QueryClientsResult | undefined;
    worker.once('message', (m: QueryClientsResult) => (result = m));
    worker.once('error', reject);
    worker.once('exit', (code) => (result ? resolve(result) : reject(new Error(`the query clients' thread ended (exit code ${code}) without a result`))));
  });
}

async function clients(job: QueryClientsJob): Promise<QueryClientsResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: job.clients });
  // The status of one ask, its body read to the end.
  const ask =
    job.client === 'node:http'
      ? (url: string) =>
          new Promise<number>((done, failed) =>
            http
              .get(url, { agent, headers: job.headers }, (res) => {
                res.on('data', () => undefined);
                res.on('end', () => done(res.statusCode!));
                res.on('error', failed);
              })
              .on('error', failed),
          )
      : async (url: string) => {
          const res = await fetch(url, { headers: job.headers });
          await res.arrayBuffer();
          return res.status;
        };
  const byShape: number[][] = job.shapes.map(() => []);
  const t0Loop = performance.now();
  const end = t0Loop + job.seconds * 1000;
  let n = 0;
  try {
    await Promise.all(
      Array.from({ length: job.clients }, async () => {
        while (performance.now() < end) {
          const i = n++ % job.shapes.length;
          const t0 = performance.now();
          const status = await ask(`${job.base}/v1/flows?${job.shapes[i]}`);
          if (status !== 200) throw new Error(`GET /v1/flows?${job.shapes[i]}: ${status}`);
          byShape[i].push(performance.now() - t0);
        }
      }),
    );
  } finally {
    agent.destroy();
  }
  return { byShape, loopSeconds: (performance.now() - t0Loop) / 1000 };
}

// On the clients' thread: a failed ask rejects, unhandled, which ends the thread with an 'error'
// event that runQueryClients rejects with.
if (!isMainThread && parentPort) {
  const port = parentPort;
  void clients(workerData as QueryClientsJob).then((r) => port.postMessage(r));
}
