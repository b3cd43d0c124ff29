/**
 * Fault switches: each breaks one go-live checklist rule on purpose, so golive's detection can
 * be proven against a shop that was not written for it. `SDK_SHOP_FAULTS=a,b`; README.md lists
 * the item each one breaks.
 */
export const FAULT_NAMES = [
  'poll-after-final',
  'fake-success-on-create-error',
  'never-release-remainder',
  'trust-webhook-name',
  'no-system-headers',
  'poll-too-fast',
  'ignore-aborted-expired',
  'accept-bad-signature',
  'new-key-on-retry',
  'capture-over-authorized',
  'token-per-call',
] as const;
export type FaultName = (typeof FAULT_NAMES)[number];

export class Faults {
  private readonly on: Set<FaultName>;

  constructor(names: Iterable<FaultName> = []) {
    this.on = new Set(names);
  }

  /** Unknown names are an error: a typo must not silently run the clean shop. */
  static parse(raw: string | undefined): Faults {
    const names = (raw ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    const unknown = names.filter((n) => !(FAULT_NAMES as readonly string[]).includes(n));
    if (unknown.length) throw new Error(`unknown SDK_SHOP_FAULTS: ${unknown.join(', ')} (known: ${FAULT_NAMES.join(', ')})`);
    return new Faults(names as FaultName[]);
  }

  has(name: FaultName): boolean {
    return this.on.has(name);
  }

  list(): FaultName[] {
    return [...this.on];
  }
}
