/**
 * How each forge names a change request and writes a reference to one, so every comment, prompt,
 * CLI line and web label reads as the forge's own users expect ("merge request !4" on GitLab,
 * "pull request #4" on GitHub and Gitea). Issues are `#N` everywhere.
 */
export interface ForgeNouns {
  /** "pull request" / "merge request" (lowercase; sentences capitalise it themselves). */
  changeRequest: string;
  /** "PR" / "MR". */
  short: string;
  /** "#4" / "!4". */
  changeRequestRef: (number: number) => string;
}

const PULL_REQUEST: ForgeNouns = {
  changeRequest: "pull request",
  short: "PR",
  changeRequestRef: (number) => `#${number}`,
};

const MERGE_REQUEST: ForgeNouns = {
  changeRequest: "merge request",
  short: "MR",
  changeRequestRef: (number) => `!${number}`,
};

/** The nouns of a forge kind; an unknown or missing kind (a record from before kinds were kept) reads as a pull request. */
export function forgeNouns(kind: string | null | undefined): ForgeNouns {
  return kind === "gitlab" ? MERGE_REQUEST : PULL_REQUEST;
}

/** "merge request !4" / "pull request #4". */
export function changeRequestName(nouns: ForgeNouns, number: number): string {
  return `${nouns.changeRequest} ${nouns.changeRequestRef(number)}`;
}

/** A thread as the forge names it: "issue #3", "merge request !4". */
export function threadName(nouns: ForgeNouns, thread: { kind: "issue" | "change_request"; number: number }): string {
  return thread.kind === "issue" ? `issue #${thread.number}` : changeRequestName(nouns, thread.number);
}
