// The OpenAPI description, collected from the routes as they are registered, so it cannot drift from the code.
import type { FastifyInstance, RouteOptions } from 'fastify';
import { API_ERRORS, CERT_ERRORS } from '../core/codes.js';
import { END_TO_END_GAPS, STEPS } from '../certification/progress.js';
import { TOOL_VERSION } from '../core/package-info.js';

export interface RouteDoc {
  readonly summary: string;
  readonly description?: string;
  /** Status → description; 4xx/5xx answers share the error schema. */
  readonly responses?: Readonly<Record<string, string>>;
  readonly requestBody?: Readonly<Record<string, { readonly schema: unknown }>>;
  /** Status → the JSON schema of a successful answer (usually a `$ref` to a component). */
  readonly schemas?: Readonly<Record<string, unknown>>;
  readonly tags?: readonly string[];
}

declare module 'fastify' {
  interface FastifyContextConfig {
    openapi?: RouteDoc;
  }
}

interface Collected {
  document(): unknown;
}

const ERROR_SCHEMA = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string', enum: [...Object.keys(API_ERRORS), ...Object.keys(CERT_ERRORS)] },
        message: { type: 'string' },
      },
    },
  },
};

const LOCAL_TEXT = { type: 'object', properties: { da: { type: 'string' }, en: { type: 'string' } } };
const NULLABLE = (ref: string): unknown => ({ oneOf: [{ $ref: `#/components/schemas/${ref}` }, { type: 'null' }] });

/** The certification answers: progress per case through self-test, formal test and the end-to-end check. */
const CERTIFICATION_SCHEMAS = {
  Verification: {
    type: 'object',
    description:
      'The end-to-end check of a stored document: registered with our metadata (ITI-18), retrieved intact (ITI-43).',
    properties: {
      target: { type: 'string' },
      uniqueId: { type: 'string' },
      outcome: { type: 'string', enum: ['verified', 'notFound', 'metadataMismatch', 'contentMismatch', 'failure'] },
      class: { type: ['string', 'null'] },
      message: { type: 'string' },
      mismatches: {
        type: 'array',
        description: "Each field the registry registered otherwise than derived: the registry's value and ours.",
        items: {
          type: 'object',
          properties: { field: { type: 'string' }, registered: {}, expected: {} },
        },
      },
      content: {
        type: ['object', 'null'],
        description: 'SHA-1 and size retrieved next to those registered; null when nothing was retrieved.',
        properties: {
          hash: { type: 'string' },
          size: { type: 'integer' },
          registeredHash: { type: 'string' },
          registeredSize: { type: 'integer' },
        },
      },
      at: { type: 'string', format: 'date-time' },
    },
  },
  Evidence: {
    type: 'object',
    description: "A valid document of the vendor that meets a test case's conditions.",
    properties: {
      caseId: { type: 'string' },
      runId: { type: 'string' },
      seq: { type: 'integer' },
      uploadId: { type: ['string', 'null'] },
      file: { type: 'string' },
      sha256: { type: 'string' },
      profile: { type: ['string', 'null'] },
      validatedAt: { type: 'string', format: 'date-time' },
      submission: {
        type: ['object', 'null'],
        properties: { target: { type: 'string' }, outcome: { type: 'string' }, at: { type: 'string' } },
      },
      verification: NULLABLE('Verification'),
    },
  },
  CaseProgress: {
    type: 'object',
    properties: {
      id: { type: 'string' },
      title: LOCAL_TEXT,
      selfTest: NULLABLE('Evidence'),
      formalTest: NULLABLE('Evidence'),
      endToEnd: NULLABLE('Evidence'),
      endToEndGap: {
        type: ['string', 'null'],
        enum: [...END_TO_END_GAPS, null],
        description: 'Without end-to-end evidence: what the latest formal-test document lacks.',
      },
    },
  },
  Progress: {
    type: 'object',
    properties: {
      vendor: { type: 'string' },
      protocol: {
        type: 'object',
        properties: { id: { type: 'string' }, version: { type: 'string' }, standard: { type: 'string' } },
      },
      step: { type: 'string', enum: [...STEPS] },
      awaitingDecision: { type: 'boolean' },
      total: { type: 'integer' },
      selfTestPassed: { type: 'integer' },
      formalTestPassed: { type: 'integer' },
      endToEndPassed: { type: 'integer' },
      endToEndRequired: { type: 'boolean' },
      formalTarget: { type: 'string' },
      cases: { type: 'array', items: { $ref: '#/components/schemas/CaseProgress' } },
      decisions: { type: 'array', items: { type: 'object' } },
    },
  },
} as const;

function parameters(route: RouteOptions): unknown[] {
  const out: unknown[] = [];
  const params = (route.schema?.params ?? {}) as { properties?: Record<string, unknown> };
  for (const [name, schema] of Object.entries(params.properties ?? {})) {
    out.push({ name, in: 'path', required: true, schema });
  }
  const query = (route.schema?.querystring ?? {}) as { properties?: Record<string, unknown>; required?: string[] };
  for (const [name, schema] of Object.entries(query.properties ?? {})) {
    out.push({ name, in: 'query', required: query.required?.includes(name) ?? false, schema });
  }
  return out;
}

export function collectOpenApi(app: FastifyInstance): Collected {
  const paths: Record<string, Record<string, unknown>> = {};
  app.addHook('onRoute', (route) => {
    const doc = route.config?.openapi;
    if (!doc || !route.url.startsWith('/api/')) {
      return;
    }
    const url = route.url.replace(/:([A-Za-z]+)/g, '{$1}');
    const methods = (Array.isArray(route.method) ? route.method : [route.method]).filter((m) => m !== 'HEAD');
    const access = route.config?.access ?? 'any';
    for (const method of methods) {
      const responses: Record<string, unknown> = {};
      for (const [status, description] of Object.entries(doc.responses ?? { '200': 'OK' })) {
        responses[status] =
          Number(status) >= 400
            ? { description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } }
            : doc.schemas?.[status]
              ? { description, content: { 'application/json': { schema: doc.schemas[status] } } }
              : { description };
      }
      if (access !== 'none') {
        responses['401'] ??= {
          description: 'No valid API key',
          content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
        };
        responses['429'] ??= {
          description: 'Rate limited',
          content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
        };
      }
      const body = route.schema?.body
        ? { content: { 'application/json': { schema: route.schema.body } } }
        : doc.requestBody
          ? { content: doc.requestBody }
          : undefined;
      (paths[url] ??= {})[method.toLowerCase()] = {
        summary: doc.summary,
        ...(doc.description ? { description: doc.description } : {}),
        ...(doc.tags ? { tags: doc.tags } : {}),
        ...(access === 'none' ? { security: [] } : {}),
        ...(access === 'admin'
          ? { 'x-role': 'MedCom admin key' }
          : access === 'vendor'
            ? { 'x-role': 'vendor key' }
            : {}),
        parameters: parameters(route),
        ...(body ? { requestBody: { required: true, ...body } } : {}),
        responses,
      };
    }
  });
  return {
    document: () => ({
      openapi: '3.1.0',
      info: {
        title: 'kih-certify API',
        version: TOOL_VERSION,
        description:
          'Upload DK PHMR/QRD/QFDD documents, read their validation reports, and follow MedCom certification. A vendor key sees only its own data.',
      },
      servers: [{ url: '/' }],
      security: [{ bearer: [] }, { apiKey: [] }],
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'An API key from kih vendor add / kih admin add' },
          apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
        },
        schemas: { Error: ERROR_SCHEMA, ...CERTIFICATION_SCHEMAS },
      },
      paths,
    }),
  };
}
