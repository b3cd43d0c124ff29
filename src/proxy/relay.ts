import type { TrafficLog } from '../traffic/log.ts';
import type { Redactor } from '../traffic/redact.ts';
import { deliveryRecorder } from './deliveries.ts';
import { startRecordingProxy } from './index.ts';

export interface DeliveryRelayOptions {
  /** The integration's own base URL: where every request to the relay is forwarded. */
  forwardTo: string;
  /**
   * The URL Vipps calls the relay at: a tunnel's public URL in front of `port` for the real test
   * API (which cannot reach 127.0.0.1); absent, the relay's own loopback URL (a local upstream).
   */
  publicUrl?: string;
  /** Port on 127.0.0.1 (default a free one); fixed when a tunnel points at it. */
  port?: number;
  log: TrafficLog;
  redactor: Redactor;
  /** How long the integration may take to answer a delivery before the relay answers 504. */
  timeoutMs: number;
}

export interface DeliveryRelay {
  /** Where the relay listens, e.g. `http://127.0.0.1:41235`. */
  url: string;
  /** What the integration gives Vipps as its webhook URL / callbackPrefix base (`{{relay.url}}`). */
  publicUrl: string;
  close(): Promise<void>;
}

/**
 * The delivery relay of a `--target test-api` run: Vipps delivers webhooks and eCom callbacks to
 * it, it forwards each to the integration unchanged (its Host kept: a webhook's signature covers
 * it) and answers Vipps with the integration's answer byte for byte, recording the delivery in
 * the run's traffic log — so the webhook and callback items are judged on real deliveries. It is
 * the recording proxy turned around: the integration is its upstream.
 */
export async function startDeliveryRelay(o: DeliveryRelayOptions): Promise<DeliveryRelay> {
  let publicUrl = o.publicUrl?.replace(/\/+$/, '');
  let record: ReturnType<typeof deliveryRecorder> | undefined;
  const proxy = await startRecordingProxy({
    // The origin only: `{{relay.url}}` stands in for the scheme, host and port of the integration's URLs.
    upstream: new URL(o.forwardTo).origin,
    log: o.log,
    redactor: o.redactor,
    timeoutMs: o.timeoutMs,
    port: o.port,
    keepHost: true,
    connections: 8,
    recorder: (ctx, x) => (record ??= deliveryRecorder(publicUrl!))(ctx, x),
  });
  publicUrl ??= proxy.url;
  return { url: proxy.url, publicUrl, close: () => proxy.close() };
}
