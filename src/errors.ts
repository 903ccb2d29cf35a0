// The typed errors of the tool. Commands throw them; only src/main.ts turns them into a message and
// an exit code (see the contract's "Errors and exit codes").

export const EXIT = {
  ok: 0,
  unexpected: 1,
  usage: 2,
  notFound: 3,
  conflict: 4,
  partial: 5,
  /** `servers sync --dry-run`: there are changes to make (as `diff` exits 1 on a difference). */
  changesPending: 1,
  /** `doctor`: problems found (as grep exits 1 on a match). */
  problemsFound: 1,
  /** `doctor`: no answer, whatever the failure (usage, database unreachable, a bug), as grep's 2. */
  noAnswer: 2,
} as const

export type ExitCode = (typeof EXIT)[keyof typeof EXIT]

/** The key of the API's error body: most errors use "error", the tenant validation error "message". */
export type ErrorKey = 'error' | 'message'

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
    readonly key: ErrorKey = 'error',
  ) {
    super(message)
    this.name = new.target.name
  }
}

/** Bad flags or arguments, an invalid value, or a refused confirmation: exit 2, nothing written. */
export class UsageError extends CliError {
  constructor(message: string, key: ErrorKey = 'error') {
    super(message, EXIT.usage, key)
  }
}

export class NotFoundError extends CliError {
  constructor(message: string) {
    super(message, EXIT.notFound)
  }
}

export class ConflictError extends CliError {
  constructor(message: string) {
    super(message, EXIT.conflict)
  }
}

/** The database work was done, but some calls to BBB servers failed; each failure is a warning already printed. */
export class PartialFailureError extends CliError {
  constructor(message: string) {
    super(message, EXIT.partial)
  }
}

/** Not a failure: `--dry-run` printed the changes it would make; exit 1 and no message. */
export class ChangesPending extends CliError {
  constructor() {
    super('changes pending', EXIT.changesPending)
  }
}

/** Not a failure: `doctor` printed the problems it found; exit 1 and no message. */
export class ProblemsFound extends CliError {
  constructor() {
    super('problems found', EXIT.problemsFound)
  }
}

/** A failure we can explain in one line (database unreachable, migration failed): exit 1, no stack trace. */
export class FatalError extends CliError {
  constructor(message: string) {
    super(message, EXIT.unexpected)
  }
}

export const serverNotFound = (id: string) => new NotFoundError(`Couldn't find server with id=${id}`)
export const tenantNotFound = (id: string) => new NotFoundError(`Couldn't find Tenant with id=${id}`)
export const tenantSettingNotFound = (id: string) => new NotFoundError(`Couldn't find TenantSetting with id=${id}`)
export const tenantSettingExists = (s: { tenantId: string; param: string; override: boolean }, id: string) =>
  new ConflictError(`TenantSetting already exists with tenant_id=${s.tenantId}, param=${s.param}, override=${s.override} (id=${id})`)
