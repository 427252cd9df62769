/**
 * The shipped pricing table, in USD per million tokens, for current models of the providers the
 * gateway serves directly or through their OpenAI-compatible endpoints.
 *
 * Every figure was read on 2026-11-25 from the source named on its entry (a stored copy of the
 * provider's own page where one was available, otherwise the named secondary source, which
 * transcribes the provider's page). Models whose price could not be checked are left out: they
 * cost `null` (with a warning) until you give them a price with `cost({ prices })`. Prices
 * change; override any entry in config rather than trusting this table for invoices.
 *
 * Conventions, as the gateway's usage counts them (OpenAI's): `input` bills uncached input tokens,
 * `cachedInput` bills cached (cache-read) tokens and defaults to `input` when a provider publishes
 * no separate rate; `output` bills output tokens, reasoning included, unless `reasoning` is set.
 * `cacheWrite` bills tokens written to a prompt cache (Anthropic's 5-minute rate, 1.25× input, unless
 * an entry says otherwise; 1-hour writes, billed at 2×, are counted at the 5-minute rate). Batch,
 * flex, priority and regional surcharges are not modelled.
 */

export interface TokenPrices {
  /** USD per million uncached input tokens. */
  input: number;
  /** USD per million output tokens (reasoning tokens included unless `reasoning` is set). */
  output: number;
  /** USD per million cached input tokens. Default: `input`. */
  cachedInput?: number;
  /**
   * USD per million tokens written to the provider's prompt cache (Anthropic bills these apart).
   * Default: `input`; Anthropic models default to 1.25× `input`, the 5-minute cache-write rate.
   */
  cacheWrite?: number;
  /** USD per million reasoning tokens, when billed apart from output. Default: `output`. */
  reasoning?: number;
}

export interface ModelPrice extends TokenPrices {
  /** Rates for the whole request when its input tokens exceed `aboveInputTokens`. */
  longContext?: TokenPrices & { aboveInputTokens: number };
  /** A published change: from this date (UTC, YYYY-MM-DD) these prices replace the ones above. */
  scheduled?: TokenPrices & { from: string };
}

export interface PriceEntry extends ModelPrice {
  /** Who sells it: openai, anthropic, google, aws, mistral. */
  readonly vendor: string;
  /** Where the figures were read, and as of when. */
  readonly source: string;
}

/** When the table was last checked against its sources. */
export const PRICES_CHECKED = "2026-11-25";

const OPENAI = "OpenAI model page, developers.openai.com/api/docs/models/";
const OPENAI_LONG = "; prompts over 272K input tokens: 2x input and cache rates, 1.5x output (same page)";
const ANTHROPIC = "Anthropic pricing page, platform.claude.com/docs/en/about-claude/pricing";
const GOOGLE = "Gemini API pricing page, ai.google.dev/gemini-api/docs/pricing, as transcribed on 2026-10-07 (api-evangelist/deepmind plans/deepmind-plans-pricing.yml)";
const MISTRAL = "Mistral API pricing, mistral.ai/pricing, as recorded by pydantic/genai-prices prices/providers/mistral.yml";

const BEDROCK = "Amazon Bedrock pricing, aws.amazon.com/bedrock/pricing (on-demand, in-region; cross-region inference at the source region's price)";
const NOVA = "Amazon Nova on Bedrock, on-demand, as quoted by pristren.com's Nova Micro guide and techdailyfeed.com's Bedrock pricing walk-through ($0.000035 / $0.00014 per 1K tokens for Micro)";

/** Anthropic's pricing page: "5-minute cache writes: 1.25x base input price". */
const ANTHROPIC_CACHE_WRITE = 1.25;

const TABLE: Record<string, PriceEntry> = {
  // OpenAI
  "gpt-6.2-sol": {
    vendor: "openai", input: 2, cachedInput: 0.1, output: 10,
    longContext: { aboveInputTokens: 272_000, input: 4, cachedInput: 0.2, output: 15 },
    source: `${OPENAI}gpt-6.2-sol${OPENAI_LONG}`,
  },
  "gpt-6-sol": {
    vendor: "openai", input: 2, cachedInput: 0.2, output: 10,
    longContext: { aboveInputTokens: 272_000, input: 4, cachedInput: 0.4, output: 15 },
    source: `${OPENAI}gpt-6-sol${OPENAI_LONG}`,
  },
  "gpt-6-luna": {
    vendor: "openai", input: 0.1, cachedInput: 0.01, output: 0.5,
    longContext: { aboveInputTokens: 272_000, input: 0.2, cachedInput: 0.02, output: 0.75 },
    source: `${OPENAI}gpt-6-luna${OPENAI_LONG}`,
  },
  "gpt-5.6-luna": {
    vendor: "openai", input: 0.2, cachedInput: 0.02, output: 1.2,
    longContext: { aboveInputTokens: 272_000, input: 0.4, output: 1.8 },
    source: `${OPENAI}gpt-5.6-luna; prompts over 272K input tokens: 2x input, 1.5x output (same page; no long-context cache rate given)`,
  },
  "gpt-5.5": {
    vendor: "openai", input: 5, cachedInput: 0.5, output: 30,
    source: "OpenAI list price as quoted by the docs.apiyi.com model price table and a published gateway config; no stored OpenAI page",
  },
  "gpt-5.4": {
    vendor: "openai", input: 2.5, cachedInput: 0.25, output: 15,
    source: "OpenAI list price as quoted by docs.apiyi.com and the adk-model crate's OpenAI pricing (March 2026)",
  },
  "gpt-5.4-mini": {
    vendor: "openai", input: 0.75, cachedInput: 0.075, output: 4.5,
    source: "OpenAI list price as quoted by docs.apiyi.com, the adk-model crate (March 2026) and OpenAI's gpt-5-nano page comparison ($0.75 input)",
  },
  "gpt-5-nano": {
    vendor: "openai", input: 0.05, cachedInput: 0.005, output: 0.4,
    source: `${OPENAI}gpt-5-nano`,
  },
  "text-embedding-3-small": { vendor: "openai", input: 0.02, output: 0, source: "OpenAI embeddings price as quoted by zilliz.com and docs.praison.ai" },
  "text-embedding-3-large": { vendor: "openai", input: 0.13, output: 0, source: "OpenAI embeddings price as quoted by zilliz.com and docs.praison.ai" },

  // Anthropic (usage normalised OpenAI-style: input includes cache reads)
  "claude-fable-5-1": { vendor: "anthropic", input: 10, cachedInput: 0.25, output: 50, source: ANTHROPIC },
  "claude-fable-5": { vendor: "anthropic", input: 10, cachedInput: 1, output: 50, source: ANTHROPIC },
  "claude-opus-5-5": {
    vendor: "anthropic", input: 4, cachedInput: 0.2, output: 20,
    source: "Anthropic model overview, platform.claude.com/docs/en/models (Opus 5.5: $4 / $20); cache read $0.20 as quoted by apidog.com's Sonnet 5.5 pricing guide",
  },
  "claude-opus-5": { vendor: "anthropic", input: 5, cachedInput: 0.5, output: 25, source: ANTHROPIC },
  "claude-opus-4-8": { vendor: "anthropic", input: 5, cachedInput: 0.5, output: 25, source: ANTHROPIC },
  "claude-opus-4-7": { vendor: "anthropic", input: 5, cachedInput: 0.5, output: 25, source: ANTHROPIC },
  "claude-opus-4-6": { vendor: "anthropic", input: 5, cachedInput: 0.5, output: 25, source: ANTHROPIC },
  "claude-opus-4-5": { vendor: "anthropic", input: 5, cachedInput: 0.5, output: 25, source: ANTHROPIC },
  "claude-sonnet-5-5": {
    vendor: "anthropic", input: 2, cachedInput: 0.1, output: 10,
    source: "Anthropic model page platform.claude.com/docs/en/models/sonnet-5-5/overview ($2 / $10); cache read cut to $0.10 on 2026-10-07 per the kurofune/claudit v1.9.2 and TheKrush/PromptFuel v1.0.23 release notes",
  },
  "claude-sonnet-5": { vendor: "anthropic", input: 2, cachedInput: 0.2, output: 10, source: "Anthropic model page, platform.claude.com/docs/en/models/sonnet-5/overview" },
  "claude-sonnet-4-6": { vendor: "anthropic", input: 3, cachedInput: 0.3, output: 15, source: ANTHROPIC },
  "claude-sonnet-4-5": { vendor: "anthropic", input: 3, cachedInput: 0.3, output: 15, source: ANTHROPIC },
  "claude-haiku-5-5": {
    vendor: "anthropic", input: 0.1, cachedInput: 0.01, output: 0.5,
    longContext: { aboveInputTokens: 100_000, input: 0.5, cachedInput: 0.05, output: 2.5 },
    source: "Anthropic pricing as recorded in the kurofune/claudit v1.9.2 and TheKrush/PromptFuel v1.0.23 release notes (prompts over 100K tokens billed at the higher band)",
  },
  "claude-haiku-4-5": { vendor: "anthropic", input: 1, cachedInput: 0.1, output: 5, source: ANTHROPIC },

  // Google
  "gemini-3.8-flash": {
    vendor: "google", input: 0.75, cachedInput: 0.075, output: 3.75,
    scheduled: { from: "2027-01-01", input: 1.5, output: 7.5 },
    source: `${GOOGLE}; introductory price through 2026-12-31; cache read $0.075 per BerriAI/litellm discussion #39357`,
  },
  "gemini-3.5-flash": { vendor: "google", input: 1.5, output: 9, source: GOOGLE },
  "gemini-3.5-flash-lite": { vendor: "google", input: 0.3, output: 2.5, source: GOOGLE },
  "gemini-3.1-pro-preview": {
    vendor: "google", input: 2, output: 12,
    longContext: { aboveInputTokens: 200_000, input: 4, output: 18 },
    source: GOOGLE,
  },
  "gemini-embedding-2": { vendor: "google", input: 0.2, output: 0, source: GOOGLE },

  // Amazon Bedrock, by Bedrock model id (an inference profile's `us.` / `eu.` / `global.` prefix is
  // priced as the model). Anthropic models are billed on Bedrock at Anthropic's list rates; the 10%
  // premium of regional (non-global) endpoints for the newest Claude models is not modelled.
  "anthropic.claude-haiku-4-5-20251001-v1:0": { vendor: "anthropic", input: 1, cachedInput: 0.1, output: 5, source: `${BEDROCK}; ${ANTHROPIC}` },
  "anthropic.claude-sonnet-4-5-20250929-v1:0": { vendor: "anthropic", input: 3, cachedInput: 0.3, output: 15, source: `${BEDROCK}; ${ANTHROPIC}` },
  "anthropic.claude-opus-4-5-20251101-v1:0": { vendor: "anthropic", input: 5, cachedInput: 0.5, output: 25, source: `${BEDROCK}; ${ANTHROPIC}` },
  "anthropic.claude-3-5-haiku-20241022-v1:0": { vendor: "anthropic", input: 0.8, cachedInput: 0.08, output: 4, source: `${BEDROCK}; ${ANTHROPIC}` },
  "amazon.nova-micro-v1:0": { vendor: "aws", input: 0.035, output: 0.14, source: NOVA },
  "amazon.nova-lite-v1:0": { vendor: "aws", input: 0.06, output: 0.24, source: NOVA },
  "amazon.nova-pro-v1:0": { vendor: "aws", input: 0.8, output: 3.2, source: NOVA },

  // Mistral
  "mistral-medium-3.5": { vendor: "mistral", input: 1.5, cachedInput: 0.15, output: 7.5, source: `${MISTRAL} (checked 2026-08-24)` },
  "mistral-medium-3-5": { vendor: "mistral", input: 1.5, cachedInput: 0.15, output: 7.5, source: `${MISTRAL} (checked 2026-08-24)` },
  "mistral-large-2512": { vendor: "mistral", input: 0.5, cachedInput: 0.05, output: 1.5, source: `${MISTRAL} (checked 2026-06-09)` },
  "mistral-small-2603": { vendor: "mistral", input: 0.15, cachedInput: 0.015, output: 0.6, source: `${MISTRAL} (checked 2026-06-09)` },
  "ministral-14b-2512": { vendor: "mistral", input: 0.2, cachedInput: 0.02, output: 0.2, source: `${MISTRAL} (checked 2026-06-09)` },
  "ministral-8b-2512": { vendor: "mistral", input: 0.15, cachedInput: 0.015, output: 0.15, source: `${MISTRAL} (checked 2026-08-24)` },
  "ministral-3b-2512": { vendor: "mistral", input: 0.1, cachedInput: 0.01, output: 0.1, source: `${MISTRAL} (checked 2026-06-09)` },
  "codestral-2508": { vendor: "mistral", input: 0.3, cachedInput: 0.03, output: 0.9, source: `${MISTRAL} (checked 2026-06-09)` },
  "devstral-2512": { vendor: "mistral", input: 0.4, cachedInput: 0.04, output: 2, source: `${MISTRAL} (checked 2026-06-09)` },
  "mistral-embed": { vendor: "mistral", input: 0.1, output: 0, source: MISTRAL },
};

function withCacheWrites(price: PriceEntry): PriceEntry {
  if (price.vendor !== "anthropic" || price.cacheWrite !== undefined) return price;
  const cacheWrite = (rates: TokenPrices): number => Math.round(rates.input * ANTHROPIC_CACHE_WRITE * 1e6) / 1e6;
  const out: PriceEntry = { ...price, cacheWrite: cacheWrite(price) };
  if (price.longContext !== undefined) out.longContext = { ...price.longContext, cacheWrite: cacheWrite(price.longContext) };
  if (price.scheduled !== undefined) out.scheduled = { ...price.scheduled, cacheWrite: cacheWrite(price.scheduled) };
  return out;
}

export const PRICES: Readonly<Record<string, PriceEntry>> = Object.freeze(
  Object.fromEntries(Object.entries(TABLE).map(([model, price]) => [model, withCacheWrites(price)])),
);
