// Answering a request without reading its body: the connection closes after the answer, after a short lingering read so the client can read the answer.
import type { Socket } from 'node:net';
import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * How long a refused connection keeps taking (and dropping) bytes after the answer. Closing at once
 * while the client still sends makes the kernel answer its next bytes with a reset, and a reset
 * throws away the answer the client has not read yet (so it would see EPIPE, not our 401); web
 * servers linger for the same reason. Bytes read meanwhile are discarded, never kept.
 */
export const LINGER_MS = 2000;

const lingering = new WeakSet<Socket>();

export function hasBody(request: FastifyRequest): boolean {
  const length = request.headers['content-length'];
  return (length !== undefined && length !== '0') || request.headers['transfer-encoding'] !== undefined;
}

/**
 * For an answer given before the body was read in full: `Connection: close`, so Node does not read
 * the rest of the body to keep the connection; then, once the answer is sent, the socket is ended
 * and dropped after at most LINGER_MS (sooner when the client stops sending).
 */
export function refuseUnread(request: FastifyRequest, reply: FastifyReply): void {
  if (!hasBody(request) || request.raw.complete) {
    return;
  }
  reply.header('connection', 'close');
  const socket = request.raw.socket;
  if (lingering.has(socket)) {
    return;
  }
  lingering.add(socket);
  // Node's server calls destroySoon() once a `Connection: close` answer is sent.
  socket.destroySoon = function lingeringClose(this: Socket): void {
    this.end();
    const drop = (): void => {
      clearTimeout(timer);
      this.destroy();
    };
    const timer = setTimeout(drop, LINGER_MS);
    this.once('end', drop);
    this.once('close', () => {
      clearTimeout(timer);
    });
  };
}
