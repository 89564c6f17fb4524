-- The Wheels & Wins web app's tables, reduced to the ones PAM shares, run as
-- the installing role (the project's "postgres", which ran the app's
-- migrations), so it owns them and the default privileges of 00_base.sql
-- grant them to anon, authenticated and service_role.
--
-- Source: github.com/Thabonel/wheels-wins-landing-page at 6b91f7ad.
--   types.ts   = src/integrations/supabase/types.ts, generated from the live
--                database: the authority for columns, nullability (Row "| null")
--                and defaults (Insert "?:" on a NOT NULL column means a default).
--   migrations = supabase/migrations/*.sql: SQL types, policies, triggers.
-- Where the two disagree (migrations are CREATE TABLE IF NOT EXISTS over tables
-- that already existed live), types.ts wins for columns and the migration that
-- created the policies is kept for policies. Every policy below is as the app
-- wrote it: no TO clause, so it applies to every role.

-- Shared updated_at trigger function.
-- migrations: 01_foundation.sql (update_updated_at_column).
CREATE FUNCTION public.update_updated_at_column() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  NEW.updated_at = now();
  RETURN NEW;
END;
$$;

-- ------------------------------------------------------------------ profiles
-- types.ts 6381-6428 (Row; Insert makes id optional, so it has a default: the
-- migrations do not show which, auth.uid() is the one that satisfies the FK).
-- migrations: 01_foundation.sql (id uuid PRIMARY KEY REFERENCES auth.users ON
-- DELETE CASCADE, email UNIQUE, policies "Users can view/update/insert own
-- profile" on auth.uid() = id, trigger update_profiles_updated_at);
-- 20251014000001-standardize-profiles-schema.sql (the key is id, never user_id).
CREATE TABLE public.profiles (
    id uuid PRIMARY KEY DEFAULT auth.uid() REFERENCES auth.users(id) ON DELETE CASCADE,
    email text UNIQUE,
    full_name text,
    nickname text,
    role text,
    status text,
    region text,
    language text,
    profile_image_url text,
    partner_name text,
    partner_email text,
    partner_profile_image_url text,
    vehicle_type text,
    vehicle_make_model text,
    fuel_type text,
    towing text,
    second_vehicle text,
    max_driving text,
    camp_types text,
    accessibility text,
    pets text,
    budget_range text,
    travel_style text[],
    interests text[],
    accessibility_needs text[],
    travel_radius_miles integer,
    current_latitude double precision,
    current_longitude double precision,
    destination_latitude double precision,
    destination_longitude double precision,
    preferences jsonb DEFAULT '{"notifications": true, "marketing_emails": false}',
    content_preferences jsonb,
    emergency_contact jsonb,
    medical_info jsonb,
    gender_identity text,
    gender_custom text,
    pronouns text,
    pronouns_custom text,
    trial_end_date timestamptz,
    trial_notification_sent boolean,
    subscription_cancelled boolean,
    cancellation_token text,
    last_active timestamptz,
    created_at timestamptz DEFAULT now(),
    updated_at timestamptz DEFAULT now()
);
ALTER TABLE public.profiles ENABLE ROW LEVEL SECURITY;
CREATE POLICY "Users can view own profile" ON public.profiles
    FOR SELECT USING (auth.uid() = id);
CREATE POLICY "Users can update own profile" ON public.profiles
    FOR UPDATE USING (auth.uid() = id);
CREATE POLICY "Users can insert own profile" ON public.profiles
    FOR INSERT WITH CHECK (auth.uid() = id);
CREATE TRIGGER update_profiles_updated_at BEFORE UPDATE ON public.profiles
    FOR EACH ROW EXECUTE FUNCTION public.update_updated_at_column();

-- ------------------------------------------------------------------ expenses
-- types.ts 2727-2737: id number (bigint), user_id NOT NULL, amount, category,
-- date, description, expense_date, created_at; no updated_at live.
-- migrations: 20250807120000-create-expenses-table.sql (BIGSERIAL, DECIMAL(10,2),
-- date DEFAULT CURRENT_DATE, FK auth.users ON DELETE CASCADE, four per-command
-- policies); 20250618044433-5ca4535f-....sql (policy "Users can manage their own
-- expenses" FOR ALL); 20250722150000-add-receipt-url-to-expenses.sql
-- (receipt_url, which src/hooks/useExpenseActions.ts inserts).
CREATE TABLE public.expenses (
    id bigserial PRIMARY KEY,
    user_id uuid NOT NULL REFERENCES auth.users(id) ON DELETE CASCADE,
    amount numeric(10,2) NOT NULL CHECK (amount >= 0),
    category text NOT NULL,
    date date NOT NULL DEFAULT CURRENT_DATE,
    description text,
    expense_date date,
    receipt_url text,
    created_at timestamptz DEFAULT now()
);
CREATE INDEX idx_expenses_user_id ON public.expenses (user_id);
CREATE INDEX idx_expenses_user_date ON public.expenses (user_id, date);
ALTER TABLE public.expenses ENABLE ROW LEVEL SECURITY;
CREATE POLICY "Users can manage their own expenses" ON public.expenses
    FOR ALL USING (auth.uid() = user_id);
CREATE POLICY "Users can view their own expenses" ON public.expenses
    FOR SELECT USING (auth.uid() = user_id);
CREATE POLICY "Users can insert their own expenses" ON public.expenses
    FOR INSERT WITH CHECK (auth.uid() = user_id);
CREATE POLICY "Users can update their own expenses" ON public.expenses
    FOR UPDATE USING (auth.uid() = user_id) WITH CHECK (auth.uid() = user_id);
CREATE POLICY "Users can delete their own expenses" ON public.expenses
    FOR DELETE USING (auth.uid() = user_id);

-- ------------------------------------------------------------------ fuel_log
-- types.ts 3027-3045: id number (bigint), user_id nullable, date NOT NULL, the
-- rest nullable. No migration creates this shape (05_vehicle_management.sql's
-- uuid/gallons table never reached live); numeric precisions are ours, money
-- numeric(10,2). migrations: 05_vehicle_management.sql (FK auth.users ON DELETE
-- CASCADE, policy "Users can manage own fuel log" FOR ALL on auth.uid() = user_id).
CREATE TABLE public.fuel_log (
    id bigserial PRIMARY KEY,
    user_id uuid REFERENCES auth.users(id) ON DELETE CASCADE,
    date date NOT NULL,
    location text,
    odometer numeric,
    volume numeric,
    price numeric(10,2),
    total numeric(10,2),
    consumption numeric,
    filled_to_top boolean DEFAULT true,
    region text,
    notes text,
    receipt_url text,
    receipt_photo_url text,
    receipt_metadata jsonb,
    created_at timestamptz DEFAULT now()
);
CREATE INDEX idx_fuel_log_user_id ON public.fuel_log (user_id);
ALTER TABLE public.fuel_log ENABLE ROW LEVEL SECURITY;
CREATE POLICY "Users can manage own fuel log" ON public.fuel_log
    FOR ALL USING (auth.uid() = user_id);

-- ------------------------------------------------------------------ maintenance_records
-- types.ts 3960-3974: id number (bigint), user_id NOT NULL but optional on
-- Insert (so it has a default: auth.uid()), task, date, mileage NOT NULL.
-- migrations: 05_vehicle_management.sql (FK auth.users ON DELETE CASCADE, policy
-- "Users can manage own maintenance records" FOR ALL on auth.uid() = user_id).
CREATE TABLE public.maintenance_records (
    id bigserial PRIMARY KEY,
    user_id uuid NOT NULL DEFAULT auth.uid() REFERENCES auth.users(id) ON DELETE CASCADE,
    task text NOT NULL,
    date date NOT NULL,
    mileage integer NOT NULL,
    cost numeric(10,2),
    status text,
    notes text,
    next_due_date date,
    next_due_mileage integer,
    receipt_photo_url text,
    created_at timestamptz DEFAULT now()
);
CREATE INDEX idx_maintenance_records_user_id ON public.maintenance_records (user_id);
ALTER TABLE public.maintenance_records ENABLE ROW LEVEL SECURITY;
CREATE POLICY "Users can manage own maintenance records" ON public.maintenance_records
    FOR ALL USING (auth.uid() = user_id);

-- ------------------------------------------------------------------ budgets
-- types.ts 1254-1266: id string (uuid), user_id, category, budgeted_amount,
-- start_date, end_date NOT NULL; monthly_limit NOT NULL with a default; name,
-- alert_threshold nullable; no updated_at live.
-- migrations: 20250110000000-week2-missing-tables.sql (monthly_limit
-- DECIMAL(10,2) DEFAULT 0, alert_threshold DECIMAL(5,2) DEFAULT 80.0, the four
-- per-command policies); 20250618044433-5ca4535f-....sql (name DEFAULT 'Monthly
-- Budget'). budgeted_amount numeric(12,2) as budget_categories has it.
CREATE TABLE public.budgets (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id uuid NOT NULL REFERENCES auth.users(id) ON DELETE CASCADE,
    category text NOT NULL,
    budgeted_amount numeric(12,2) NOT NULL,
    start_date date NOT NULL,
    end_date date NOT NULL,
    monthly_limit numeric(10,2) NOT NULL DEFAULT 0 CHECK (monthly_limit >= 0),
    alert_threshold numeric(5,2) DEFAULT 80.0 CHECK (alert_threshold >= 0 AND alert_threshold <= 100),
    name text DEFAULT 'Monthly Budget',
    created_at timestamptz DEFAULT now()
);
CREATE INDEX idx_budgets_user_id ON public.budgets (user_id);
ALTER TABLE public.budgets ENABLE ROW LEVEL SECURITY;
CREATE POLICY "Users can view their own budgets" ON public.budgets
    FOR SELECT USING (auth.uid() = user_id);
CREATE POLICY "Users can insert their own budgets" ON public.budgets
    FOR INSERT WITH CHECK (auth.uid() = user_id);
CREATE POLICY "Users can update their own budgets" ON public.budgets
    FOR UPDATE USING (auth.uid() = user_id) WITH CHECK (auth.uid() = user_id);
CREATE POLICY "Users can delete their own budgets" ON public.budgets
    FOR DELETE USING (auth.uid() = user_id);

-- ------------------------------------------------------------------ budget_categories
-- types.ts 1221-1231. migrations: 20250618044433-5ca4535f-....sql (NUMERIC(12,2)
-- amounts DEFAULT 0, color DEFAULT '#8B5CF6', policy FOR ALL). Not one of PAM's
-- tables, but budget_summary reads it.
CREATE TABLE public.budget_categories (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id uuid NOT NULL REFERENCES auth.users(id) ON DELETE CASCADE,
    name text NOT NULL,
    budgeted_amount numeric(12,2) NOT NULL DEFAULT 0,
    spent_amount numeric(12,2) NOT NULL DEFAULT 0,
    color text DEFAULT '#8B5CF6',
    created_at timestamptz DEFAULT now(),
    updated_at timestamptz DEFAULT now()
);
ALTER TABLE public.budget_categories ENABLE ROW LEVEL SECURITY;
CREATE POLICY "Users can manage their own budget categories" ON public.budget_categories
    FOR ALL USING (auth.uid() = user_id);

-- ------------------------------------------------------------------ budget_summary (view)
-- types.ts 10946-10954 (Views): budget_id, name, total_budget, total_remaining,
-- total_spent, user_id. migrations: 20250618044433-5ca4535f-....sql (the
-- definition: budgets LEFT JOIN budget_categories on user_id, filtered on
-- auth.uid(); column order user_id, budget_id, name, total_budget, total_spent,
-- total_remaining).
CREATE VIEW public.budget_summary AS
SELECT b.user_id,
       b.id AS budget_id,
       b.name,
       COALESCE(sum(bc.budgeted_amount), 0) AS total_budget,
       COALESCE(sum(bc.spent_amount), 0) AS total_spent,
       COALESCE(sum(bc.budgeted_amount), 0) - COALESCE(sum(bc.spent_amount), 0) AS total_remaining
  FROM public.budgets b
  LEFT JOIN public.budget_categories bc ON b.user_id = bc.user_id
 WHERE b.user_id = auth.uid()
 GROUP BY b.user_id, b.id, b.name;

-- ------------------------------------------------------------------ income_entries
-- types.ts 3597-3607: id string (uuid), date optional on Insert, type nullable.
-- migrations: 20250618044433-5ca4535f-....sql (uuid, NUMERIC(12,2), date DEFAULT
-- CURRENT_DATE, type DEFAULT 'regular', policy "Users can manage their own
-- income entries" FOR ALL).
CREATE TABLE public.income_entries (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id uuid NOT NULL REFERENCES auth.users(id) ON DELETE CASCADE,
    source text NOT NULL,
    amount numeric(12,2) NOT NULL,
    date date NOT NULL DEFAULT CURRENT_DATE,
    type text DEFAULT 'regular',
    description text,
    created_at timestamptz DEFAULT now()
);
ALTER TABLE public.income_entries ENABLE ROW LEVEL SECURITY;
CREATE POLICY "Users can manage their own income entries" ON public.income_entries
    FOR ALL USING (auth.uid() = user_id);

-- ------------------------------------------------------------------ calendar_events
-- types.ts 1293-1309: all_day, color, event_type, is_private NOT NULL with
-- defaults; end_date NOT NULL; reminder_minutes number[].
-- migrations: 06_communication.sql (timestamptz dates, the defaults, trigger
-- update_calendar_events_updated_at); 20250711_clean_calendar_fix.sql (policies
-- events_select/insert/update/delete on auth.uid()::uuid = user_id);
-- 20250711212722-6d313af7-....sql (REPLICA IDENTITY FULL, added to
-- supabase_realtime).
CREATE TABLE public.calendar_events (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id uuid NOT NULL REFERENCES auth.users(id) ON DELETE CASCADE,
    title text NOT NULL,
    description text,
    start_date timestamptz NOT NULL,
    end_date timestamptz NOT NULL,
    all_day boolean NOT NULL DEFAULT false,
    event_type text NOT NULL DEFAULT 'personal',
    location_name text,
    reminder_minutes integer[],
    color text NOT NULL DEFAULT '#3b82f6',
    is_private boolean NOT NULL DEFAULT true,
    created_at timestamptz DEFAULT now(),
    updated_at timestamptz DEFAULT now()
);
CREATE INDEX idx_calendar_events_user_id ON public.calendar_events (user_id);
ALTER TABLE public.calendar_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.calendar_events REPLICA IDENTITY FULL;
CREATE POLICY "events_select" ON public.calendar_events
    FOR SELECT USING (auth.uid()::uuid = user_id);
CREATE POLICY "events_insert" ON public.calendar_events
    FOR INSERT WITH CHECK (auth.uid()::uuid = user_id);
CREATE POLICY "events_update" ON public.calendar_events
    FOR UPDATE USING (auth.uid()::uuid = user_id) WITH CHECK (auth.uid()::uuid = user_id);
CREATE POLICY "events_delete" ON public.calendar_events
    FOR DELETE USING (auth.uid()::uuid = user_id);
CREATE TRIGGER update_calendar_events_updated_at BEFORE UPDATE ON public.calendar_events
    FOR EACH ROW EXECUTE FUNCTION public.update_updated_at_column();

-- ------------------------------------------------------------------ social_posts
-- types.ts 7575-7590 (Relationships: [] - no FK on group_id live).
-- migrations: 20250711_fix_social_posts.sql (columns, status DEFAULT 'approved',
-- location DEFAULT 'feed', counters DEFAULT 0, FK auth.users ON DELETE CASCADE,
-- policies "Users can create posts", "Users can update their own posts", "Users
-- can delete their own posts"); 20250712_fix_social_posts_permissions.sql (the
-- final "Anyone can view approved posts": status = 'approved' OR the author,
-- and "Users can view their own posts"). 20250712_simple_post_fix.sql, last by
-- name, disables RLS "for testing"; we keep RLS on: the reading rule the app
-- relies on (anon sees approved posts) is the same, and the reduction keeps the
-- policies a central installer has to live with.
CREATE TABLE public.social_posts (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id uuid NOT NULL REFERENCES auth.users(id) ON DELETE CASCADE,
    content text NOT NULL,
    image_url text,
    video_url text,
    status text DEFAULT 'approved' CHECK (status IN ('pending', 'approved', 'rejected', 'hidden')),
    location text DEFAULT 'feed' CHECK (location IN ('feed', 'group', 'profile')),
    group_id uuid,
    upvotes integer DEFAULT 0,
    downvotes integer DEFAULT 0,
    comments_count integer DEFAULT 0,
    comment_count integer DEFAULT 0,
    created_at timestamptz DEFAULT now()
);
CREATE INDEX idx_social_posts_user_id ON public.social_posts (user_id);
CREATE INDEX idx_social_posts_status ON public.social_posts (status);
ALTER TABLE public.social_posts ENABLE ROW LEVEL SECURITY;
CREATE POLICY "Anyone can view approved posts" ON public.social_posts
    FOR SELECT USING (status = 'approved' OR (auth.uid() IS NOT NULL AND auth.uid()::uuid = user_id));
CREATE POLICY "Users can view their own posts" ON public.social_posts
    FOR SELECT USING (auth.uid() IS NOT NULL AND auth.uid()::uuid = user_id);
CREATE POLICY "Users can create posts" ON public.social_posts
    FOR INSERT WITH CHECK (auth.uid()::uuid = user_id);
CREATE POLICY "Users can update their own posts" ON public.social_posts
    FOR UPDATE USING (auth.uid()::uuid = user_id);
CREATE POLICY "Users can delete their own posts" ON public.social_posts
    FOR DELETE USING (auth.uid()::uuid = user_id);

-- ------------------------------------------------------------------ pam_analytics_logs
-- types.ts 4977-5008: id number (bigint), everything else nullable, user_id
-- included. migrations: 20250112000000-create-analytics-tables.sql (FK
-- auth.users ON DELETE CASCADE, timestamp DEFAULT now(), success DEFAULT true,
-- policies "Users can view their own analytics logs" and "Service role can
-- insert analytics logs" WITH CHECK (true) - no TO clause, so any role may
-- insert); the admin policy of 20250711100650 was dropped by 20250718044754.
CREATE TABLE public.pam_analytics_logs (
    id bigserial PRIMARY KEY,
    user_id uuid REFERENCES auth.users(id) ON DELETE CASCADE,
    session_id text,
    log_id text,
    trace_id text,
    log_level text,
    event_type text,
    event_data jsonb,
    intent text,
    message text,
    message_preview text,
    workflow_name text,
    confidence numeric,
    confidence_level text,
    response_time_ms integer,
    api_calls_count integer,
    success boolean DEFAULT true,
    has_error boolean,
    error_type text,
    error_message text,
    validation_passed boolean,
    voice_enabled boolean,
    day_of_week integer,
    hour_of_day integer,
    is_weekend boolean,
    metadata jsonb,
    raw_context jsonb,
    "timestamp" timestamptz DEFAULT now(),
    created_at timestamptz DEFAULT now()
);
CREATE INDEX idx_pam_analytics_logs_user_id ON public.pam_analytics_logs (user_id);
ALTER TABLE public.pam_analytics_logs ENABLE ROW LEVEL SECURITY;
CREATE POLICY "Users can view their own analytics logs" ON public.pam_analytics_logs
    FOR SELECT USING (auth.uid() = user_id);
CREATE POLICY "Service role can insert analytics logs" ON public.pam_analytics_logs
    FOR INSERT WITH CHECK (true);

-- ------------------------------------------------------------------ realtime
-- 20250711212722-6d313af7-....sql adds calendar_events; the app subscribes to
-- postgres_changes on expenses (src/services/dataPipeline/financialDataPipeline.ts),
-- which only delivers when expenses is published.
ALTER PUBLICATION supabase_realtime ADD TABLE public.calendar_events, public.expenses;
