import type { ZodError } from "zod";

type Issue = ZodError["issues"][number];
/** Where a request's value came from. */
export type InputPart = "path" | "query" | "body" | "";

/** How a person would name the value an issue is about ("the id in the URL", "attempts"). */
function valueName(field: string, where: InputPart): string {
  if (where === "path") return field ? `the ${field} in the URL` : "the URL";
  if (where === "query") return field ? `the query parameter '${field}'` : "the query";
  return field || (where === "body" ? "the request body" : "the input");
}

/** One issue as a sentence a user can act on, without internal prefixes such as `body: model:`. */
export function describeIssue(issue: Issue, where: InputPart): string {
  const field = issue.path.map(String).join(".");
  if (issue.code === "unrecognized_keys") {
    const keys = issue.keys.map((k) => `'${k}'`).join(", ");
    return `unknown field${issue.keys.length > 1 ? "s" : ""} ${keys}${field ? ` in ${field}` : ""}: remove ${issue.keys.length > 1 ? "them" : "it"}`;
  }
  const message = issue.message.trim();
  const name = valueName(field, where);
  const last = String(issue.path[issue.path.length - 1] ?? "");
  // Messages written for users already name what they are about ("the prompt may not be empty", "a model is named ...").
  if (last && new RegExp(`^(?:(?:a|an|the)\\s+)?${last.replace(/[^A-Za-z0-9]/g, ".")}\\b`, "i").test(message))
    return message;
  if (/^(must|may|is|are|should|cannot|can't)\b/i.test(message)) return `${name} ${message}`;
  const detail = message.replace(/^invalid input:?\s*/i, "");
  return `${name} is not valid${detail ? `: ${detail.charAt(0).toLowerCase()}${detail.slice(1)}` : ""}`;
}

/** Every issue of a failed validation (the first five) as one message. */
export function describeZodError(err: ZodError, where: InputPart = ""): string {
  return err.issues
    .slice(0, 5)
    .map((i) => describeIssue(i, where))
    .join("; ");
}
