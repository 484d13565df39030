import { z } from "zod";
import { Id, Timestamp } from "./ids.ts";

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

export const User = z.object({
  id: Id,
  name: z.string(),
  role: Role,
  /** Repos (ids) a member or viewer may see; admins see every repo. */
  repos: z.array(z.string()),
  createdBy: z.string(),
  createdAt: Timestamp,
});
export type User = z.infer<typeof User>;

export const CreateUser = z.strictObject({ name: UserName, role: Role.default("member") });
export type CreateUser = z.infer<typeof CreateUser>;

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
