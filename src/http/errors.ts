// Renders errors as JSON `{"error": "…", "code": "…"}` with the catalog's status: npm's envelope and Gatehouse's own API.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { RegistryError } from '../core/errors.ts'

export function toRegistryError(err: unknown, limits: { maxBodyBytes: number }): RegistryError {
  if (err instanceof RegistryError) return err
  const e = err as FastifyError
  switch (e?.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new RegistryError('bodyTooLarge', `request body is larger than the registry accepts (${limits.maxBodyBytes} bytes)`)
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new RegistryError('unsupportedMediaType', 'unsupported content type; send application/json')
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new RegistryError('invalidRequest', 'request body is not valid JSON')
  }
  if (err instanceof SyntaxError) return new RegistryError('invalidRequest', `request body is not valid JSON: ${err.message}`)
  if (typeof e?.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return new RegistryError('invalidRequest', e.message)
  }
  return new RegistryError('internal', 'internal error; the registry logged the details')
}

export function jsonErrorHandler(limits: { maxBodyBytes: number }) {
  return (err: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const mapped = toRegistryError(err, limits)
    if (mapped.status >= 500) request.log.error({ err }, 'request failed')
    else request.log.info({ code: mapped.code, reason: mapped.message, url: request.url }, 'request refused')
    if (typeof mapped.details.retryAfter === 'number') reply.header('retry-after', String(mapped.details.retryAfter))
    return reply.status(mapped.status).type('application/json').send({ error: mapped.message, code: mapped.code })
  }
}
