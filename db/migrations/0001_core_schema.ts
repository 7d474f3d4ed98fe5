/**
 * 0001_core_schema: the core Paperclip schema (the 63-table "core" build,
 * @paperclipai/db@2026.325.0), minus plugins, routines, invites, assets and
 * Better Auth, plus our own auth tables (`users`, `sessions`) and the
 * Postgres run-log store (`heartbeat_run_log_chunks`).
 *
 * Conventions:
 * - uuid PKs via gen_random_uuid() (built in since Postgres 13);
 * - `company_id ... references companies(id) on delete cascade` on tenant tables;
 * - every `*_user_id` is text (user ids look like 'local-board');
 * - status columns are text + CHECK where Paperclip defines the enum;
 * - bigint columns are read as JS numbers (the connection installs an int8 parser).
 *
 * Circular references (wakeup <-> run, issue <-> execution workspace,
 * document <-> revision) are added with ALTER TABLE once both tables exist.
 */
import { type Kysely, sql } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  // ---------------------------------------------------------------- auth
  await sql`
    create table users (
      id             text primary key,
      name           text not null,
      email          text not null,
      email_verified boolean not null default false,
      image          text,
      password_hash  text,
      created_at     timestamptz not null default now(),
      updated_at     timestamptz not null default now()
    )`.execute(db);
  await sql`create unique index users_email_lower_uq on users (lower(email))`.execute(db);

  await sql`
    create table sessions (
      id         text primary key,
      user_id    text not null references users(id) on delete cascade,
      token_hash text not null unique,
      expires_at timestamptz not null,
      ip_address text,
      user_agent text,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`.execute(db);
  await sql`create index sessions_user_idx on sessions (user_id)`.execute(db);

  // ---------------------------------------------------------------- instance
  await sql`
    create table instance_settings (
      id            uuid primary key default gen_random_uuid(),
      singleton_key text not null default 'default',
      general       jsonb not null default '{}',
      experimental  jsonb not null default '{}',
      created_at    timestamptz not null default now(),
      updated_at    timestamptz not null default now()
    )`.execute(db);
  await sql`create unique index instance_settings_singleton_key_idx on instance_settings (singleton_key)`.execute(db);

  await sql`
    create table instance_user_roles (
      id         uuid primary key default gen_random_uuid(),
      user_id    text not null,
      role       text not null default 'instance_admin',
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`.execute(db);
  await sql`create unique index instance_user_roles_user_role_unique_idx on instance_user_roles (user_id, role)`.execute(db);

  await sql`
    create table board_api_keys (
      id           uuid primary key default gen_random_uuid(),
      user_id      text not null references users(id) on delete cascade,
      name         text not null,
      key_hash     text not null,
      last_used_at timestamptz,
      revoked_at   timestamptz,
      expires_at   timestamptz,
      created_at   timestamptz not null default now()
    )`.execute(db);
  await sql`create unique index board_api_keys_key_hash_idx on board_api_keys (key_hash)`.execute(db);
  await sql`create index board_api_keys_user_idx on board_api_keys (user_id)`.execute(db);

  // ---------------------------------------------------------------- companies
  await sql`
    create table companies (
      id                   uuid primary key default gen_random_uuid(),
      name                 text not null,
      description          text,
      status               text not null default 'active'
                           check (status in ('active', 'paused', 'archived')),
      pause_reason         text,
      paused_at            timestamptz,
      issue_prefix         text not null default 'PAP',
      issue_counter        integer not null default 0,
      budget_monthly_cents integer not null default 0,
      spent_monthly_cents  integer not null default 0,
      require_board_approval_for_new_agents boolean not null default false,
      brand_color          text,
      created_at           timestamptz not null default now(),
      updated_at           timestamptz not null default now()
    )`.execute(db);
  await sql`create unique index companies_issue_prefix_idx on companies (issue_prefix)`.execute(db);

  await sql`
    create table company_memberships (
      id              uuid primary key default gen_random_uuid(),
      company_id      uuid not null references companies(id) on delete cascade,
      principal_type  text not null,  -- user | agent
      principal_id    text not null,
      status          text not null default 'active',  -- pending | active | suspended | archived
      membership_role text
                      check (membership_role in ('owner', 'admin', 'operator', 'viewer', 'member')),
      created_at      timestamptz not null default now(),
      updated_at      timestamptz not null default now()
    )`.execute(db);
  await sql`
    create unique index company_memberships_company_principal_unique_idx
      on company_memberships (company_id, principal_type, principal_id)`.execute(db);
  await sql`create index company_memberships_principal_idx on company_memberships (principal_type, principal_id)`.execute(db);

  await sql`
    create table principal_permission_grants (
      id                 uuid primary key default gen_random_uuid(),
      company_id         uuid not null references companies(id) on delete cascade,
      principal_type     text not null,
      principal_id       text not null,
      permission_key     text not null,
      scope              jsonb,
      granted_by_user_id text,
      created_at         timestamptz not null default now(),
      updated_at         timestamptz not null default now()
    )`.execute(db);
  await sql`
    create unique index principal_permission_grants_unique_idx
      on principal_permission_grants (company_id, principal_type, principal_id, permission_key)`.execute(db);

  // ---------------------------------------------------------------- agents
  await sql`
    create table agents (
      id                   uuid primary key default gen_random_uuid(),
      company_id           uuid not null references companies(id) on delete cascade,
      name                 text not null,
      role                 text not null default 'general',
      title                text,
      icon                 text,
      status               text not null default 'idle'
                           check (status in ('active', 'paused', 'idle', 'running', 'error',
                                             'pending_approval', 'terminated')),
      reports_to           uuid references agents(id) on delete set null,
      capabilities         text,
      adapter_type         text not null default 'process',
      adapter_config       jsonb not null default '{}',
      runtime_config       jsonb not null default '{}',
      budget_monthly_cents integer not null default 0,
      spent_monthly_cents  integer not null default 0,
      pause_reason         text,
      paused_at            timestamptz,
      permissions          jsonb not null default '{}',
      last_heartbeat_at    timestamptz,
      metadata             jsonb,
      created_at           timestamptz not null default now(),
      updated_at           timestamptz not null default now()
    )`.execute(db);
  await sql`create index agents_company_idx on agents (company_id)`.execute(db);
  await sql`create index agents_reports_to_idx on agents (reports_to)`.execute(db);

  await sql`
    create table agent_api_keys (
      id           uuid primary key default gen_random_uuid(),
      agent_id     uuid not null references agents(id) on delete cascade,
      company_id   uuid not null references companies(id) on delete cascade,
      name         text not null,
      key_hash     text not null,
      last_used_at timestamptz,
      revoked_at   timestamptz,
      created_at   timestamptz not null default now()
    )`.execute(db);
  await sql`create unique index agent_api_keys_key_hash_idx on agent_api_keys (key_hash)`.execute(db);
  await sql`create index agent_api_keys_agent_idx on agent_api_keys (agent_id)`.execute(db);

  await sql`
    create table agent_config_revisions (
      id                           uuid primary key default gen_random_uuid(),
      company_id                   uuid not null references companies(id) on delete cascade,
      agent_id                     uuid not null references agents(id) on delete cascade,
      created_by_agent_id          uuid references agents(id) on delete set null,
      created_by_user_id           text,
      source                       text not null default 'patch',
      rolled_back_from_revision_id uuid,
      changed_keys                 jsonb not null default '[]',
      before_config                jsonb not null,
      after_config                 jsonb not null,
      created_at                   timestamptz not null default now()
    )`.execute(db);
  await sql`create index agent_config_revisions_agent_idx on agent_config_revisions (agent_id, created_at desc)`.execute(db);

  // ---------------------------------------------------------------- goals & projects
  await sql`
    create table goals (
      id             uuid primary key default gen_random_uuid(),
      company_id     uuid not null references companies(id) on delete cascade,
      title          text not null,
      description    text,
      level          text not null default 'task'
                     check (level in ('company', 'team', 'agent', 'task')),
      status         text not null default 'planned',  -- planned | active | achieved | cancelled
      parent_id      uuid references goals(id) on delete set null,
      owner_agent_id uuid references agents(id) on delete set null,
      created_at     timestamptz not null default now(),
      updated_at     timestamptz not null default now()
    )`.execute(db);
  await sql`create index goals_company_idx on goals (company_id)`.execute(db);

  await sql`
    create table projects (
      id                         uuid primary key default gen_random_uuid(),
      company_id                 uuid not null references companies(id) on delete cascade,
      goal_id                    uuid references goals(id) on delete set null,
      name                       text not null,
      description                text,
      status                     text not null default 'backlog',  -- backlog | planned | in_progress | completed | cancelled
      lead_agent_id              uuid references agents(id) on delete set null,
      target_date                date,
      color                      text,
      pause_reason               text,
      paused_at                  timestamptz,
      execution_workspace_policy jsonb,
      archived_at                timestamptz,
      created_at                 timestamptz not null default now(),
      updated_at                 timestamptz not null default now()
    )`.execute(db);
  await sql`create index projects_company_idx on projects (company_id)`.execute(db);

  await sql`
    create table project_goals (
      project_id uuid not null references projects(id) on delete cascade,
      goal_id    uuid not null references goals(id) on delete cascade,
      company_id uuid not null references companies(id) on delete cascade,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      primary key (project_id, goal_id)
    )`.execute(db);

  await sql`
    create table project_workspaces (
      id                   uuid primary key default gen_random_uuid(),
      company_id           uuid not null references companies(id) on delete cascade,
      project_id           uuid not null references projects(id) on delete cascade,
      name                 text not null,
      source_type          text not null default 'local_path',  -- local_path | git_repo | remote_managed | non_git_path
      cwd                  text,
      repo_url             text,
      repo_ref             text,
      default_ref          text,
      visibility           text not null default 'default',
      setup_command        text,
      cleanup_command      text,
      remote_provider      text,
      remote_workspace_ref text,
      shared_workspace_key text,
      metadata             jsonb,
      is_primary           boolean not null default false,
      created_at           timestamptz not null default now(),
      updated_at           timestamptz not null default now()
    )`.execute(db);
  await sql`create index project_workspaces_project_idx on project_workspaces (project_id)`.execute(db);

  // ---------------------------------------------------------------- wakeups & runs
  await sql`
    create table agent_wakeup_requests (
      id                      uuid primary key default gen_random_uuid(),
      company_id              uuid not null references companies(id) on delete cascade,
      agent_id                uuid not null references agents(id) on delete cascade,
      source                  text not null,  -- timer | assignment | on_demand | automation
      trigger_detail          text,           -- manual | ping | callback | system
      reason                  text,
      payload                 jsonb,
      status                  text not null default 'queued'
                              check (status in ('queued', 'deferred_issue_execution', 'claimed', 'coalesced',
                                                'skipped', 'completed', 'failed', 'cancelled')),
      coalesced_count         integer not null default 0,
      requested_by_actor_type text,           -- user | agent | system
      requested_by_actor_id   text,
      idempotency_key         text,
      run_id                  uuid,           -- FK to heartbeat_runs added below
      requested_at            timestamptz not null default now(),
      claimed_at              timestamptz,
      finished_at             timestamptz,
      error                   text,
      created_at              timestamptz not null default now(),
      updated_at              timestamptz not null default now()
    )`.execute(db);
  await sql`create index agent_wakeup_requests_agent_status_idx on agent_wakeup_requests (agent_id, status)`.execute(db);
  await sql`create index agent_wakeup_requests_run_idx on agent_wakeup_requests (run_id)`.execute(db);
  await sql`
    create unique index agent_wakeup_requests_agent_idempotency_uq
      on agent_wakeup_requests (agent_id, idempotency_key)
      where idempotency_key is not null`.execute(db);

  await sql`
    create table heartbeat_runs (
      id                       uuid primary key default gen_random_uuid(),
      company_id               uuid not null references companies(id) on delete cascade,
      agent_id                 uuid not null references agents(id) on delete cascade,
      invocation_source        text not null default 'on_demand'
                               check (invocation_source in ('timer', 'assignment', 'on_demand', 'automation')),
      trigger_detail           text,
      status                   text not null default 'queued'
                               check (status in ('queued', 'running', 'succeeded', 'failed', 'cancelled', 'timed_out')),
      started_at               timestamptz,
      finished_at              timestamptz,
      error                    text,
      error_code               text,
      wakeup_request_id        uuid references agent_wakeup_requests(id) on delete set null,
      exit_code                integer,
      signal                   text,
      usage_json               jsonb,
      result_json              jsonb,
      session_id_before        text,
      session_id_after         text,
      log_store                text,  -- 'postgres' (heartbeat_run_log_chunks) | 'local_file'
      log_ref                  text,
      log_bytes                bigint,
      log_sha256               text,
      log_compressed           boolean not null default false,
      stdout_excerpt           text,
      stderr_excerpt           text,
      external_run_id          text,
      process_pid              integer,
      process_started_at       timestamptz,
      retry_of_run_id          uuid references heartbeat_runs(id) on delete set null,
      process_loss_retry_count integer not null default 0,
      attempt                  integer not null default 1,  -- ours: Temporal activity attempt
      context_snapshot         jsonb,
      created_at               timestamptz not null default now(),
      updated_at               timestamptz not null default now()
    )`.execute(db);
  await sql`create index heartbeat_runs_company_created_idx on heartbeat_runs (company_id, created_at desc)`.execute(db);
  await sql`create index heartbeat_runs_agent_status_idx on heartbeat_runs (agent_id, status)`.execute(db);
  await sql`create index heartbeat_runs_agent_created_idx on heartbeat_runs (agent_id, created_at desc)`.execute(db);
  await sql`create index heartbeat_runs_wakeup_request_idx on heartbeat_runs (wakeup_request_id)`.execute(db);

  // wakeup -> run closes the cycle
  await sql`
    alter table agent_wakeup_requests
      add constraint agent_wakeup_requests_run_id_fk
      foreign key (run_id) references heartbeat_runs(id) on delete set null`.execute(db);

  await sql`
    create table heartbeat_run_events (
      id         bigserial primary key,
      company_id uuid not null references companies(id) on delete cascade,
      run_id     uuid not null references heartbeat_runs(id) on delete cascade,
      agent_id   uuid not null references agents(id) on delete cascade,
      seq        bigint not null,
      event_type text not null,  -- lifecycle | status | usage | error | structured | ...
      stream     text,
      level      text,
      color      text,
      message    text,
      payload    jsonb,
      created_at timestamptz not null default now()
    )`.execute(db);
  await sql`create unique index heartbeat_run_events_run_seq_uq on heartbeat_run_events (run_id, seq)`.execute(db);

  // Our "postgres" run-log store: content holds NDJSON lines {ts, stream, chunk, seq?}.
  await sql`
    create table heartbeat_run_log_chunks (
      run_id      uuid not null references heartbeat_runs(id) on delete cascade,
      seq         integer not null,
      attempt     integer not null default 1,
      stream      text not null check (stream in ('stdout', 'stderr', 'system')),
      byte_offset bigint not null,
      byte_length integer not null,
      content     text not null,
      created_at  timestamptz not null default now(),
      primary key (run_id, seq)
    )`.execute(db);

  await sql`
    create table agent_runtime_state (
      agent_id                  uuid primary key references agents(id) on delete cascade,
      company_id                uuid not null references companies(id) on delete cascade,
      adapter_type              text not null,
      session_id                text,
      state_json                jsonb not null default '{}',
      last_run_id               uuid references heartbeat_runs(id) on delete set null,
      last_run_status           text,
      total_input_tokens        bigint not null default 0,
      total_output_tokens       bigint not null default 0,
      total_cached_input_tokens bigint not null default 0,
      total_cost_cents          bigint not null default 0,
      last_error                text,
      created_at                timestamptz not null default now(),
      updated_at                timestamptz not null default now()
    )`.execute(db);

  await sql`
    create table agent_task_sessions (
      id                  uuid primary key default gen_random_uuid(),
      company_id          uuid not null references companies(id) on delete cascade,
      agent_id            uuid not null references agents(id) on delete cascade,
      adapter_type        text not null,
      task_key            text not null,
      session_params_json jsonb,
      session_display_id  text,
      last_run_id         uuid references heartbeat_runs(id) on delete set null,
      last_error          text,
      created_at          timestamptz not null default now(),
      updated_at          timestamptz not null default now()
    )`.execute(db);
  await sql`
    create unique index agent_task_sessions_company_agent_adapter_task_uniq
      on agent_task_sessions (company_id, agent_id, adapter_type, task_key)`.execute(db);

  // ---------------------------------------------------------------- issues
  await sql`
    create table issues (
      id                             uuid primary key default gen_random_uuid(),
      company_id                     uuid not null references companies(id) on delete cascade,
      project_id                     uuid references projects(id) on delete set null,
      project_workspace_id           uuid references project_workspaces(id) on delete set null,
      goal_id                        uuid references goals(id) on delete set null,
      parent_id                      uuid references issues(id) on delete set null,
      title                          text not null,
      description                    text,
      status                         text not null default 'backlog'
                                     check (status in ('backlog', 'todo', 'in_progress', 'in_review',
                                                       'done', 'blocked', 'cancelled')),
      priority                       text not null default 'medium'
                                     check (priority in ('critical', 'high', 'medium', 'low')),
      assignee_agent_id              uuid references agents(id) on delete set null,
      assignee_user_id               text,
      checkout_run_id                uuid references heartbeat_runs(id) on delete set null,
      execution_run_id               uuid references heartbeat_runs(id) on delete set null,
      execution_agent_name_key       text,
      execution_locked_at            timestamptz,
      created_by_agent_id            uuid references agents(id) on delete set null,
      created_by_user_id             text,
      issue_number                   integer,
      identifier                     text,
      origin_kind                    text not null default 'manual',
      origin_id                      text,
      origin_run_id                  text,
      request_depth                  integer not null default 0,
      billing_code                   text,
      assignee_adapter_overrides     jsonb,
      execution_workspace_id         uuid,  -- FK to execution_workspaces added below
      execution_workspace_preference text,
      execution_workspace_settings   jsonb,
      started_at                     timestamptz,
      completed_at                   timestamptz,
      cancelled_at                   timestamptz,
      hidden_at                      timestamptz,
      created_at                     timestamptz not null default now(),
      updated_at                     timestamptz not null default now()
    )`.execute(db);
  await sql`create unique index issues_identifier_idx on issues (company_id, identifier)`.execute(db);
  await sql`create unique index issues_company_number_idx on issues (company_id, issue_number)`.execute(db);
  await sql`create index issues_company_status_idx on issues (company_id, status)`.execute(db);
  await sql`create index issues_company_assignee_status_idx on issues (company_id, assignee_agent_id, status)`.execute(db);
  await sql`create index issues_parent_idx on issues (parent_id)`.execute(db);
  await sql`create index issues_execution_run_idx on issues (execution_run_id)`.execute(db);

  await sql`
    create table execution_workspaces (
      id                                  uuid primary key default gen_random_uuid(),
      company_id                          uuid not null references companies(id) on delete cascade,
      project_id                          uuid not null references projects(id) on delete cascade,
      project_workspace_id                uuid references project_workspaces(id) on delete set null,
      source_issue_id                     uuid references issues(id) on delete set null,
      mode                                text not null,
      strategy_type                       text not null,  -- project_primary | git_worktree | adapter_managed | cloud_sandbox
      name                                text not null,
      status                              text not null default 'active',
      cwd                                 text,
      repo_url                            text,
      base_ref                            text,
      branch_name                         text,
      provider_type                       text not null default 'local_fs',
      provider_ref                        text,
      derived_from_execution_workspace_id uuid references execution_workspaces(id) on delete set null,
      last_used_at                        timestamptz not null default now(),
      opened_at                           timestamptz not null default now(),
      closed_at                           timestamptz,
      cleanup_eligible_at                 timestamptz,
      cleanup_reason                      text,
      metadata                            jsonb,
      created_at                          timestamptz not null default now(),
      updated_at                          timestamptz not null default now()
    )`.execute(db);
  await sql`create index execution_workspaces_company_project_idx on execution_workspaces (company_id, project_id)`.execute(db);

  // issue -> execution workspace closes the cycle
  await sql`
    alter table issues
      add constraint issues_execution_workspace_id_fk
      foreign key (execution_workspace_id) references execution_workspaces(id) on delete set null`.execute(db);

  await sql`
    create table issue_comments (
      id              uuid primary key default gen_random_uuid(),
      company_id      uuid not null references companies(id) on delete cascade,
      issue_id        uuid not null references issues(id) on delete cascade,
      author_agent_id uuid references agents(id) on delete set null,
      author_user_id  text,
      body            text not null,
      created_at      timestamptz not null default now(),
      updated_at      timestamptz not null default now()
    )`.execute(db);
  await sql`create index issue_comments_issue_created_idx on issue_comments (issue_id, created_at)`.execute(db);

  await sql`
    create table labels (
      id         uuid primary key default gen_random_uuid(),
      company_id uuid not null references companies(id) on delete cascade,
      name       text not null,
      color      text not null,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`.execute(db);
  await sql`create unique index labels_company_name_idx on labels (company_id, name)`.execute(db);

  await sql`
    create table issue_labels (
      issue_id   uuid not null references issues(id) on delete cascade,
      label_id   uuid not null references labels(id) on delete cascade,
      company_id uuid not null references companies(id) on delete cascade,
      created_at timestamptz not null default now(),
      primary key (issue_id, label_id)
    )`.execute(db);
  await sql`create index issue_labels_label_idx on issue_labels (label_id)`.execute(db);

  await sql`
    create table issue_read_states (
      id           uuid primary key default gen_random_uuid(),
      company_id   uuid not null references companies(id) on delete cascade,
      issue_id     uuid not null references issues(id) on delete cascade,
      user_id      text not null,
      last_read_at timestamptz not null default now(),
      created_at   timestamptz not null default now(),
      updated_at   timestamptz not null default now()
    )`.execute(db);
  await sql`
    create unique index issue_read_states_company_issue_user_idx
      on issue_read_states (company_id, issue_id, user_id)`.execute(db);

  // ---------------------------------------------------------------- approvals
  await sql`
    create table approvals (
      id                    uuid primary key default gen_random_uuid(),
      company_id            uuid not null references companies(id) on delete cascade,
      type                  text not null,  -- hire_agent | approve_ceo_strategy | budget_override_required
      requested_by_agent_id uuid references agents(id) on delete set null,
      requested_by_user_id  text,
      status                text not null default 'pending'
                            check (status in ('pending', 'revision_requested', 'approved', 'rejected', 'cancelled')),
      payload               jsonb not null default '{}',
      decision_note         text,
      decided_by_user_id    text,
      decided_at            timestamptz,
      created_at            timestamptz not null default now(),
      updated_at            timestamptz not null default now()
    )`.execute(db);
  await sql`create index approvals_company_status_idx on approvals (company_id, status)`.execute(db);

  await sql`
    create table approval_comments (
      id              uuid primary key default gen_random_uuid(),
      company_id      uuid not null references companies(id) on delete cascade,
      approval_id     uuid not null references approvals(id) on delete cascade,
      author_agent_id uuid references agents(id) on delete set null,
      author_user_id  text,
      body            text not null,
      created_at      timestamptz not null default now(),
      updated_at      timestamptz not null default now()
    )`.execute(db);
  await sql`create index approval_comments_approval_idx on approval_comments (approval_id, created_at)`.execute(db);

  await sql`
    create table issue_approvals (
      company_id         uuid not null references companies(id) on delete cascade,
      issue_id           uuid not null references issues(id) on delete cascade,
      approval_id        uuid not null references approvals(id) on delete cascade,
      linked_by_agent_id uuid references agents(id) on delete set null,
      linked_by_user_id  text,
      created_at         timestamptz not null default now(),
      primary key (issue_id, approval_id)
    )`.execute(db);
  await sql`create index issue_approvals_approval_idx on issue_approvals (approval_id)`.execute(db);

  // ---------------------------------------------------------------- costs & budgets
  await sql`
    create table cost_events (
      id                  uuid primary key default gen_random_uuid(),
      company_id          uuid not null references companies(id) on delete cascade,
      agent_id            uuid not null references agents(id) on delete cascade,
      issue_id            uuid references issues(id) on delete set null,
      project_id          uuid references projects(id) on delete set null,
      goal_id             uuid references goals(id) on delete set null,
      heartbeat_run_id    uuid references heartbeat_runs(id) on delete set null,
      billing_code        text,
      provider            text not null,
      biller              text not null default 'unknown',
      billing_type        text not null default 'unknown',  -- metered_api | subscription_included | ...
      model               text not null,
      input_tokens        integer not null default 0,
      cached_input_tokens integer not null default 0,
      output_tokens       integer not null default 0,
      cost_cents          integer not null,
      occurred_at         timestamptz not null,
      created_at          timestamptz not null default now()
    )`.execute(db);
  await sql`create index cost_events_company_occurred_idx on cost_events (company_id, occurred_at)`.execute(db);
  await sql`create index cost_events_agent_occurred_idx on cost_events (agent_id, occurred_at)`.execute(db);
  await sql`create index cost_events_heartbeat_run_idx on cost_events (heartbeat_run_id)`.execute(db);

  await sql`
    create table finance_events (
      id                     uuid primary key default gen_random_uuid(),
      company_id             uuid not null references companies(id) on delete cascade,
      agent_id               uuid references agents(id) on delete set null,
      issue_id               uuid references issues(id) on delete set null,
      project_id             uuid references projects(id) on delete set null,
      goal_id                uuid references goals(id) on delete set null,
      heartbeat_run_id       uuid references heartbeat_runs(id) on delete set null,
      cost_event_id          uuid references cost_events(id) on delete set null,
      billing_code           text,
      description            text,
      event_kind             text not null,
      direction              text not null default 'debit',
      biller                 text not null,
      provider               text,
      execution_adapter_type text,
      pricing_tier           text,
      region                 text,
      model                  text,
      quantity               integer,
      unit                   text,
      amount_cents           integer not null,
      currency               text not null default 'USD',
      estimated              boolean not null default false,
      external_invoice_id    text,
      metadata_json          jsonb,
      occurred_at            timestamptz not null,
      created_at             timestamptz not null default now()
    )`.execute(db);
  await sql`create index finance_events_company_occurred_idx on finance_events (company_id, occurred_at)`.execute(db);

  await sql`
    create table budget_policies (
      id                 uuid primary key default gen_random_uuid(),
      company_id         uuid not null references companies(id) on delete cascade,
      scope_type         text not null,  -- company | agent | project
      scope_id           uuid not null,
      metric             text not null default 'billed_cents',
      window_kind        text not null,  -- calendar_month_utc | lifetime
      amount             integer not null default 0,
      warn_percent       integer not null default 80,
      hard_stop_enabled  boolean not null default true,
      notify_enabled     boolean not null default true,
      is_active          boolean not null default true,
      created_by_user_id text,
      updated_by_user_id text,
      created_at         timestamptz not null default now(),
      updated_at         timestamptz not null default now()
    )`.execute(db);
  await sql`
    create unique index budget_policies_company_scope_metric_unique_idx
      on budget_policies (company_id, scope_type, scope_id, metric, window_kind)`.execute(db);

  await sql`
    create table budget_incidents (
      id              uuid primary key default gen_random_uuid(),
      company_id      uuid not null references companies(id) on delete cascade,
      policy_id       uuid not null references budget_policies(id) on delete cascade,
      scope_type      text not null,
      scope_id        uuid not null,
      metric          text not null,
      window_kind     text not null,
      window_start    timestamptz not null,
      window_end      timestamptz not null,
      threshold_type  text not null,  -- soft | hard
      amount_limit    integer not null,
      amount_observed integer not null,
      status          text not null default 'open',
      approval_id     uuid references approvals(id) on delete set null,
      resolved_at     timestamptz,
      created_at      timestamptz not null default now(),
      updated_at      timestamptz not null default now()
    )`.execute(db);
  await sql`
    create index budget_incidents_policy_window_threshold_idx
      on budget_incidents (policy_id, window_start, threshold_type)`.execute(db);
  await sql`create index budget_incidents_company_status_idx on budget_incidents (company_id, status)`.execute(db);

  // ---------------------------------------------------------------- activity
  await sql`
    create table activity_log (
      id          uuid primary key default gen_random_uuid(),
      company_id  uuid not null references companies(id) on delete cascade,
      actor_type  text not null default 'system',  -- user | agent | system
      actor_id    text not null,
      action      text not null,
      entity_type text not null,
      entity_id   text not null,
      agent_id    uuid references agents(id) on delete set null,
      run_id      uuid references heartbeat_runs(id) on delete set null,
      details     jsonb,
      created_at  timestamptz not null default now()
    )`.execute(db);
  await sql`create index activity_log_company_created_idx on activity_log (company_id, created_at desc)`.execute(db);
  await sql`create index activity_log_company_entity_idx on activity_log (company_id, entity_type, entity_id)`.execute(db);

  // ---------------------------------------------------------------- secrets
  await sql`
    create table company_secrets (
      id                  uuid primary key default gen_random_uuid(),
      company_id          uuid not null references companies(id) on delete cascade,
      name                text not null,
      provider            text not null default 'local_encrypted',
      external_ref        text,
      latest_version      integer not null default 1,
      description         text,
      created_by_agent_id uuid references agents(id) on delete set null,
      created_by_user_id  text,
      created_at          timestamptz not null default now(),
      updated_at          timestamptz not null default now()
    )`.execute(db);
  await sql`create unique index company_secrets_company_name_uq on company_secrets (company_id, name)`.execute(db);

  await sql`
    create table company_secret_versions (
      id                  uuid primary key default gen_random_uuid(),
      secret_id           uuid not null references company_secrets(id) on delete cascade,
      version             integer not null,
      material            jsonb not null,  -- {scheme:"local_encrypted_v1", iv, tag, ciphertext}
      value_sha256        text not null,
      created_by_agent_id uuid references agents(id) on delete set null,
      created_by_user_id  text,
      created_at          timestamptz not null default now(),
      revoked_at          timestamptz
    )`.execute(db);
  await sql`
    create unique index company_secret_versions_secret_version_uq
      on company_secret_versions (secret_id, version)`.execute(db);

  // ---------------------------------------------------------------- skills
  await sql`
    create table company_skills (
      id             uuid primary key default gen_random_uuid(),
      company_id     uuid not null references companies(id) on delete cascade,
      key            text not null,
      slug           text not null,
      name           text not null,
      description    text,
      markdown       text not null,
      source_type    text not null default 'local_path',
      source_locator text,
      source_ref     text,
      trust_level    text not null default 'markdown_only',
      compatibility  text not null default 'compatible',
      file_inventory jsonb not null default '[]',
      metadata       jsonb,
      created_at     timestamptz not null default now(),
      updated_at     timestamptz not null default now()
    )`.execute(db);
  await sql`create unique index company_skills_company_key_idx on company_skills (company_id, key)`.execute(db);

  // ---------------------------------------------------------------- documents
  await sql`
    create table documents (
      id                     uuid primary key default gen_random_uuid(),
      company_id             uuid not null references companies(id) on delete cascade,
      title                  text,
      format                 text not null default 'markdown',
      latest_body            text not null,
      latest_revision_id     uuid,  -- FK to document_revisions added below
      latest_revision_number integer not null default 1,
      created_by_agent_id    uuid references agents(id) on delete set null,
      created_by_user_id     text,
      updated_by_agent_id    uuid references agents(id) on delete set null,
      updated_by_user_id     text,
      created_at             timestamptz not null default now(),
      updated_at             timestamptz not null default now()
    )`.execute(db);
  await sql`create index documents_company_idx on documents (company_id)`.execute(db);

  await sql`
    create table document_revisions (
      id                  uuid primary key default gen_random_uuid(),
      company_id          uuid not null references companies(id) on delete cascade,
      document_id         uuid not null references documents(id) on delete cascade,
      revision_number     integer not null,
      body                text not null,
      change_summary      text,
      created_by_agent_id uuid references agents(id) on delete set null,
      created_by_user_id  text,
      created_at          timestamptz not null default now()
    )`.execute(db);
  await sql`
    create unique index document_revisions_document_revision_uq
      on document_revisions (document_id, revision_number)`.execute(db);

  // document -> latest revision closes the cycle
  await sql`
    alter table documents
      add constraint documents_latest_revision_id_fk
      foreign key (latest_revision_id) references document_revisions(id) on delete set null`.execute(db);

  await sql`
    create table issue_documents (
      id          uuid primary key default gen_random_uuid(),
      company_id  uuid not null references companies(id) on delete cascade,
      issue_id    uuid not null references issues(id) on delete cascade,
      document_id uuid not null references documents(id) on delete cascade,
      key         text not null,
      created_at  timestamptz not null default now(),
      updated_at  timestamptz not null default now()
    )`.execute(db);
  await sql`create unique index issue_documents_company_issue_key_uq on issue_documents (company_id, issue_id, key)`.execute(db);
  await sql`create unique index issue_documents_document_uq on issue_documents (document_id)`.execute(db);
}

/** Tables in creation order; `down` drops them in reverse. */
const TABLES = [
  "users",
  "sessions",
  "instance_settings",
  "instance_user_roles",
  "board_api_keys",
  "companies",
  "company_memberships",
  "principal_permission_grants",
  "agents",
  "agent_api_keys",
  "agent_config_revisions",
  "goals",
  "projects",
  "project_goals",
  "project_workspaces",
  "agent_wakeup_requests",
  "heartbeat_runs",
  "heartbeat_run_events",
  "heartbeat_run_log_chunks",
  "agent_runtime_state",
  "agent_task_sessions",
  "issues",
  "execution_workspaces",
  "issue_comments",
  "labels",
  "issue_labels",
  "issue_read_states",
  "approvals",
  "approval_comments",
  "issue_approvals",
  "cost_events",
  "finance_events",
  "budget_policies",
  "budget_incidents",
  "activity_log",
  "company_secrets",
  "company_secret_versions",
  "company_skills",
  "documents",
  "document_revisions",
  "issue_documents",
] as const;

export async function down(db: Kysely<any>): Promise<void> {
  // Break the three cycles first so the reverse-order drops never need CASCADE.
  await sql`alter table if exists documents drop constraint if exists documents_latest_revision_id_fk`.execute(db);
  await sql`alter table if exists issues drop constraint if exists issues_execution_workspace_id_fk`.execute(db);
  await sql`alter table if exists agent_wakeup_requests drop constraint if exists agent_wakeup_requests_run_id_fk`.execute(db);

  for (const table of [...TABLES].reverse()) {
    await sql`drop table if exists ${sql.table(table)}`.execute(db);
  }
}
