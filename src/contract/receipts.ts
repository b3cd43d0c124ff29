/**
 * Receipt arithmetic (Order Management `Receipt`, the ePayment create's `receipt`; vipps-facts
 * §2.5, §7.6): what a receipt must add up to against its payment. Pure; the sandbox notes the
 * problems on the exchange (the API accepts what its schema accepts) and the EP-RECEIPT check
 * judges them.
 */
export interface ReceiptAmount {
  value?: number;
  currency?: string;
}

const REQUIRED_LINE_FIELDS = ['name', 'id', 'totalAmount', 'totalAmountExcludingTax', 'totalTaxAmount'] as const;

/** Tax in minor units for `excluding` at a rate (basis points), rounded as receipts round (half up). */
function taxAt(excluding: number, basisPoints: number): number {
  return Math.round((excluding * basisPoints) / 10_000);
}

/** Problems with one order line: missing fields, excl. + tax ≠ total, tax not matching its rate (±1 minor unit). */
export function orderLineProblems(line: Record<string, any>, i: number): string[] {
  const problems: string[] = [];
  const missing: string[] = REQUIRED_LINE_FIELDS.filter((k) => line?.[k] === undefined);
  if (line?.taxRate === undefined && line?.taxPercentage === undefined) missing.push('taxRate');
  if (missing.length > 0) return [`orderLines[${i}] lacks ${missing.join(', ')}`];
  const { totalAmount, totalAmountExcludingTax: excl, totalTaxAmount: tax } = line;
  if ([totalAmount, excl, tax].some((v) => typeof v !== 'number')) return [`orderLines[${i}] has non-numeric amounts`];
  if (excl + tax !== totalAmount) problems.push(`orderLines[${i}] "${line.name}": totalAmountExcludingTax ${excl} + totalTaxAmount ${tax} ≠ totalAmount ${totalAmount}`);
  const basisPoints = typeof line.taxRate === 'number' ? line.taxRate : typeof line.taxPercentage === 'number' ? line.taxPercentage * 100 : undefined;
  if (basisPoints !== undefined && Math.abs(taxAt(excl, basisPoints) - tax) > 1)
    problems.push(`orderLines[${i}] "${line.name}": totalTaxAmount ${tax} is not ${basisPoints / 100} % of ${excl} (${taxAt(excl, basisPoints)})`);
  return problems;
}

/**
 * Problems with a receipt against its payment amount: order lines present and complete, each
 * line's own arithmetic, bottomLine.currency = the payment's currency, and the lines (returns
 * negative, discounts are already inside `totalAmount`) plus tip adding up to the amount.
 */
export function receiptProblems(receipt: unknown, amount: ReceiptAmount | undefined): string[] {
  const r = receipt as Record<string, any> | undefined;
  if (!r || typeof r !== 'object') return ['no receipt object'];
  const problems: string[] = [];
  if (!Array.isArray(r.orderLines) || r.orderLines.length === 0) problems.push('receipt.orderLines is missing or empty');
  if (!r.bottomLine || typeof r.bottomLine !== 'object') problems.push('receipt.bottomLine is missing');
  else if (amount?.currency !== undefined && r.bottomLine.currency !== amount.currency) problems.push(`receipt.bottomLine.currency ${r.bottomLine.currency} ≠ amount currency ${amount.currency}`);
  if (!Array.isArray(r.orderLines)) return problems;
  let sum = 0;
  const lineProblems: string[] = [];
  for (const [i, line] of r.orderLines.entries()) {
    lineProblems.push(...orderLineProblems(line, i));
    if (typeof line?.totalAmount === 'number') sum += line.isReturn ? -line.totalAmount : line.totalAmount;
  }
  problems.push(...lineProblems);
  const tip = typeof r.bottomLine?.tipAmount === 'number' ? r.bottomLine.tipAmount : 0;
  if (typeof amount?.value === 'number' && problems.length === 0 && sum + tip !== amount.value) problems.push(`order lines add up to ${sum + tip}, the payment amount is ${amount.value}`);
  return problems;
}
