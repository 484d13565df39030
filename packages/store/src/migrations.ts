/** Ordered, append-only. Never edit a released migration: add a new one. */
export const MIGRATIONS: { version: number; name: string; sql: string }[] = [
  {
    version: 1,
    name: "core",
    sql: `
create table repos (
  id text primary key,
  name text not null unique,
  origin text not null,
  default_branch text not null,
  created_at timestamptz not null default now()
);

create table environments (
  id text primary key,
  name text not null unique,
  repo_id text references repos(id),
  setup_script text not null default '',
  maintenance_script text not null default '',
  variables jsonb not null default '{}',
  secrets jsonb not null default '{}',
  network_policy jsonb not null,
  limits jsonb not null,
  test_command text not null default '',
  instructions text not null default '',
  setup_ttl_ms bigint not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create table tasks (
  id text primary key,
  title text not null,
  prompt text not null,
  repo_id text not null references repos(id),
  base_ref text not null,
  base_commit text not null,
  environment_id text references environments(id),
  attempt_count int not null,
  mode text not null,
  model text not null,
  priority int not null default 0,
  review_state text not null default 'pending',
  review_attempt_id text,
  review_delivery jsonb,
  review_by text,
  review_at timestamptz,
  review_reason text,
  created_by text not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index tasks_created_idx on tasks (created_at desc, id desc);
create index tasks_repo_idx on tasks (repo_id);

create table attempts (
  id text primary key,
  task_id text not null references tasks(id),
  idx int not null,
  status text not null,
  waiting_for text,
  failure_reason text,
  failure_message text,
  summary text,
  head_commit text,
  turn_count int not null default 0,
  tests_passed boolean,
  usage jsonb not null,
  last_seq int not null default 0,
  -- queue: an attempt needs a runner while needs_run; pending_input is the instruction to start with
  needs_run boolean not null default true,
  pending_input jsonb,
  cancel_requested boolean not null default false,
  runner_id text,
  lease_expires_at timestamptz,
  created_at timestamptz not null default now(),
  started_at timestamptz,
  finished_at timestamptz,
  updated_at timestamptz not null default now(),
  unique (task_id, idx)
);
create index attempts_queue_idx on attempts (needs_run, created_at) where needs_run;

create table turns (
  attempt_id text not null references attempts(id),
  idx int not null,
  kind text not null,
  prompt text not null,
  status text not null,
  checkpoint_commit text,
  started_at timestamptz not null default now(),
  finished_at timestamptz,
  primary key (attempt_id, idx)
);

create table events (
  attempt_id text not null references attempts(id),
  seq int not null,
  task_id text not null,
  turn int not null,
  type text not null,
  at timestamptz not null default now(),
  body jsonb not null,
  primary key (attempt_id, seq)
);

create table runners (
  id text primary key,
  name text not null,
  slots int not null,
  active_attempts int not null default 0,
  started_at timestamptz not null default now(),
  last_heartbeat_at timestamptz not null default now()
);
`,
  },
  {
    version: 2,
    name: "review-and-conflicts",
    sql: `
alter table attempts add column base_commit text;
alter table attempts add column diff_stats jsonb;
alter table tasks add column expected_paths jsonb not null default '[]';
alter table tasks add column potential_conflicts jsonb not null default '[]';
alter table tasks add column queue_after jsonb not null default '[]';
`,
  },
  {
    version: 3,
    name: "users-and-access",
    sql: `
create table users (
  id text primary key,
  name text not null unique,
  role text not null,
  created_by text not null,
  created_at timestamptz not null default now()
);

create table api_tokens (
  id text primary key,
  user_id text not null references users(id),
  -- sha256 of the token: a leaked table gives no usable token
  token_hash text not null unique,
  label text not null default '',
  created_at timestamptz not null default now(),
  revoked_at timestamptz,
  last_used_at timestamptz
);
create index api_tokens_user_idx on api_tokens (user_id);

create table repo_grants (
  user_id text not null references users(id),
  repo_id text not null references repos(id),
  granted_by text not null,
  created_at timestamptz not null default now(),
  primary key (user_id, repo_id)
);
create index tasks_created_by_idx on tasks (created_by, created_at)
`,
  },
  {
    version: 4,
    name: "environment-images",
    sql: `
alter table environments add column image text;
alter table attempts add column image_reference text;
alter table attempts add column image_digest text;
alter table runners add column image_bytes bigint;
`,
  },
  {
    version: 5,
    name: "attempt-messages",
    sql: `
-- messages sent to a running attempt; the runner delivers them as user_message events between steps
create table attempt_messages (
  id text primary key,
  attempt_id text not null references attempts(id),
  text text not null,
  stop boolean not null default false,
  created_by text not null,
  created_at timestamptz not null default now(),
  -- seq of the delivering event (0: delivered as a follow-up turn); null while waiting for the next step
  delivered_seq int
);
create index attempt_messages_pending_idx on attempt_messages (attempt_id, created_at) where delivered_seq is null;
`,
  },
  {
    version: 6,
    name: "user-identity-and-partial-pulls",
    sql: `
-- who a delivered commit is authored by; null falls back to the user name (see @cadre/delivery)
alter table users add column email text;
alter table users add column display_name text;
-- the latest pull of part of a change into a local working tree (the review stays pending)
alter table tasks add column review_pulled jsonb
`,
  },
  {
    version: 7,
    name: "environment-allowed-repos",
    sql: `
-- repositories besides its own that an admin let use the environment (and its secrets)
alter table environments add column allowed_repo_ids jsonb not null default '[]'
`,
  },
];
