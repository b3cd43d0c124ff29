import type { FastifyPluginAsync } from 'fastify';

/**
 * Name a sandbox plugin and declare the plugins it needs, as fastify-plugin does (Fastify reads
 * the same `plugin-meta` symbol), without skipping encapsulation: each API keeps its own error
 * handler. A plugin registered before what it needs fails at boot with Fastify's
 * FST_ERR_PLUGIN_DEPENDENCY_NOT_REGISTERED, naming both, instead of answering 503 later.
 */
export function sandboxPlugin<T extends FastifyPluginAsync<any>>(name: string, plugin: T, dependencies: string[] = []): T {
  // Plugins are module singletons and every Sandbox names them again: keep the property redefinable.
  Object.defineProperty(plugin, Symbol.for('plugin-meta'), { value: { name, dependencies }, configurable: true });
  return plugin;
}
