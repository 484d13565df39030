import { CadreError, type ErrorCode } from "@cadre/protocol";

/** An error answered by the server (or the lack of one), with the HTTP status when there was one. */
export class CadreApiError extends CadreError {
  readonly status: number | null;
  constructor(
    code: ErrorCode,
    message: string,
    status: number | null,
    { details, command }: { details?: unknown; command?: string | undefined } = {},
  ) {
    super(code, message, details, command);
    this.name = "CadreApiError";
    this.status = status;
  }
}
