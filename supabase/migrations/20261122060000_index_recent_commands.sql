-- The overview's "recent commands" reads the newest commands of an organization across devices.
-- (Its fleet-wide device aggregates rely on the once-per-statement devices policy of 20261122040000.)
create index device_commands_org_id_created_idx on public.device_commands (org_id, created_at desc);
