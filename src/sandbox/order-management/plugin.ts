import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { SandboxContext } from '../context.ts';
import { ApiError, defaultTitle, traceId } from '../problem.ts';
import { InjectedFaultError } from '../faults.ts';
import { noteReceiptProblems } from '../shared/receipt-notes.ts';
import {
  CategorySchema,
  ID_PATTERN,
  ImageSchema,
  imageProblem,
  invalidParams,
  PAYMENT_TYPES,
  ReceiptSchema,
  type Category,
  type Receipt,
} from './schemas.ts';

/**
 * Order Management API v2 (receipts, categories, images), base `/order-management`, per
 * order-management-v2.yaml: write-once receipts (409 on a second one, also when the receipt
 * came with the ePayment create request), overwritable categories, write-once images, and
 * `GET /v2/{paymentType}/{orderId}` reading back category + receipt. As on the real API the
 * order itself is not verified to exist. Errors use the spec's `ErrorResponse` shape.
 */
interface StoredOrder {
  receipt?: Receipt;
  receiptId?: string;
  category?: Category;
}

interface OmError {
  status: number;
  title: string;
  detail: string;
  invalidParams?: { name: string; reason: string }[];
}

const TYPES = {
  400: 'https://datatracker.ietf.org/doc/html/rfc7231#section-6.5.1',
  404: 'https://datatracker.ietf.org/doc/html/rfc7231#section-6.5.4',
  409: 'https://datatracker.ietf.org/doc/html/rfc7231#section-6.5.8',
  413: 'https://datatracker.ietf.org/doc/html/rfc7231#section-6.5.11',
} as Record<number, string>;

function sendOmError(reply: FastifyReply, e: OmError): FastifyReply {
  const body: Record<string, unknown> = {
    type: TYPES[e.status] ?? `https://httpstatuses.io/${e.status}`,
    title: e.title,
    detail: e.detail,
    // The spec's example carries the request's trace id here.
    instance: traceId(),
  };
  if (e.invalidParams?.length) body.invalidParams = e.invalidParams;
  return reply.code(e.status).type('application/json; charset=utf-8').send(body);
}

const validationError = (reply: FastifyReply, params: { name: string; reason: string }[]) =>
  sendOmError(reply, { status: 400, title: 'One or more validation errors occurred.', detail: 'BadRequest', invalidParams: params });

type Params = { paymentType: string; orderId: string };

export default async function orderManagementPlugin(app: FastifyInstance, { ctx }: { ctx: SandboxContext }) {
  /** Per sandbox: orders by MSN + payment type + orderId, images by MSN + imageId. */
  const orders = new Map<string, StoredOrder>();
  const images = new Map<string, { imageId: string; bytes: number; uploadedAt: number }>();
  const orderKey = (msn: string, p: Params) => `${msn}\u0000${p.paymentType}\u0000${p.orderId}`;

  app.setErrorHandler((error: Error & { statusCode?: number }, request, reply) => {
    // Injected status faults answer as every Order Management error does: the spec's ErrorResponse.
    // It has no error-code field, so a fault's `code` is said in the detail.
    if (error instanceof InjectedFaultError) {
      const detail = error.detail ?? 'Injected by a golive sandbox fault.';
      return sendOmError(reply, { status: error.status, title: error.title ?? defaultTitle(error.status), detail: error.code === undefined ? detail : `${detail} (code ${error.code})` });
    }
    if (error instanceof ApiError) {
      const p = error.problem;
      return sendOmError(reply, {
        status: p.status,
        title: p.status === 400 ? 'One or more validation errors occurred.' : p.title,
        detail: p.detail ?? p.title,
        invalidParams: p.extraDetails,
      });
    }
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status === 500) process.emitWarning(`order-management error on ${request.method} ${request.url}: ${error.stack ?? error.message}`);
    return sendOmError(reply, {
      status,
      title: status === 500 ? 'Internal Server Error' : status === 413 ? 'Payload Too Large' : 'Bad Request',
      detail: status === 500 ? 'An internal error occurred.' : error.message,
    });
  });

  const config = (operation: string) => ({ api: 'order-management' as const, operation, auth: 'vipps' as const });

  /** Path parameter checks; answers 400 itself when they are wrong. */
  const checkParams = (request: FastifyRequest<{ Params: Params }>, reply: FastifyReply): boolean => {
    const { paymentType, orderId } = request.params;
    request.exchangeReference = orderId;
    const problems: { name: string; reason: string }[] = [];
    if (!(PAYMENT_TYPES as readonly string[]).includes(paymentType)) problems.push({ name: 'paymentType', reason: 'paymentType must be "ecom" or "recurring".' });
    if (!ID_PATTERN.test(orderId)) problems.push({ name: 'orderId', reason: "The orderId must match the regular expression '^[0-9A-Za-z-_\\.]+$'." });
    if (problems.length === 0) return true;
    validationError(reply, problems);
    return false;
  };

  const parse = <T extends z.ZodType>(schema: T, body: unknown, reply: FastifyReply): z.output<T> | undefined => {
    if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body)) {
      validationError(reply, [{ name: 'body', reason: 'A JSON object is required as the request body.' }]);
      return undefined;
    }
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      validationError(reply, invalidParams(parsed.error));
      return undefined;
    }
    return parsed.data;
  };

  /** A receipt sent with the create request (ePayment's `receipt`) counts as the order's receipt. */
  const epaymentReceipt = (msn: string, p: Params): unknown =>
    p.paymentType === 'ecom' ? ctx.payments.find(msn, p.orderId)?.receipt ?? undefined : undefined;

  app.post<{ Params: Params }>('/order-management/v2/:paymentType/receipts/:orderId', { config: config('postReceiptV2') }, async (request, reply) => {
    if (!checkParams(request, reply)) return reply;
    const receipt = parse(ReceiptSchema, request.body, reply);
    if (!receipt) return reply;
    const msn = request.merchant!.msn;
    const key = orderKey(msn, request.params);
    const order = orders.get(key) ?? {};
    if (order.receipt || epaymentReceipt(msn, request.params) !== undefined) {
      return sendOmError(reply, {
        status: 409,
        title: 'Conflict',
        detail: `A receipt already exists for order ${request.params.orderId}. Receipts cannot be changed or replaced.`,
      });
    }
    // The payment's amount when the sandbox knows the orderId as a payment reference (ecom covers ePayment and eCom).
    const payment = request.params.paymentType === 'ecom' ? ctx.payments.find(msn, request.params.orderId) : undefined;
    noteReceiptProblems(request, receipt, payment?.amount);
    order.receipt = receipt;
    order.receiptId = randomUUID();
    orders.set(key, order);
    return reply.code(201).type('application/json; charset=utf-8').send(JSON.stringify(order.receiptId));
  });

  app.put<{ Params: Params }>('/order-management/v2/:paymentType/categories/:orderId', { config: config('putCategoryV2') }, async (request, reply) => {
    if (!checkParams(request, reply)) return reply;
    const category = parse(CategorySchema, request.body, reply);
    if (!category) return reply;
    const msn = request.merchant!.msn;
    if (category.imageId && !images.has(`${msn}\u0000${category.imageId}`)) {
      return sendOmError(reply, {
        status: 404,
        title: 'Not Found',
        detail: `No image with imageId ${category.imageId} has been uploaded for this sales unit. Upload it with POST /order-management/v1/images first.`,
      });
    }
    const key = orderKey(msn, request.params);
    const order = orders.get(key) ?? {};
    order.category = category;
    orders.set(key, order);
    return reply.code(200).type('application/json; charset=utf-8').send(JSON.stringify(randomUUID()));
  });

  app.post(
    '/order-management/v1/images',
    // base64 of a 2 MB image is ~2.7 MB: more than the sandbox's default body limit.
    { config: config('postImage'), bodyLimit: 4 * 1024 * 1024 },
    async (request, reply) => {
      const image = parse(ImageSchema, request.body, reply);
      if (!image) return reply;
      const problem = imageProblem(image.src);
      if (problem) return validationError(reply, [{ name: 'src', reason: problem }]);
      const msn = request.merchant!.msn;
      const key = `${msn}\u0000${image.imageId}`;
      if (images.has(key)) {
        return sendOmError(reply, {
          status: 409,
          title: 'Conflict',
          detail: `An image with imageId ${image.imageId} already exists. Images cannot be overwritten; upload it under a new imageId.`,
        });
      }
      images.set(key, { imageId: image.imageId, bytes: Buffer.byteLength(image.src, 'base64'), uploadedAt: ctx.clock.now() });
      return reply.code(200).type('application/json; charset=utf-8').send({ imageId: image.imageId });
    },
  );

  app.get<{ Params: Params }>('/order-management/v2/:paymentType/:orderId', { config: config('getOrderV2') }, async (request, reply) => {
    if (!checkParams(request, reply)) return reply;
    const msn = request.merchant!.msn;
    const order = orders.get(orderKey(msn, request.params));
    const receipt = order?.receipt ?? epaymentReceipt(msn, request.params);
    if (!order?.category && receipt === undefined) {
      return sendOmError(reply, {
        status: 404,
        title: 'Not Found',
        detail: `No receipt or category has been added to order ${request.params.orderId}.`,
      });
    }
    const body: Record<string, unknown> = {};
    if (order?.category) body.category = order.category;
    if (receipt !== undefined) body.receipt = receipt;
    return reply.code(200).type('application/json; charset=utf-8').send(body);
  });
}
