/** The REST API, called with the candidate's token as `Authorization: Bearer`. */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export class Api {
  constructor(
    readonly sessionId: string,
    private readonly token: string,
  ) {}

  get base(): string {
    return `/api/v1/sessions/${encodeURIComponent(this.sessionId)}`;
  }

  headers(extra: Record<string, string> = {}): Record<string, string> {
    return { Authorization: `Bearer ${this.token}`, ...extra };
  }

  async request(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = this.headers((init.headers as Record<string, string> | undefined) ?? {});
    const response = await fetch(path, { ...init, headers, cache: "no-store" });
    if (!response.ok) {
      let code = "http_error";
      let detail = `${response.status} ${response.statusText}`;
      try {
        const body = (await response.json()) as { code?: string; detail?: string };
        code = body.code ?? code;
        detail = body.detail ?? detail;
      } catch {
        // not a problem+json body: keep the status line
      }
      throw new ApiError(response.status, code, detail);
    }
    return response;
  }

  async json<T>(path: string, init: RequestInit = {}): Promise<T> {
    return (await (await this.request(path, init)).json()) as T;
  }

  async post<T>(path: string, body: unknown): Promise<T> {
    return this.json<T>(path, {
      method: "POST",
      body: JSON.stringify(body),
      headers: { "Content-Type": "application/json" },
    });
  }
}
