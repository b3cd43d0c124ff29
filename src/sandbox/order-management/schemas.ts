import { z } from 'zod';

/**
 * Request bodies of the Order Management API v2, with the rules of
 * order-management-v2.yaml (Receipt, OrderLine, BottomLine, Order, Image).
 * Unknown properties are dropped (the spec does not forbid them; the API ignores them).
 */
const int64 = z.number().int().min(Number.MIN_SAFE_INTEGER).max(Number.MAX_SAFE_INTEGER);
const nonNegative = int64.min(0);
export const ID_PATTERN = /^[0-9A-Za-z-_.]+$/;

export const CATEGORIES = ['GENERAL', 'RECEIPT', 'ORDER_CONFIRMATION', 'DELIVERY', 'TICKET', 'BOOKING'] as const;
export const PAYMENT_TYPES = ['ecom', 'recurring'] as const;

export const UnitInfoSchema = z.object({
  unitPrice: nonNegative.nullable(),
  quantity: z
    .string()
    .max(10)
    .regex(/^\d+([.]\d{1,8})?$/, 'a quantity such as "2" or "2.5" (as a string)'),
  quantityUnit: z.enum(['PCS', 'KG', 'KM', 'MINUTE', 'LITRE', 'KWH']).nullable().optional(),
});

export const OrderLineSchema = z
  .object({
    name: z.string().min(1),
    id: z.string().min(1),
    totalAmount: int64,
    totalAmountExcludingTax: int64,
    totalTaxAmount: int64,
    /** Required by the v2 spec; deprecated by the current docs in favour of `taxRate`. */
    taxPercentage: z.number().int().min(0).max(100).optional(),
    /** Current docs: basis points, 2500 = 25 %. Accepted instead of `taxPercentage`. */
    taxRate: z.number().int().min(0).max(10000).optional(),
    unitInfo: UnitInfoSchema.nullable().optional(),
    discount: nonNegative.nullable().optional(),
    productUrl: z.string().nullable().optional(),
    isReturn: z.boolean().nullable().optional(),
    isShipping: z.boolean().nullable().optional(),
  })
  .refine((l) => l.taxPercentage !== undefined || l.taxRate !== undefined, {
    message: 'taxPercentage (0–100) or taxRate (0–10000) is required',
    path: ['taxPercentage'],
  });

const CurrencySchema = z.enum(['NOK', 'DKK', 'EUR']);

export const BottomLineSchema = z.object({
  currency: CurrencySchema,
  tipAmount: nonNegative.nullable().optional(),
  giftCardAmount: nonNegative.nullable().optional(),
  posId: z.string().nullable().optional(),
  totalAmount: int64.nullable().optional(),
  totalTax: nonNegative.nullable().optional(),
  totalDiscount: nonNegative.nullable().optional(),
  shippingAmount: nonNegative.nullable().optional(),
  shippingInfo: z
    .object({
      amount: nonNegative.nullable(),
      amountExcludingTax: nonNegative.nullable(),
      taxAmount: nonNegative.nullable(),
      taxPercentage: z.number().int().min(0).max(100).nullable(),
    })
    .nullable()
    .optional(),
  paymentSources: z
    .object({
      giftCard: int64.nullable().optional(),
      card: int64.nullable().optional(),
      voucher: int64.nullable().optional(),
      cash: int64.nullable().optional(),
    })
    .nullable()
    .optional(),
  barcode: z
    .object({
      format: z.enum(['EAN-13', 'CODE 39', 'CODE 128']).nullable(),
      data: z.string().nullable(),
    })
    .nullable()
    .optional(),
  receiptNumber: z.string().nullable().optional(),
  terminalId: z.string().nullable().optional(),
});

export const ReceiptSchema = z.object({
  orderLines: z.array(OrderLineSchema).min(1, 'at least one order line is required'),
  bottomLine: BottomLineSchema,
});

export const CategorySchema = z.object({
  category: z.enum(CATEGORIES),
  orderDetailsUrl: z
    .string()
    .min(1)
    .refine((v) => {
      try {
        const u = new URL(v);
        return u.protocol === 'https:' || u.protocol === 'http:';
      } catch {
        return false;
      }
    }, 'an absolute http(s) URL'),
  imageId: z.string().min(1).max(128).regex(ID_PATTERN, 'letters, digits, "-", "_" and "." only').nullable().optional(),
});

export const ImageSchema = z.object({
  imageId: z.string().min(1).max(128).regex(ID_PATTERN, 'letters, digits, "-", "_" and "." only'),
  src: z.string().min(1),
  type: z.literal('base64'),
});

export type Receipt = z.output<typeof ReceiptSchema>;
export type Category = z.output<typeof CategorySchema>;

/** `orderLines[0].totalAmount` from a zod issue path. */
export function issueName(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : out ? `.${String(part)}` : String(part);
  return out || 'body';
}

export function invalidParams(error: z.ZodError): { name: string; reason: string }[] {
  return error.issues.map((i) => ({ name: issueName(i.path), reason: i.message }));
}

const MAX_IMAGE_BYTES = 2 * 1024 * 1024;
const MIN_IMAGE_HEIGHT = 167;

/**
 * Check an uploaded image as the spec describes it: base64 (not a URL), PNG or JPEG,
 * at least 167 px high, at most 2 MB. Returns a reason when it is not acceptable.
 */
export function imageProblem(src: string): string | undefined {
  const text = src.replace(/\s+/g, '');
  if (/^(https?:|data:)/i.test(text)) return 'src must be the base64-encoded image data, not a URL or data URI';
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text)) return 'src is not valid base64';
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length > MAX_IMAGE_BYTES) return 'the image is larger than 2 MB';
  const height = imageHeight(bytes);
  if (height === 'not-an-image') return 'the image must be PNG or JPEG';
  if (height !== undefined && height < MIN_IMAGE_HEIGHT) return `the image is ${height} px high; the minimum is ${MIN_IMAGE_HEIGHT} px`;
  return undefined;
}

/** Height in px of a PNG or JPEG; undefined when the header is cut short; 'not-an-image' otherwise. */
export function imageHeight(b: Buffer): number | undefined | 'not-an-image' {
  const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  if (b.length >= 8 && b.subarray(0, 8).equals(png)) {
    if (b.length < 24 || b.toString('latin1', 12, 16) !== 'IHDR') return b.length < 24 ? undefined : 'not-an-image';
    return b.readUInt32BE(20);
  }
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) {
    let i = 2;
    while (i + 9 < b.length) {
      if (b[i] !== 0xff) return undefined;
      const marker = b[i + 1];
      if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
        i += 2;
        continue;
      }
      // SOF0..SOF15 except DHT (C4), JPG (C8), DAC (CC) carry the frame size.
      if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) return b.readUInt16BE(i + 5);
      i += 2 + b.readUInt16BE(i + 2);
    }
    return undefined;
  }
  return 'not-an-image';
}
