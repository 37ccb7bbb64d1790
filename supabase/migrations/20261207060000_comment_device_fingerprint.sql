-- What the device cache's fingerprint and write time mean now that user actions (attribute edits,
-- bulk attribute sets) write cached rows too, through the sync's writer (features/sync/writer.ts).
comment on column public.devices.sync_hash is 'Fingerprint of the AWS answer the row shows; an unchanged fingerprint means the sync does not rewrite the row. Empty after a user action changed the row, so the next sync rewrites it from what AWS then holds.';
comment on column public.devices.synced_at is 'When the row last took an AWS answer (a sync, a device refresh or an accepted edit); an answer read before this time never overwrites a later shadow or registry version.';
