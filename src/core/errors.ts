// The closed catalog of errors the registry reports; each protocol renders them in its client's envelope.

const CATALOG = {
  invalidRequest: 400,
  invalidName: 400,
  invalidVersion: 400,
  invalidManifest: 400,
  invalidArchive: 400,
  integrityMismatch: 400,
  manifestMismatch: 400,
  authRequired: 401,
  badCredentials: 401,
  forbidden: 403,
  notOwner: 403,
  readOnlyToken: 403,
  versionExists: 403,
  unpublishNotAllowed: 403,
  signupClosed: 403,
  accountSuspended: 403,
  nameBlocked: 403,
  ipBlocked: 403,
  closedByOperator: 403,
  notFound: 404,
  conflict: 409,
  userExists: 409,
  removed: 410,
  archiveTooLarge: 413,
  bodyTooLarge: 413,
  unsupportedMediaType: 415,
  rateLimited: 429,
  internal: 500,
  unavailable: 503,
  readOnly: 503,
} as const

export type ErrorCode = keyof typeof CATALOG

export class RegistryError extends Error {
  readonly status: number
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message)
    this.name = 'RegistryError'
    this.status = CATALOG[code]
  }
}

export function isRegistryError(err: unknown): err is RegistryError {
  return err instanceof RegistryError
}

export const fail = (code: ErrorCode, message: string, details?: Record<string, unknown>): never => {
  throw new RegistryError(code, message, details)
}
