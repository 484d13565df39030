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
  {
    version: 8,
    name: "forges",
    sql: `
-- a connected GitHub (GitLab, Gitea) instance; secrets (token or app key, webhook secret) encrypted by the server
create table forges (
  id text primary key,
  name text not null unique,
  kind text not null,
  api_url text not null,
  web_url text not null,
  bot_name text not null,
  auth_kind text not null,
  app_id text,
  installation_id bigint,
  secrets jsonb not null,
  poll_seconds int,
  -- last time polling looked (events after it are new)
  polled_at timestamptz,
  pacing boolean not null,
  service_user text not null,
  status jsonb not null default '{"state":"unknown","message":null,"at":null}',
  created_by text not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
alter table repos add column forge_id text references forges(id);
alter table repos add column forge_repo text;
alter table repos add column forge_settings jsonb not null default '{}';
alter table repos add column forge_webhook text;
create unique index repos_forge_idx on repos (forge_id, lower(forge_repo)) where forge_id is not null;
alter table tasks add column origin jsonb;

-- forge users whose mentions create tasks as a Cadre user (logins compared lowercased, as forges do)
create table forge_logins (
  forge_id text not null references forges(id) on delete cascade,
  login text not null,
  user_id text not null references users(id),
  primary key (forge_id, login)
);

-- webhook deliveries (and polled events), stored before anything is done with them; processed from here
create table forge_deliveries (
  forge_id text not null references forges(id) on delete cascade,
  delivery_id text not null,
  event text not null,
  payload jsonb not null,
  state text not null default 'pending',
  outcome text,
  attempts int not null default 0,
  claimed_by text,
  claim_expires_at timestamptz,
  run_after timestamptz not null default now(),
  received_at timestamptz not null default now(),
  processed_at timestamptz,
  primary key (forge_id, delivery_id)
);
create index forge_deliveries_pending_idx on forge_deliveries (run_after) where state = 'pending';
create index forge_deliveries_received_idx on forge_deliveries (forge_id, received_at desc);

-- what Cadre still has to do on a forge (comment, open a pull request, post a review); each key once
create table forge_jobs (
  id text primary key,
  forge_id text not null references forges(id) on delete cascade,
  key text not null unique,
  kind text not null,
  payload jsonb not null,
  state text not null default 'pending',
  attempts int not null default 0,
  last_error text,
  claimed_by text,
  claim_expires_at timestamptz,
  run_after timestamptz not null default now(),
  created_at timestamptz not null default now(),
  done_at timestamptz
);
create index forge_jobs_pending_idx on forge_jobs (run_after) where state = 'pending';

-- a task's place on its forge: where it was asked, the change request it delivers to, what was handled
create table forge_links (
  task_id text primary key references tasks(id),
  -- the attempt whose turns are delivered
  attempt_id text not null references attempts(id),
  forge_id text not null references forges(id) on delete cascade,
  repo_path text not null,
  purpose text not null,
  thread_kind text,
  thread_number int,
  change_request int,
  -- Cadre opened the change request (else it works on someone else's)
  own_change_request boolean not null default true,
  branch text,
  push_allowed boolean not null default true,
  delivered_commit text,
  -- the attempt's last event seq when its latest end (completed, failed, waiting) was turned into a forge job
  handled_seq int not null default 0,
  auto_followups int not null default 0,
  -- the forge's id of the check a review reports on (updated from pending to its result)
  check_id text,
  created_at timestamptz not null default now()
);
create index forge_links_change_request_idx on forge_links (forge_id, lower(repo_path), change_request);
create index forge_links_delivered_idx on forge_links (forge_id, delivered_commit);

-- failed checks already answered with a follow-up (or a note that the follow-ups are used up)
create table forge_check_failures (
  task_id text not null references tasks(id),
  commit_sha text not null,
  name text not null,
  created_at timestamptz not null default now(),
  primary key (task_id, commit_sha, name)
);
`,
  },
  {
    version: 9,
    name: "automations",
    sql: `
-- a saved prompt that starts tasks on a schedule, on a forge event, or when its fire URL is called
create table automations (
  id text primary key,
  name text not null unique,
  repo_id text not null references repos(id),
  environment_id text references environments(id),
  prompt text not null,
  mode text not null,
  deliver text not null,
  trigger jsonb not null,
  -- sha256 of the fire token (shown once at creation)
  fire_token_hash text not null,
  state text not null default 'active',
  paused_reason text,
  consecutive_failures int not null default 0,
  -- a schedule's slots count from here (creation, or the latest resume): earlier ones never run
  schedule_from timestamptz not null,
  created_by text not null,
  created_at timestamptz not null default now()
);

-- one row per run; slot_key makes a schedule's slot (or a forge delivery) run once across instances
create table automation_runs (
  id text primary key,
  automation_id text not null references automations(id) on delete cascade,
  trigger text not null,
  detail text not null,
  slot_key text,
  task_id text references tasks(id),
  state text not null,
  error text,
  outcome text,
  created_at timestamptz not null default now(),
  finished_at timestamptz,
  unique (automation_id, slot_key)
);
create index automation_runs_recent_idx on automation_runs (automation_id, created_at desc);
create index automation_runs_running_idx on automation_runs (state) where state = 'running';
`,
  },
  {
    version: 10,
    name: "runner-tokens",
    sql: `
-- tokens runner machines register with; only the hash is kept
create table runner_tokens (
  id text primary key,
  name text not null,
  token_hash text not null unique,
  created_by text not null,
  created_at timestamptz not null default now(),
  revoked_at timestamptz,
  last_used_at timestamptz
);
create unique index runner_tokens_active_name_idx on runner_tokens (name) where revoked_at is null;
-- a registered runner process: the token it registered with (null: embedded in a server) and its session secret's hash
alter table runners add column token_id text references runner_tokens(id);
alter table runners add column session_hash text unique;
`,
  },
  {
    version: 11,
    name: "automation-delivery-claims",
    sql: `
-- a run being delivered is held until then: a server that died delivering leaves it to another
alter table automation_runs add column claim_expires_at timestamptz;
`,
  },
  {
    version: 12,
    name: "forge-handled-objects",
    sql: `
-- a forge object (a comment, a check run at a commit) and the delivery that acted on it: webhooks,
-- a second hook and polling may each bring it, and only the first delivery to commit acts
create table forge_handled_objects (
  forge_id text not null references forges(id) on delete cascade,
  object_key text not null,
  delivery_id text not null,
  created_at timestamptz not null default now(),
  primary key (forge_id, object_key)
);
`,
  },
];
