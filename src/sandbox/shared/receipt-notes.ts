import type { FastifyRequest } from 'fastify';
import { receiptProblems, type ReceiptAmount } from '../../contract/receipts.ts';

/**
 * A receipt's arithmetic problems (src/contract/receipts.ts) on the exchange, as
 * `exchangeNotes.receiptProblems`, for the EP-RECEIPT check to judge. Noted, never refused:
 * neither the ePayment nor the Order Management documentation says the API rejects a receipt
 * whose lines do not add up (searched: the ePayment "Set order details" and Order Management
 * API guide pages on developer.vippsmobilepay.com state the fields, not such a rule), so the
 * sandbox accepts what the spec's schema accepts.
 */
export function noteReceiptProblems(request: FastifyRequest, receipt: unknown, amount: ReceiptAmount | undefined): void {
  if (receipt === undefined || receipt === null) return;
  const problems = receiptProblems(receipt, amount);
  if (problems.length > 0) request.exchangeNotes = { ...request.exchangeNotes, receiptProblems: problems };
}
