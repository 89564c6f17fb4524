-- The rows of one user, inserted as the web app inserts them: as role
-- authenticated with request.jwt.claims of that user, without ids (bigserial
-- and gen_random_uuid() defaults fill them), user_id sent explicitly as the
-- app's supabase-js calls send it. {{uid}} is the user's id, {{who}} a short
-- tag ("u" or "v") that makes each row findable by its text.
-- Column sets follow the app's inserts: src/hooks/useExpenseActions.ts,
-- src/components/wheels/FuelLog.tsx, src/components/wheels/VehicleMaintenance.tsx,
-- src/components/wins/income/useIncomeData.ts, src/components/social/useSocialData.ts.

INSERT INTO public.profiles (id, email, full_name, nickname, region, vehicle_type, travel_radius_miles, preferences)
VALUES ('{{uid}}', '{{who}}@example.com', 'User {{who}}', '{{who}}', 'Australia', 'motorhome', 250, '{"units": "metric"}');

INSERT INTO public.expenses (user_id, amount, category, date, description)
VALUES ('{{uid}}', 82.40, 'fuel', '2026-11-02', '{{who}} diesel Tamworth'),
       ('{{uid}}', 35.00, 'camping', '2026-11-03', '{{who}} campground Armidale'),
       ('{{uid}}', 19.95, 'food', '2026-11-04', '{{who}} groceries');

INSERT INTO public.fuel_log (user_id, date, location, odometer, volume, price, total, consumption, filled_to_top, region)
VALUES ('{{uid}}', '2026-11-02', '{{who}} Tamworth', 120450, 61.5, 1.99, 122.39, NULL, true, 'NSW'),
       ('{{uid}}', '2026-11-09', '{{who}} Glen Innes', 121012, 58.2, 2.05, 119.31, 10.36, true, 'NSW');

INSERT INTO public.maintenance_records (user_id, task, date, mileage)
VALUES ('{{uid}}', '{{who}} oil change', '2026-12-01', 121500),
       ('{{uid}}', '{{who}} tyre rotation', '2027-01-15', 125000);

INSERT INTO public.budgets (user_id, category, budgeted_amount, start_date, end_date, name)
VALUES ('{{uid}}', 'fuel', 600.00, '2026-11-01', '2026-11-30', '{{who}} November'),
       ('{{uid}}', 'food', 400.00, '2026-11-01', '2026-11-30', '{{who}} November food');

INSERT INTO public.budget_categories (user_id, name, budgeted_amount, spent_amount)
VALUES ('{{uid}}', '{{who}} fuel', 600.00, 241.70),
       ('{{uid}}', '{{who}} food', 400.00, 19.95);

INSERT INTO public.income_entries (user_id, amount, source, date, type, description)
VALUES ('{{uid}}', 1250.00, '{{who}} pension', '2026-11-01', 'regular', 'fortnightly'),
       ('{{uid}}', 300.00, '{{who}} markets', '2026-11-07', 'side', 'craft stall');

INSERT INTO public.calendar_events (user_id, title, start_date, end_date, event_type, location_name, reminder_minutes)
VALUES ('{{uid}}', '{{who}} service booking', '2026-12-01 09:00+10', '2026-12-01 11:00+10', 'maintenance', 'Tamworth', '{60}'),
       ('{{uid}}', '{{who}} rally', '2026-12-12 00:00+10', '2026-12-14 00:00+10', 'trip', 'Stanthorpe', NULL);

INSERT INTO public.social_posts (user_id, content, status, location)
VALUES ('{{uid}}', '{{who}} approved: free camp at Copeton Dam', 'approved', 'feed'),
       ('{{uid}}', '{{who}} pending: draft post', 'pending', 'feed');

INSERT INTO public.pam_analytics_logs (user_id, session_id, event_type, intent, response_time_ms, success, event_data)
VALUES ('{{uid}}', '{{who}}-session-1', 'message', 'expense_query', 840, true, '{"tool": "expenses"}'),
       ('{{uid}}', '{{who}}-session-1', 'message', 'trip_plan', 1320, true, NULL);
