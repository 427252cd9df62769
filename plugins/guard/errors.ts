/**
 * The refusals `guard` answers with. Each names what was found, never the value itself, and is
 * rendered by the client's dialect like any gateway error.
 */
import { GatewayError } from "../../core/errors.ts";
import type { GuardReason } from "./text-policy.ts";

const WHAT: Readonly<Record<GuardReason, string>> = {
  email: "an email address",
  phone: "a phone number",
  card: "a payment card number",
  iban: "a bank account number (IBAN)",
  secret: "something that looks like an API key or other secret",
  term: "a term this gateway blocks",
};

export function inputRefused(reason: GuardReason): GatewayError {
  const what = WHAT[reason];
  if (reason === "term") {
    return new GatewayError({ status: 400, message: `The request contains ${what}; rephrase it and try again.`, code: "blocked_term", fault: "policy" });
  }
  return new GatewayError({ status: 400, message: `The request contains ${what}, which this gateway does not accept; remove it and try again.`, code: "pii_detected", fault: "policy" });
}

export function inputTooLong(estimated: number, max: number): GatewayError {
  return new GatewayError({
    status: 400,
    message: `The request is about ${estimated} tokens long; this gateway accepts at most ${max} input tokens.`,
    code: "input_too_long",
    fault: "policy",
  });
}

export function outputRefused(reason: GuardReason): GatewayError {
  return new GatewayError({ status: 422, message: `The answer was withheld: it contained ${WHAT[reason]}.`, code: "output_blocked", fault: "policy" });
}
