// /api/v1/protocols and /api/v1/certifications: the protocols, each vendor's progress, MedCom's decisions and the report.
import { renderCertificationHtml, renderCertificationJson } from './render-certification.js';
import { DECISION_KINDS, isDecisionKind } from '../certification/progress.js';
import type { Progress } from '../certification/progress.js';
import { getVendor, listVendors } from '../store/access.js';
import { apiError } from './api-errors.js';
import { checkVendorAccess, requirePrincipal } from './auth.js';
import type { RouteContext } from './server.js';

const VENDOR_PROTOCOL = {
  type: 'object',
  required: ['vendor', 'protocol'],
  properties: { vendor: { type: 'string', maxLength: 64 }, protocol: { type: 'string', maxLength: 64 } },
} as const;

export function progressJson(p: Progress): Record<string, unknown> {
  return {
    vendor: p.vendorId,
    protocol: { id: p.protocol.id, version: p.protocol.version, standard: p.protocol.standard },
    step: p.step,
    awaitingDecision: p.awaitingDecision,
    total: p.total,
    selfTestPassed: p.selfTestPassed,
    formalTestPassed: p.formalTestPassed,
    endToEndPassed: p.endToEndPassed,
    endToEndRequired: p.endToEndRequired,
    formalTarget: p.formalTarget,
    cases: p.cases.map((c) => ({
      id: c.testCase.id,
      title: c.testCase.title,
      selfTest: c.selfTest,
      formalTest: c.formalTest,
      endToEnd: c.endToEnd,
      endToEndGap: c.endToEndGap,
    })),
    decisions: p.decisions,
  };
}

export function registerCertificationRoutes({ app, db, certification, actor }: RouteContext): void {
  app.get(
    '/api/v1/protocols',
    {
      config: {
        openapi: { summary: 'The certification test protocols and their test cases', tags: ['certification'] },
      },
    },
    () => Promise.resolve({ protocols: [...certification.protocols.values()].map(({ source: _source, ...p }) => p) })
  );

  app.get(
    '/api/v1/protocols/:id',
    {
      config: {
        openapi: {
          summary: 'One protocol',
          tags: ['certification'],
          responses: { '200': 'The protocol', '404': 'No such protocol' },
        },
      },
      schema: { params: { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 64 } } } },
    },
    (request) => {
      const { source: _source, ...p } = certification.protocol((request.params as { id: string }).id);
      return Promise.resolve(p);
    }
  );

  app.get(
    '/api/v1/certifications',
    {
      config: {
        openapi: {
          summary: "Progress per protocol: a vendor key's own; a MedCom key's for every vendor",
          tags: ['certification'],
          schemas: {
            '200': {
              type: 'object',
              properties: { certifications: { type: 'array', items: { $ref: '#/components/schemas/Progress' } } },
            },
          },
        },
      },
    },
    async (request) => {
      const p = requirePrincipal(request);
      const vendors = p.kind === 'vendor' ? [p.vendorId] : (await listVendors(db)).map((v) => v.id);
      const out = [];
      for (const vendor of vendors) {
        for (const protocol of certification.protocols.keys()) {
          out.push(progressJson(await certification.progress(db, vendor, protocol)));
        }
      }
      return { certifications: out };
    }
  );

  app.get(
    '/api/v1/certifications/:vendor/:protocol',
    {
      config: {
        openapi: {
          summary:
            "A vendor's progress in a protocol: evidence per test case (self-test, formal test, end-to-end), step, decisions",
          tags: ['certification'],
          responses: { '200': 'The progress', '404': 'No such vendor or protocol for this key' },
          schemas: { '200': { $ref: '#/components/schemas/Progress' } },
        },
      },
      schema: { params: VENDOR_PROTOCOL },
    },
    async (request) => {
      const { vendor, protocol } = request.params as { vendor: string; protocol: string };
      checkVendorAccess(requirePrincipal(request), vendor);
      if (!(await getVendor(db, vendor))) {
        throw apiError('API_ERR_NOT_FOUND', `No vendor ${vendor}.`);
      }
      return progressJson(await certification.progress(db, vendor, protocol));
    }
  );

  app.get(
    '/api/v1/certifications/:vendor/:protocol/report',
    {
      config: {
        openapi: {
          summary:
            'The certification report (json, or printable html): per case the documents, validation report, submission and end-to-end check',
          tags: ['certification'],
          responses: { '200': 'The report', '404': 'No such vendor or protocol for this key' },
        },
      },
      schema: {
        params: VENDOR_PROTOCOL,
        querystring: {
          type: 'object',
          properties: {
            format: { type: 'string', enum: ['json', 'html'] },
            lang: { type: 'string', enum: ['da', 'en'] },
          },
        },
      },
    },
    async (request, reply) => {
      const { vendor, protocol } = request.params as { vendor: string; protocol: string };
      const q = request.query as { format?: 'json' | 'html'; lang?: 'da' | 'en' };
      checkVendorAccess(requirePrincipal(request), vendor);
      const report = await certification.report(db, vendor, protocol);
      if (q.format === 'html') {
        return reply.type('text/html; charset=utf-8').send(renderCertificationHtml(report, q.lang ?? 'da'));
      }
      return reply.type('application/json; charset=utf-8').send(renderCertificationJson(report));
    }
  );

  app.post(
    '/api/v1/certifications/:vendor/:protocol/decisions',
    {
      config: {
        access: 'admin',
        openapi: {
          summary:
            'Record a MedCom decision: certify (every case passed the formal test and, when the protocol requires it, the end-to-end check), reject, or production',
          tags: ['certification'],
          responses: {
            '201': 'The recorded decision',
            '400': 'Unknown decision or no comment',
            '403': 'Not a MedCom key',
            '404': 'No such vendor or protocol',
            '409': 'CERT_ERR_INCOMPLETE or CERT_ERR_STEP: not allowed at this step',
          },
        },
      },
      schema: {
        params: VENDOR_PROTOCOL,
        body: {
          type: 'object',
          required: ['decision', 'comment'],
          properties: {
            decision: { type: 'string', enum: [...DECISION_KINDS] },
            comment: { type: 'string', minLength: 1, maxLength: 4000 },
          },
        },
      },
    },
    async (request, reply) => {
      const { vendor, protocol } = request.params as { vendor: string; protocol: string };
      const body = request.body as { decision: unknown; comment: string };
      if (!isDecisionKind(body.decision)) {
        throw apiError('API_ERR_BAD_REQUEST', `decision is one of ${DECISION_KINDS.join(', ')}.`);
      }
      const p = requirePrincipal(request);
      const who = p.kind === 'admin' ? p.name : actor;
      const decision = await certification.decide(db, vendor, protocol, body.decision, body.comment, who);
      return reply.status(201).send(decision);
    }
  );
}
