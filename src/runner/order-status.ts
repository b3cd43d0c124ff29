import { canonicalStatuses, type CanonicalStatus, type Profile } from '../suite/index.ts';

/**
 * What the integration's order status says, read by meaning: a shop's word may stand for several
 * canonical statuses (`failed` for failed and expired, `refunded` for any refund), and when the
 * orderStatus action also extracts amounts (captured, refunded, cancelled) they tell the
 * ambiguous ones apart where amounts can (part or whole of a capture or refund).
 */
export interface OrderReading {
  /** The word as the integration wrote it. */
  raw: string;
  /** Every canonical status the word may mean, narrowed by the amounts; [raw] when unmapped. */
  statuses: string[];
  amounts: OrderAmounts;
}

export interface OrderAmounts {
  captured?: number;
  refunded?: number;
  cancelled?: number;
}

const AMOUNT_NAMES = ['captured', 'refunded', 'cancelled'] as const;

const asAmount = (v: unknown): number | undefined => {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : undefined;
};

export function amountsOf(extracted: Record<string, unknown>): OrderAmounts {
  const out: OrderAmounts = {};
  for (const name of AMOUNT_NAMES) {
    const n = asAmount(extracted[name]);
    if (n !== undefined) out[name] = n;
  }
  return out;
}

/** Keep only the statuses the amounts allow, when the word leaves a choice the amounts decide. */
export function narrowByAmounts(statuses: CanonicalStatus[], amounts: OrderAmounts, authorized: number | undefined): CanonicalStatus[] {
  let out = statuses;
  const { captured, refunded, cancelled } = amounts;
  if (out.includes('refunded') && out.includes('partially-refunded') && captured !== undefined && refunded !== undefined && refunded > 0) {
    out = out.filter((s) => s !== (refunded < captured ? 'refunded' : 'partially-refunded'));
  }
  if (out.includes('captured') && out.includes('partially-captured') && captured !== undefined && captured > 0 && authorized !== undefined) {
    // Captured in part with the rest released is a finished capture, as the checklist asks.
    const settled = captured + (cancelled ?? 0) >= authorized;
    out = out.filter((s) => s !== (settled ? 'partially-captured' : 'captured'));
  }
  return out;
}

export function readOrder(profile: Pick<Profile, 'statusMapping'>, extracted: Record<string, unknown>, authorized: number | undefined): OrderReading {
  const raw = String(extracted.status ?? '');
  const amounts = amountsOf(extracted);
  const mapped = narrowByAmounts(canonicalStatuses(profile, raw), amounts, authorized);
  return { raw, statuses: mapped.length > 0 ? mapped : [raw], amounts };
}

/** Whether the order shows one of the wanted statuses: any status its word may mean counts. */
export const showsWanted = (reading: OrderReading, wanted: readonly string[]): boolean => reading.statuses.some((s) => wanted.includes(s));
