/**
 * Events the sandbox's APIs publish (ePayment payment events today) for the webhook
 * dispatcher to deliver. Kept separate so API state machines never know about HTTP delivery.
 */
export interface PublishedEvent {
  /** Webhook event type, e.g. `epayments.payment.authorized.v1`. */
  eventType: string;
  msn: string;
  /** For fault matching and the traffic log. */
  reference?: string;
  amount?: number;
  /** Exact JSON payload to deliver. */
  payload: Record<string, unknown>;
}

export type EventListener = (event: PublishedEvent) => void;

export class EventBus {
  private readonly listeners = new Set<EventListener>();

  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  publish(event: PublishedEvent): void {
    for (const l of this.listeners) {
      try {
        l(event);
      } catch (err) {
        process.emitWarning(`event listener failed: ${(err as Error).message}`);
      }
    }
  }
}
