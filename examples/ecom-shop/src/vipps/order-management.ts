import type { VippsClient } from './client.ts';
import { VippsApiError } from './errors.ts';

export interface ReceiptLine {
  id: string;
  name: string;
  /** Øre, tax included. */
  amount: number;
}

/** Norwegian standard VAT, 25 % (basis points for taxRate). */
const VAT_BASIS_POINTS = 2500;

/**
 * Order Management API v2: the receipt in the customer's payment history (EC-RECEIPT), and a
 * link to the order (category RECEIPT). Receipts are write-once; a 409 means it is there already.
 */
export class OrderManagementApi {
  constructor(private readonly client: VippsClient) {}

  async sendReceipt(orderId: string, lines: ReceiptLine[], orderUrl: string): Promise<void> {
    const orderLines = lines.map((l) => {
      const excluding = Math.round((l.amount * 10_000) / (10_000 + VAT_BASIS_POINTS));
      return { id: l.id, name: l.name, totalAmount: l.amount, totalAmountExcludingTax: excluding, totalTaxAmount: l.amount - excluding, taxRate: VAT_BASIS_POINTS, taxPercentage: 25, unitInfo: { unitPrice: l.amount, quantity: '1', quantityUnit: 'PCS' } };
    });
    try {
      await this.client.send({
        operation: 'receipt',
        method: 'POST',
        path: `/order-management/v2/ecom/receipts/${encodeURIComponent(orderId)}`,
        body: { orderLines, bottomLine: { currency: 'NOK', receiptNumber: orderId } },
      });
    } catch (err) {
      if (!(err instanceof VippsApiError && err.status === 409)) throw err;
    }
    await this.client.send({
      operation: 'category',
      method: 'PUT',
      path: `/order-management/v2/ecom/categories/${encodeURIComponent(orderId)}`,
      body: { category: 'RECEIPT', orderDetailsUrl: orderUrl },
    });
  }
}
