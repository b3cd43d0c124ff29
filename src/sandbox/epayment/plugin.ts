import type { FastifyInstance } from 'fastify';
import type { SandboxContext } from '../context.ts';

/** Placeholder: replaced by the epayment implementation. */
export default async function plugin(_app: FastifyInstance, _opts: { ctx: SandboxContext }) {}
