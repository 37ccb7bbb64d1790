-- A delivery names the alert it announces; both tables now exist, so the link is a real foreign
-- key (an alert deleted with its rule leaves its delivery log, without the link).
alter table public.notification_deliveries
  add constraint notification_deliveries_alert_id_fkey
  foreign key (alert_id) references public.alerts (id) on delete set null;

