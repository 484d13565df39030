import { z } from "zod";
import { Id, Timestamp } from "./ids.ts";
import { ForgeLoginRef } from "./forge.ts";

/** Global roles, lowest first: viewers read, members create and review, admins manage users and every repo. */
export const Role = z.enum(["viewer", "member", "admin"]);
export type Role = z.infer<typeof Role>;

export const UserName = z
  .string()
  .min(1)
  .max(40)
  .regex(
    /^[a-z][a-z0-9._-]*$/,
    "a user name starts with a lowercase letter and may contain lowercase letters, digits, '.', '_' and '-'",
  );

/** Where a user's delivered commits say they come from (git's author email). */
export const UserEmail = z
  .email("an email looks like name@example.com")
  .max(200)
  .refine((s) => !/[<>\s]/.test(s), "an email may not contain '<', '>' or spaces");

/** The name on a user's delivered commits (git's author name), e.g. "Ada Lovelace". */
export const DisplayName = z
  .string()
  .trim()
  .min(1, "a display name may not be empty")
  .max(100)
  .refine((s) => !/[<>\p{Cc}]/u.test(s), "a display name may not contain '<', '>' or control characters");

export const User = z.object({
  id: Id,
  name: z.string(),
  /** Null until set: delivered commits then use `name` and name@localhost. */
  email: z.string().nullable(),
  displayName: z.string().nullable(),
  role: Role,
  /** Repos (ids) a member or viewer may see; admins see every repo. */
  repos: z.array(z.string()),
  /** Forge users (`forge:login`) whose mentions create tasks as this user. */
  forgeLogins: z.array(z.string()),
  createdBy: z.string(),
  createdAt: Timestamp,
});
export type User = z.infer<typeof User>;

export const CreateUser = z.strictObject({
  name: UserName,
  role: Role.default("member"),
  email: UserEmail.optional(),
  displayName: DisplayName.optional(),
  forgeLogins: z.array(ForgeLoginRef).max(20).default([]),
});
export type CreateUser = z.infer<typeof CreateUser>;

export const UpdateUser = z
  .strictObject({ email: UserEmail.optional(), displayName: DisplayName.optional() })
  .refine((b) => b.email !== undefined || b.displayName !== undefined, "give an email or a display name to set");
export type UpdateUser = z.infer<typeof UpdateUser>;

export const ApiToken = z.object({
  id: Id,
  user: z.string(),
  label: z.string(),
  createdAt: Timestamp,
  revokedAt: Timestamp.nullable(),
  lastUsedAt: Timestamp.nullable(),
});
export type ApiToken = z.infer<typeof ApiToken>;

/** A token as created: the secret is in the response once and never stored (only its hash is). */
export const NewApiToken = z.object({ token: z.string(), info: ApiToken });
export type NewApiToken = z.infer<typeof NewApiToken>;

export const CreateToken = z.strictObject({
  label: z
    .string()
    .max(100)
    .refine((s) => !/\p{Cc}/u.test(s), "a label may not contain control characters")
    .default(""),
});
export const GrantBody = z.strictObject({
  repo: z
    .string()
    .min(1)
    .max(100)
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, "a repo is named by its id or name"),
});

export const Me = z.object({ user: z.string(), role: Role, repos: z.array(z.string()).nullable() });
export type Me = z.infer<typeof Me>;
