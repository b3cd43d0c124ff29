import type { SandboxClock } from './clock.ts';
import type { EventBus } from './events.ts';
import type { FaultRegistry } from './faults.ts';
import type { FlowTags } from './flow-tags.ts';
import type { MerchantRegistry } from './merchants.ts';
import type { PartnerRegistry } from './partners.ts';
import type { PspRegistry } from './psps.ts';
import type { SandboxSettings } from './settings.ts';
import type { TokenStore } from './tokens.ts';
import type { TrafficLog } from '../traffic/log.ts';
import type { EpaymentService } from './epayment/types.ts';
import type { PaymentDirectory } from './shared/directory.ts';

/** Everything the sandbox's plugins share. One per sandbox instance; no globals. */
export interface SandboxContext {
  clock: SandboxClock;
  settings: SandboxSettings;
  merchants: MerchantRegistry;
  /** PSPs with their own credentials, acting for the merchants they serve (card passthrough). */
  psps: PspRegistry;
  /** Partners with partner keys, acting for their sales units (partner-wide webhooks too). */
  partners: PartnerRegistry;
  traffic: TrafficLog;
  faults: FaultRegistry;
  /** Which running flow an exchange belongs to, set at record time (`Exchange.flowId`). */
  flows: FlowTags;
  events: EventBus;
  tokens: TokenStore;
  /** Base URL for links the sandbox hands out (redirectUrl, QR images…), no trailing slash. */
  publicUrl(): string;
  /** Every API's customer-facing payments; API plugins register their source when they load. */
  payments: PaymentDirectory;
  /**
   * The ePayment plugin's own service, for what is ePayment's (Webhooks v1 payloads, tests).
   * Customer-facing plugins use `payments`.
   */
  epayment?: EpaymentService;
  /** Closers for background work (timers, pending deliveries), run on sandbox.close(). */
  onClose: (() => void | Promise<void>)[];
}
