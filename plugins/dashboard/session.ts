/** A logged-in admin: who, until when, and the token mutating calls must echo in a header. */
export interface Session {
  readonly admin: string;
  readonly csrf: string;
  readonly expiresAt: number;
}

export const SESSION_COOKIE = "switchyard_session";

function randomToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  let text = "";
  for (const byte of bytes) text += byte.toString(16).padStart(2, "0");
  return text;
}

/** The value of one cookie in a `Cookie` header. */
export function cookieValue(header: string | null, name: string): string | undefined {
  if (header === null) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/**
 * Sessions held in memory, at most `max` (the oldest go first), each for `ttlMs`. A restart logs
 * everyone out, which is the safe direction. The session id is a random 256-bit token; it lives
 * in an HttpOnly cookie the page's script cannot read.
 */
export class Sessions {
  private readonly byToken = new Map<string, Session>();

  constructor(private readonly ttlMs: number, private readonly max: number) {}

  open(admin: string): { token: string; session: Session } {
    const now = Date.now();
    for (const [token, session] of this.byToken) if (session.expiresAt <= now) this.byToken.delete(token);
    while (this.byToken.size >= this.max) this.byToken.delete(this.byToken.keys().next().value!);
    const token = randomToken();
    const session: Session = { admin, csrf: randomToken(), expiresAt: now + this.ttlMs };
    this.byToken.set(token, session);
    return { token, session };
  }

  /** The live session a request's cookie names, if any. */
  of(request: Request): { token: string; session: Session } | undefined {
    const token = cookieValue(request.headers.get("cookie"), SESSION_COOKIE);
    if (token === undefined) return undefined;
    const session = this.byToken.get(token);
    if (session === undefined) return undefined;
    if (session.expiresAt <= Date.now()) {
      this.byToken.delete(token);
      return undefined;
    }
    return { token, session };
  }

  close(token: string): void {
    this.byToken.delete(token);
  }

  get size(): number {
    return this.byToken.size;
  }
}

/** Compares two strings in time independent of where they differ. */
export function sameToken(a: string | null, b: string): boolean {
  if (a === null || a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}
