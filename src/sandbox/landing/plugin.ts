import type { FastifyInstance } from 'fastify';
import type { SandboxContext } from '../context.ts';

/** Placeholder: replaced by the landing implementation. */
export default async function plugin(_app: FastifyInstance, _opts: { ctx: SandboxContext }) {}
