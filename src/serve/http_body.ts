/**
 * The request body: the limits on requests, reading a JSON body under a size cap, and `HttpError`,
 * the error every endpoint answers with as JSON naming the field at fault.
 *
 * @module
 */

/** The request limits (command-line flags). */
export interface RequestLimits {
  /** Largest body in bytes. */
  maxBodyBytes: number;
  /** Most items (texts or pairs) in one request. */
  maxItems: number;
  /** Longest text in characters. */
  maxTextChars: number;
  /** Most items waiting for a batch; a request beyond it gets 503 (overloaded). */
  maxQueuedItems: number;
}

/** An error answered as `{"error": {"kind", "field", "message"}}` with an HTTP status. */
export class HttpError extends Error {
  /**
   * @param status The HTTP status.
   * @param kind A stable error kind (counted in `/metrics`).
   * @param message What is wrong and what to do.
   * @param field The request field at fault, if any.
   */
  constructor(
    readonly status: number,
    readonly kind: string,
    message: string,
    readonly field: string | null = null,
  ) {
    super(message);
    this.name = "HttpError";
  }

  /** @returns The JSON body. */
  toJSON(): { error: { kind: string; field: string | null; message: string } } {
    return { error: { kind: this.kind, field: this.field, message: this.message } };
  }
}

/**
 * Reads a JSON body, refusing one over `limits.maxBodyBytes` before reading it all.
 *
 * @param req The request.
 * @param limits The limits.
 * @returns The parsed value.
 * @throws {HttpError} 413 for a body too large, 400 for invalid JSON.
 */
export async function readJson(req: Request, limits: RequestLimits): Promise<unknown> {
  const tooLarge = () =>
    new HttpError(
      413,
      "body_too_large",
      `Cannot read the request as its body exceeds ${limits.maxBodyBytes} bytes: send fewer ` +
        `items per request, or start the server with a larger --max-body-bytes`,
      "body",
    );
  const declared = Number(req.headers.get("content-length") ?? NaN);
  if (declared > limits.maxBodyBytes) throw tooLarge();
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (req.body) {
    for await (const c of req.body) {
      size += c.length;
      if (size > limits.maxBodyBytes) throw tooLarge();
      chunks.push(c);
    }
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) bytes.set(c, at), at += c.length;
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch (e) {
    throw new HttpError(
      400,
      "invalid_json",
      `Cannot parse the request body as JSON: ${(e as Error).message}`,
      "body",
    );
  }
}
