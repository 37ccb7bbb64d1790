-- Statement and idle-in-transaction timeouts for the API roles (design §8.3). PostgREST applies a
-- role's settings when it switches to it; the app sets the same values in lib/db.ts, because role
-- settings apply only at login, not on `set local role`.
alter role anon set statement_timeout = '3s';
alter role anon set idle_in_transaction_session_timeout = '10s';
alter role authenticated set statement_timeout = '8s';
alter role authenticated set idle_in_transaction_session_timeout = '10s';
-- The service role runs the sync's page writes and bulk batches: longer statements, same idle limit.
alter role service_role set statement_timeout = '60s';
alter role service_role set idle_in_transaction_session_timeout = '10s';
