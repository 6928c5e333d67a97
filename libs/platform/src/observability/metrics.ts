import { Global, Injectable, Module } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export const PROMETHEUS_CONTENT_TYPE = Registry.PROMETHEUS_CONTENT_TYPE;

export interface Sample<L extends string = string> {
  labels?: Partial<Record<L, string | number>>;
  /** null: no sample (the value could not be read). */
  value: number | null;
}

/** Request durations, in seconds: from a cached read to a release cut on a large region. */
const HTTP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * The metrics of one service instance, in its own prom-client registry (tests run several apps in
 * one process; a process-wide default registry would mix them and refuse a second registration):
 * the default process metrics (heap, RSS, event-loop lag, GC, handles, CPU), the HTTP request
 * duration histogram per route, and the service's own gauges and counters, which it reads when
 * scraped (`set`).
 */
@Injectable()
export class AppMetrics {
  readonly registry = new Registry();
  readonly httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP requests by method, route template and status code: how long until the response was sent',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: HTTP_BUCKETS,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  gauge<L extends string>(name: string, help: string, labelNames: readonly L[] = []): Gauge<L> {
    return new Gauge({ name, help, labelNames, registers: [this.registry] });
  }

  counter<L extends string>(name: string, help: string, labelNames: readonly L[] = []): Counter<L> {
    return new Counter({ name, help, labelNames, registers: [this.registry] });
  }

  /** Replaces every sample of a metric by those read now (a null value leaves its series out). */
  set<L extends string>(metric: Gauge<L> | Counter<L>, samples: Sample<L>[]): void {
    metric.reset();
    // A metric without labels has a series of 0 after reset: take it out unless a value is read.
    if (samples.every((s) => !s.labels || Object.keys(s.labels).length === 0)) (metric as Gauge<string>).remove({});
    for (const s of samples) {
      if (s.value === null || Number.isNaN(s.value)) continue;
      const labels = (s.labels ?? {}) as Partial<Record<L, string | number>>;
      if (metric instanceof Gauge) metric.set(labels, s.value);
      else metric.inc(labels, s.value);
    }
  }

  observeRequest(method: string, route: string, statusCode: number, seconds: number): void {
    this.httpDuration.observe({ method, route, status_code: statusCode }, seconds);
  }

  async render(): Promise<string> {
    return this.registry.metrics();
  }
}

/** Provides the app's AppMetrics; imported once by each service's AppModule. */
@Global()
@Module({ providers: [AppMetrics], exports: [AppMetrics] })
export class MetricsModule {}
