/**
 * Errors with a stable name that decides the answer the dashboard gives:
 * the error page shows their message (written for the operator) and the
 * status; anything else is a 500 whose details go to the log only.
 */
export class DashboardError extends Error {
  override readonly name: string = 'DashboardError';
  readonly status: 400 | 403 | 404 | 503 = 400;
}

/** A start-up setting the dashboard refuses (e.g. a public address without credentials). */
export class DashboardConfigError extends Error {
  override readonly name = 'DashboardConfigError';
}

/** No such organization, contact or job. */
export class NotFoundError extends DashboardError {
  override readonly name = 'NotFoundError';
  override readonly status = 404;
}

/** An action the dashboard will not carry out: read-only mode, a bad token, a payload the job schema refuses. */
export class ActionRefusedError extends DashboardError {
  override readonly name = 'ActionRefusedError';
  override readonly status: 400 | 403;

  constructor(message: string, status: 400 | 403 = 400, options?: ErrorOptions) {
    super(message, options);
    this.status = status;
  }
}

/** A dependency (an organization database, Redis) cannot answer right now. */
export class UnavailableError extends DashboardError {
  override readonly name = 'UnavailableError';
  override readonly status = 503;
}
