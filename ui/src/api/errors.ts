/** The error every call rejects with: Cognito's exception name and its message. */
export class ApiError extends Error {
  readonly code: string;

  constructor(code: string, message: string) {
    super(message);
    this.name = "ApiError";
    this.code = code;
  }

  /** Normalises whatever the IPC layer rejected with into `{code, message}`. */
  static from(e: unknown): ApiError {
    if (e instanceof ApiError) return e;
    if (e && typeof e === "object") {
      const o = e as Record<string, unknown>;
      const code = typeof o.code === "string" ? o.code : typeof o.kind === "string" ? o.kind : "Error";
      const message =
        typeof o.message === "string" ? o.message : e instanceof Error ? e.message : JSON.stringify(e);
      return new ApiError(code, message);
    }
    return new ApiError("Error", String(e));
  }
}

export function describeError(e: unknown): { code: string; message: string } {
  const err = ApiError.from(e);
  return { code: err.code, message: err.message };
}

/** Short headings for the errors of remote connections (their messages say what to do). */
const HEADINGS: Record<string, string> = {
  InvalidConnection: "Invalid connection settings",
  ConnectionExists: "Connection already exists",
  UnknownConnection: "Unknown connection",
  KeychainUnavailable: "Keychain unavailable",
  KeychainLocked: "Keychain locked",
  SecretMissing: "Secret access key missing",
  RemoteUnreachable: "Server unreachable",
  RemoteTlsError: "TLS problem",
  RemoteClockSkew: "Clock skew",
  RemoteNotCognito: "Not a Cognito endpoint",
  UnrecognizedClientException: "Unknown access key",
  InvalidSignatureException: "Wrong secret access key",
};

/** A heading for a connection error code, or undefined for Cognito's own errors. */
export function errorHeading(code: string): string | undefined {
  return HEADINGS[code];
}
