/**
 * Recognisable secrets the fuzz, fault and secrets suites configure, so any copy of one in an
 * answer or a log line can be found by a plain substring search.
 */
export const PROVIDER_KEY = "sk-provider-FUZZSECRET-0a1b2c3d4e5f6789";
export const ANTHROPIC_KEY = "sk-ant-api03-FUZZSECRET-9f8e7d6c5b4a3210";
export const VIRTUAL_KEY = "sk-virt-alice-FUZZSECRET-1122334455";
export const TEAM_KEY = "sk-virt-team-FUZZSECRET-5566778899";
export const METRICS_TOKEN = "metrics-FUZZSECRET-token-0123456789";
/** What a client sends besides its key: a cookie and an extra credential header. */
export const CLIENT_SECRET = "client-FUZZSECRET-cookie-abcdef0123";

/** Every secret, each one the gateway must never hand back or write down. */
export const ALL_SECRETS: readonly string[] = [PROVIDER_KEY, ANTHROPIC_KEY, VIRTUAL_KEY, TEAM_KEY, METRICS_TOKEN, CLIENT_SECRET];

/** The secrets that occur in `text` (the whole value, or its distinctive middle part). */
export function secretsIn(text: string): string[] {
  return ALL_SECRETS.filter((secret) => text.includes(secret) || text.includes(secret.slice(4, -4)));
}
