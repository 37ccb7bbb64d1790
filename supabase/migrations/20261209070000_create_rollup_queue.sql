-- Ingest acknowledges after the raw write (issue 13): the raw rows and one row of arrays here commit
-- together; the ingest process's rollup loop folds queued rows into the device and fleet rollups and
-- deletes them in one statement (exactly once, skip locked). A fold that did not run before a crash
-- stays queued and runs when an ingest process starts again. Service role only; nothing for members.
create table private.telemetry_rollup_queue (
  id bigint generated always as identity primary key,
  enqueued_at timestamptz not null default now(),
  org_ids uuid[] not null,
  integration_ids uuid[] not null,
  device_ids uuid[] not null,
  metrics text[] not null,
  ts timestamptz[] not null,
  values float8[] not null
);

comment on table private.telemetry_rollup_queue is 'Raw points committed but not yet folded into the rollups (one row per writer flush, as parallel arrays).';

revoke all on table private.telemetry_rollup_queue from public, anon, authenticated;
-- update: the fold locks the rows it takes (for update skip locked).
grant select, insert, update, delete on table private.telemetry_rollup_queue to service_role;
