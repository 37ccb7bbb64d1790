-- Alert evaluation (features/alerts/evaluate.ts): threshold rules on the cached temperature and rssi
-- columns read their few matching devices through an index, as battery rules already do through
-- devices_list_battery_idx, instead of scanning the org's devices once per rule and cycle.
create index devices_org_id_temperature_idx on public.devices (org_id, temperature) where removed_at is null;
create index devices_org_id_rssi_idx on public.devices (org_id, rssi) where removed_at is null;
