// Per-route body limits and the trusted proxies, as Fastify takes them: only upload routes read a document-sized body.
import type { RouteOptions } from 'fastify';
import type { ApiLimits, TrustProxy } from '../config/api-config.js';

/** Bodies of routes that take no upload; those open to anyone (login, logout) get the small one. */
export const BODY_LIMIT = 1024 * 1024;
export const ANONYMOUS_BODY_LIMIT = 64 * 1024;

/**
 * onRoute: a route's bodyLimit wins over a content-type parser's, so the XML parser (whose limit is
 * a document's) reads a document-sized body only on routes marked `config.uploads`.
 */
export function routeBodyLimits(limits: ApiLimits) {
  return (route: RouteOptions): void => {
    if (route.bodyLimit === undefined) {
      const config = route.config as { uploads?: boolean; access?: string } | undefined;
      route.bodyLimit = config?.uploads
        ? limits.maxFileBytes
        : config?.access === 'none'
          ? ANONYMOUS_BODY_LIMIT
          : BODY_LIMIT;
    }
  };
}

/** Fastify's trustProxy option; a hop count as a function, as Fastify's types take no number. */
export function fastifyTrustProxy(
  trustProxy: TrustProxy | undefined
): boolean | string[] | ((address: string, hop: number) => boolean) {
  if (typeof trustProxy === 'number') {
    return (_address, hop) => hop < trustProxy;
  }
  return typeof trustProxy === 'object' ? [...trustProxy] : (trustProxy ?? false);
}
