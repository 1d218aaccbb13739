// /api/v1/documents: upload (202 with ids), status with the report, the report in every format.
import { KihError } from '../core/kih-error.js';
import { TOOL_NAME, TOOL_VERSION } from '../core/package-info.js';
import { getUpload, listUploads } from '../store/uploads.js';
import type { UploadDetail } from '../store/uploads.js';
import { isReportFormat, REPORT_FORMATS, renderReport } from '../validation/renderers/index.js';
import type { ValidationRunReport } from '../core/report.js';
import { acceptUploads } from './accept-uploads.js';
import { apiError } from './api-errors.js';
import { requirePrincipal, vendorScope } from './auth.js';
import { withUploadForm } from './read-uploads.js';
import type { RouteContext } from './server.js';

const ID_PARAMS = { type: 'object', required: ['id'], properties: { id: { type: 'string', format: 'uuid' } } } as const;

export function documentLinks(id: string): Record<string, string> {
  return { self: `/api/v1/documents/${id}`, report: `/api/v1/documents/${id}/report`, page: `/documents/${id}` };
}

/** The one-document run report the renderers take. */
export function runReportOf(
  detail: UploadDetail & { report: NonNullable<UploadDetail['report']> }
): ValidationRunReport {
  return {
    documents: [detail.report],
    summary: {
      total: 1,
      valid: detail.report.valid ? 1 : 0,
      invalid: detail.report.valid ? 0 : 1,
      errors: detail.report.status === 'error' ? 1 : 0,
    },
    tool: { name: TOOL_NAME, version: TOOL_VERSION, schemas: 'CDA R2 + SDTC' },
    startedAt: detail.createdAt,
    durationMs: detail.report.durationMs,
  };
}

export function publicUpload(
  u: Omit<UploadDetail, 'report' | 'submissionErrors' | 'uniqueId' | 'caseChecks'>
): Record<string, unknown> {
  return {
    id: u.id,
    vendor: u.vendorId,
    file: u.file,
    sha256: u.sha256,
    size: u.size,
    testCase: u.testCase,
    step: u.formal ? 'formal-test' : 'self-test',
    createdAt: u.createdAt,
    state: u.state,
    verdict: u.verdict,
    profile: u.profile,
    errors: u.errors,
    warnings: u.warnings,
    submission: u.submission,
    verification: u.verification,
    links: documentLinks(u.id),
  };
}

export function registerDocumentRoutes({ app, db, enqueue, certification, actor, limits }: RouteContext): void {
  app.post(
    '/api/v1/documents',
    {
      config: {
        access: 'vendor',
        uploads: true,
        openapi: {
          summary: 'Upload documents for validation (and, with formal=true, submission to the formal-test repository)',
          description:
            'A raw body (application/xml, text/xml) is one document, named by ?name=; multipart/form-data takes one file part per document and optional fields testCase and formal. The answer comes before validation: follow links.self until state is done.',
          tags: ['documents'],
          requestBody: {
            'application/xml': { schema: { type: 'string' } },
            'multipart/form-data': {
              schema: {
                type: 'object',
                properties: {
                  file: { type: 'array', items: { type: 'string', format: 'binary' } },
                  testCase: { type: 'string' },
                  formal: { type: 'boolean' },
                },
              },
            },
          },
          responses: {
            '202': 'Stored and queued: { id, documents: [...] } with one entry per document',
            '400': 'No document, an empty one, an unknown test case or a malformed multipart body',
            '413': 'A document, the number of documents or the request in all is over the limit',
            '415': 'Not XML or multipart',
          },
        },
      },
      schema: {
        querystring: {
          type: 'object',
          properties: { name: { type: 'string' }, testCase: { type: 'string' }, formal: { type: 'boolean' } },
        },
      },
    },
    async (request, reply) => {
      const principal = requirePrincipal(request);
      if (principal.kind !== 'vendor') {
        throw apiError('API_ERR_FORBIDDEN', 'Uploads are made with a vendor key.');
      }
      const accepted = await withUploadForm(request, limits, (form) =>
        acceptUploads(db, enqueue, certification, { vendorId: principal.vendorId, ...form }, actor)
      );
      const documents = accepted.uploads.map((u) => ({
        id: u.id,
        file: u.file,
        sha256: u.sha256,
        state: 'queued',
        links: documentLinks(u.id),
      }));
      return reply.status(202).send({ id: documents[0]?.id, queued: accepted.queued, documents });
    }
  );

  app.get(
    '/api/v1/documents',
    {
      config: { openapi: { summary: "The key's uploads, newest first (MedCom: every vendor's)", tags: ['documents'] } },
      schema: {
        querystring: {
          type: 'object',
          properties: {
            limit: { type: 'integer', minimum: 1, maximum: 1000 },
            ids: { type: 'string', description: 'comma-separated upload ids' },
          },
        },
      },
    },
    async (request) => {
      const q = request.query as { limit?: number; ids?: string };
      const list = await listUploads(db, vendorScope(requirePrincipal(request)), {
        limit: q.limit ?? 200,
        ...(q.ids ? { ids: q.ids.split(',').slice(0, 1000) } : {}),
      });
      return { documents: list.map(publicUpload) };
    }
  );

  app.get(
    '/api/v1/documents/:id',
    {
      config: {
        openapi: {
          summary: 'An upload: its state, verdict, submission, test-case checks and full report',
          tags: ['documents'],
          responses: { '200': 'The document', '404': 'No such upload for this key' },
        },
      },
      schema: { params: ID_PARAMS },
    },
    async (request) => {
      const { id } = request.params as { id: string };
      const u = await getUpload(db, vendorScope(requirePrincipal(request)), id);
      if (!u) {
        throw apiError('API_ERR_NOT_FOUND', `No document ${id}.`);
      }
      return {
        ...publicUpload(u),
        uniqueId: u.uniqueId,
        submissionErrors: u.submissionErrors,
        caseChecks: u.caseChecks,
        report: u.report,
      };
    }
  );

  app.get(
    '/api/v1/documents/:id/report',
    {
      config: {
        openapi: {
          summary: 'The validation report as json, html, junit, svrl or text',
          tags: ['documents'],
          responses: { '200': 'The report', '404': 'No such upload for this key', '409': 'Not validated yet' },
        },
      },
      schema: {
        params: ID_PARAMS,
        querystring: { type: 'object', properties: { format: { type: 'string', enum: [...REPORT_FORMATS] } } },
      },
    },
    async (request, reply) => {
      const { id } = request.params as { id: string };
      const format = (request.query as { format?: string }).format ?? 'json';
      if (!isReportFormat(format)) {
        throw apiError('API_ERR_BAD_REQUEST', `format is one of ${REPORT_FORMATS.join(', ')}.`);
      }
      const u = await getUpload(db, vendorScope(requirePrincipal(request)), id);
      if (!u) {
        throw apiError('API_ERR_NOT_FOUND', `No document ${id}.`);
      }
      if (!u.report) {
        throw new KihError('API_ERR_NOT_READY', `Document ${id} is not validated yet (state ${u.state}).`);
      }
      const types = {
        json: 'application/json',
        html: 'text/html',
        junit: 'application/xml',
        svrl: 'application/xml',
        text: 'text/plain',
      };
      return reply
        .type(`${types[format]}; charset=utf-8`)
        .send(renderReport(runReportOf({ ...u, report: u.report }), format));
    }
  );
}
