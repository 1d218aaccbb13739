// MedCom's API: vendors and their keys (a new key is in the answer once and never again).
import { addVendorKey, listKeys, listVendors, revokeKey } from '../store/access.js';
import { apiError } from './api-errors.js';
import type { RouteContext } from './server.js';

export function registerAdminRoutes({ app, db }: RouteContext): void {
  const admin = (request: { principal?: { kind: string; name?: string } }): string =>
    request.principal?.kind === 'admin' ? `admin ${request.principal.name}` : 'admin';

  app.get(
    '/api/v1/vendors',
    { config: { access: 'admin', openapi: { summary: 'Every vendor', tags: ['admin'] } } },
    async () => ({ vendors: await listVendors(db) })
  );

  app.post(
    '/api/v1/vendors',
    {
      config: {
        access: 'admin',
        openapi: {
          summary: 'Add a vendor (or a key for an existing one); the key is shown in this answer only',
          tags: ['admin'],
          responses: { '201': '{ vendor, key }', '400': 'Bad vendor id' },
        },
      },
      schema: {
        body: {
          type: 'object',
          required: ['id'],
          properties: {
            id: { type: 'string', pattern: '^[a-z0-9][a-z0-9._-]{0,63}$' },
            name: { type: 'string', maxLength: 200 },
          },
        },
      },
    },
    async (request, reply) => {
      const body = request.body as { id: string; name?: string };
      const key = await addVendorKey(db, body.id, body.name ?? body.id, admin(request));
      return reply.status(201).send({ vendor: body.id, key });
    }
  );

  app.get(
    '/api/v1/keys',
    {
      config: {
        access: 'admin',
        openapi: { summary: 'Every API key (prefix, owner, dates; never the key)', tags: ['admin'] },
      },
    },
    async () => ({ keys: await listKeys(db) })
  );

  app.delete(
    '/api/v1/keys/:id',
    {
      config: {
        access: 'admin',
        openapi: {
          summary: 'Revoke a key',
          tags: ['admin'],
          responses: { '204': 'Revoked', '404': 'No live key with this id' },
        },
      },
      schema: { params: { type: 'object', required: ['id'], properties: { id: { type: 'string', format: 'uuid' } } } },
    },
    async (request, reply) => {
      const { id } = request.params as { id: string };
      if (!(await revokeKey(db, id, admin(request)))) {
        throw apiError('API_ERR_NOT_FOUND', `No live key ${id}.`);
      }
      return reply.status(204).send();
    }
  );
}
