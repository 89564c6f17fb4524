-- Code generated from package schema by TestMigrationMatchesSchema -update. DO NOT EDIT.

-- profiles: One row per user, keyed by the user id: identity, onboarding answers, vehicle summary and preferences.
CREATE TABLE IF NOT EXISTS "profiles" (
  "id" TEXT NOT NULL CHECK (length("id") = 36) PRIMARY KEY,
  "email" TEXT,
  "full_name" TEXT,
  "nickname" TEXT,
  "role" TEXT,
  "status" TEXT,
  "region" TEXT,
  "language" TEXT DEFAULT 'en' CHECK ("language" = 'en' OR "language" = 'es' OR "language" = 'fr' OR "language" = 'de' OR "language" = 'pt' OR "language" = 'it'),
  "profile_image_url" TEXT,
  "partner_name" TEXT,
  "partner_email" TEXT,
  "partner_profile_image_url" TEXT,
  "vehicle_type" TEXT,
  "vehicle_make_model" TEXT,
  "fuel_type" TEXT,
  "towing" TEXT,
  "second_vehicle" TEXT,
  "max_driving" TEXT,
  "camp_types" TEXT,
  "accessibility" TEXT,
  "pets" TEXT,
  "budget_range" TEXT,
  "travel_style" TEXT CHECK (json_type("travel_style") = 'array'),
  "interests" TEXT CHECK (json_type("interests") = 'array'),
  "accessibility_needs" TEXT CHECK (json_type("accessibility_needs") = 'array'),
  "travel_radius_miles" INTEGER,
  "current_latitude" REAL,
  "current_longitude" REAL,
  "destination_latitude" REAL,
  "destination_longitude" REAL,
  "preferences" TEXT CHECK (json_valid("preferences")),
  "content_preferences" TEXT CHECK (json_valid("content_preferences")),
  "emergency_contact" TEXT CHECK (json_valid("emergency_contact")),
  "medical_info" TEXT CHECK (json_valid("medical_info")),
  "gender_identity" TEXT,
  "gender_custom" TEXT,
  "pronouns" TEXT,
  "pronouns_custom" TEXT,
  "trial_end_date" TEXT,
  "trial_notification_sent" INTEGER CHECK ("trial_notification_sent" IN (0, 1)),
  "subscription_cancelled" INTEGER CHECK ("subscription_cancelled" IN (0, 1)),
  "cancellation_token" TEXT,
  "last_active" TEXT,
  "units" TEXT NOT NULL DEFAULT 'metric' CHECK ("units" IN ('metric', 'us')),
  "currency" TEXT NOT NULL DEFAULT 'USD',
  "timezone" TEXT,
  "created_at" TEXT NOT NULL,
  "updated_at" TEXT NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS "profiles_language_idx" ON "profiles" ("language");
CREATE INDEX IF NOT EXISTS "profiles_last_active_idx" ON "profiles" ("last_active" DESC);

-- admin_users: Administrator and moderator accounts; written centrally, a user pulls only their own row.
CREATE TABLE IF NOT EXISTS "admin_users" (
  "id" TEXT NOT NULL CHECK (length("id") = 36) PRIMARY KEY,
  "user_id" TEXT NOT NULL CHECK (length("user_id") = 36),
  "email" TEXT NOT NULL,
  "role" TEXT NOT NULL DEFAULT 'user' CHECK ("role" = 'admin' OR "role" = 'moderator' OR "role" = 'user'),
  "status" TEXT NOT NULL DEFAULT 'active' CHECK ("status" = 'active' OR "status" = 'inactive' OR "status" = 'suspended'),
  "permissions" TEXT DEFAULT '{}' CHECK (json_valid("permissions")),
  "region" TEXT,
  "last_login" TEXT,
  "created_at" TEXT NOT NULL,
  "updated_at" TEXT NOT NULL
) STRICT;
CREATE UNIQUE INDEX IF NOT EXISTS "admin_users_user_id_key" ON "admin_users" ("user_id");
CREATE INDEX IF NOT EXISTS "admin_users_email_idx" ON "admin_users" ("email");
CREATE INDEX IF NOT EXISTS "admin_users_role_status_idx" ON "admin_users" ("role", "status");

-- user_active_sessions: Login sessions of this device; never leaves the device.
CREATE TABLE IF NOT EXISTS "user_active_sessions" (
  "id" TEXT NOT NULL CHECK (length("id") = 36) PRIMARY KEY,
  "user_id" TEXT NOT NULL CHECK (length("user_id") = 36),
  "session_id" TEXT NOT NULL,
  "device_info" TEXT CHECK (json_valid("device_info")),
  "location_info" TEXT CHECK (json_valid("location_info")),
  "ip_address" TEXT,
  "user_agent" TEXT,
  "is_current" INTEGER DEFAULT 0 CHECK ("is_current" IN (0, 1)),
  "last_activity" TEXT,
  "expires_at" TEXT,
  "created_at" TEXT NOT NULL,
  "updated_at" TEXT NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS "user_active_sessions_user_id_idx" ON "user_active_sessions" ("user_id");
CREATE INDEX IF NOT EXISTS "user_active_sessions_session_id_idx" ON "user_active_sessions" ("session_id");
CREATE INDEX IF NOT EXISTS "user_active_sessions_expires_at_idx" ON "user_active_sessions" ("expires_at");

-- pam_analytics_logs: Append-only log of assistant events: intents, latency, confidence, errors.
CREATE TABLE IF NOT EXISTS "pam_analytics_logs" (
  "id" TEXT NOT NULL CHECK (length("id") = 36) PRIMARY KEY,
  "user_id" TEXT NOT NULL CHECK (length("user_id") = 36),
  "session_id" TEXT,
  "log_id" TEXT,
  "trace_id" TEXT,
  "event_type" TEXT,
  "intent" TEXT,
  "workflow_name" TEXT,
  "log_level" TEXT,
  "message" TEXT,
  "message_preview" TEXT,
  "event_data" TEXT DEFAULT '{}' CHECK (json_valid("event_data")),
  "metadata" TEXT CHECK (json_valid("metadata")),
  "raw_context" TEXT CHECK (json_valid("raw_context")),
  "response_time_ms" INTEGER,
  "api_calls_count" INTEGER,
  "confidence" REAL,
  "confidence_level" TEXT,
  "success" INTEGER DEFAULT 1 CHECK ("success" IN (0, 1)),
  "has_error" INTEGER CHECK ("has_error" IN (0, 1)),
  "validation_passed" INTEGER CHECK ("validation_passed" IN (0, 1)),
  "voice_enabled" INTEGER CHECK ("voice_enabled" IN (0, 1)),
  "is_weekend" INTEGER CHECK ("is_weekend" IN (0, 1)),
  "error_type" TEXT,
  "error_message" TEXT,
  "hour_of_day" INTEGER,
  "day_of_week" INTEGER,
  "timestamp" TEXT,
  "created_at" TEXT NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS "pam_analytics_logs_user_id_idx" ON "pam_analytics_logs" ("user_id");
CREATE INDEX IF NOT EXISTS "pam_analytics_logs_timestamp_idx" ON "pam_analytics_logs" ("timestamp" DESC);
CREATE INDEX IF NOT EXISTS "pam_analytics_logs_event_type_idx" ON "pam_analytics_logs" ("event_type");
CREATE INDEX IF NOT EXISTS "pam_analytics_logs_session_id_idx" ON "pam_analytics_logs" ("session_id");
CREATE INDEX IF NOT EXISTS "pam_analytics_logs_user_id_event_type_idx" ON "pam_analytics_logs" ("user_id", "event_type");

-- pam_conversation_memory: Append-only turn-by-turn memory of conversations: message, response, intent and what was learned.
CREATE TABLE IF NOT EXISTS "pam_conversation_memory" (
  "id" TEXT NOT NULL CHECK (length("id") = 36) PRIMARY KEY,
  "user_id" TEXT NOT NULL CHECK (length("user_id") = 36),
  "session_id" TEXT,
  "message_sequence" INTEGER NOT NULL,
  "user_message" TEXT,
  "pam_response" TEXT,
  "detected_intent" TEXT,
  "node_used" TEXT,
  "user_feedback" TEXT,
  "follow_up_reason" TEXT,
  "intent_confidence" REAL,
  "response_quality" REAL,
  "response_time_ms" INTEGER,
  "entities_extracted" TEXT CHECK (json_valid("entities_extracted")),
  "context_used" TEXT CHECK (json_valid("context_used")),
  "user_preferences_learned" TEXT CHECK (json_valid("user_preferences_learned")),
  "follow_up_needed" INTEGER CHECK ("follow_up_needed" IN (0, 1)),
  "message_timestamp" TEXT,
  "expires_at" TEXT,
  "created_at" TEXT NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS "pam_conversation_memory_user_id_session_id_idx" ON "pam_conversation_memory" ("user_id", "session_id");
CREATE INDEX IF NOT EXISTS "pam_conversation_memory_created_at_idx" ON "pam_conversation_memory" ("created_at" DESC);
CREATE INDEX IF NOT EXISTS "pam_conversation_memory_expires_at_idx" ON "pam_conversation_memory" ("expires_at");

-- pam_conversation_sessions: Conversation sessions: start and end, activity, topics and session context.
CREATE TABLE IF NOT EXISTS "pam_conversation_sessions" (
  "id" TEXT NOT NULL CHECK (length("id") = 36) PRIMARY KEY,
  "user_id" TEXT NOT NULL CHECK (length("user_id") = 36),
  "session_start" TEXT,
  "session_end" TEXT,
  "is_active" INTEGER CHECK ("is_active" IN (0, 1)),
  "total_messages" INTEGER,
  "intent_topics" TEXT CHECK (json_type("intent_topics") = 'array'),
  "session_context" TEXT CHECK (json_valid("session_context")),
  "created_at" TEXT NOT NULL,
  "updated_at" TEXT NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS "pam_conversation_sessions_user_id_is_active_updated_at_idx" ON "pam_conversation_sessions" ("user_id", "is_active", "updated_at" DESC);

-- pam_memory: Append-only main conversation log read by the memory node, ordered by timestamp.
CREATE TABLE IF NOT EXISTS "pam_memory" (
  "id" TEXT NOT NULL CHECK (length("id") = 36) PRIMARY KEY,
  "user_id" TEXT NOT NULL CHECK (length("user_id") = 36),
  "session_id" TEXT,
  "trace_id" TEXT,
  "content" TEXT NOT NULL,
  "message" TEXT,
  "original_message" TEXT,
  "response" TEXT,
  "subflow_response" TEXT,
  "intent" TEXT,
  "intent_confidence" TEXT,
  "response_quality" TEXT,
  "response_source" TEXT,
  "context" TEXT CHECK (json_valid("context")),
  "metadata" TEXT CHECK (json_valid("metadata")),
  "request_metadata" TEXT CHECK (json_valid("request_metadata")),
  "error" TEXT CHECK (json_valid("error")),
  "error_details" TEXT CHECK (json_valid("error_details")),
  "error_summary" TEXT CHECK (json_valid("error_summary")),
  "is_fallback" INTEGER CHECK ("is_fallback" IN (0, 1)),
  "validation_passed" INTEGER CHECK ("validation_passed" IN (0, 1)),
  "voice_enabled" INTEGER CHECK ("voice_enabled" IN (0, 1)),
  "timestamp" TEXT,
  "created_at" TEXT NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS "pam_memory_user_id_session_id_timestamp_idx" ON "pam_memory" ("user_id", "session_id", "timestamp" DESC);

-- pam_user_context: What the assistant knows about a user, one row per (user, context type).
CREATE TABLE IF NOT EXISTS "pam_user_context" (
  "id" TEXT NOT NULL CHECK (length("id") = 36) PRIMARY KEY,
  "user_id" TEXT NOT NULL CHECK (length("user_id") = 36),
  "context_type" TEXT NOT NULL DEFAULT 'general',
  "context_data" TEXT NOT NULL DEFAULT '{}' CHECK (json_valid("context_data")),
  "travel_preferences" TEXT CHECK (json_valid("travel_preferences")),
  "vehicle_info" TEXT CHECK (json_valid("vehicle_info")),
  "learned_preferences" TEXT CHECK (json_valid("learned_preferences")),
  "interaction_patterns" TEXT CHECK (json_valid("interaction_patterns")),
  "current_location" TEXT CHECK (json_valid("current_location")),
  "active_trip_id" TEXT CHECK (length("active_trip_id") = 36),
  "current_session_id" TEXT,
  "conversation_mood" TEXT,
  "preferred_response_style" TEXT,
  "recent_intents" TEXT CHECK (json_type("recent_intents") = 'array'),
  "last_interaction" TEXT,
  "last_updated" TEXT,
  "expires_at" TEXT,
  "created_at" TEXT NOT NULL,
  "updated_at" TEXT NOT NULL
) STRICT;
CREATE UNIQUE INDEX IF NOT EXISTS "pam_user_context_user_id_context_type_key" ON "pam_user_context" ("user_id", "context_type");
CREATE INDEX IF NOT EXISTS "pam_user_context_last_updated_idx" ON "pam_user_context" ("last_updated" DESC);
CREATE INDEX IF NOT EXISTS "pam_user_context_current_session_id_idx" ON "pam_user_context" ("current_session_id");

-- pam_learning_events: Append-only corrections and preference changes the assistant learns from.
CREATE TABLE IF NOT EXISTS "pam_learning_events" (
  "id" TEXT NOT NULL CHECK (length("id") = 36) PRIMARY KEY,
  "user_id" TEXT NOT NULL CHECK (length("user_id") = 36),
  "session_id" TEXT,
  "event_type" TEXT NOT NULL,
  "original_response" TEXT,
  "corrected_response" TEXT,
  "related_intent" TEXT,
  "confidence_impact" REAL,
  "context_data" TEXT CHECK (json_valid("context_data")),
  "user_preference_change" TEXT CHECK (json_valid("user_preference_change")),
  "created_at" TEXT NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS "pam_learning_events_session_id_idx" ON "pam_learning_events" ("session_id");

-- pam_feedback: Append-only user feedback on assistant answers: thumbs and 1-5 ratings.
CREATE TABLE IF NOT EXISTS "pam_feedback" (
  "id" TEXT NOT NULL CHECK (length("id") = 36) PRIMARY KEY,
  "user_id" TEXT NOT NULL CHECK (length("user_id") = 36),
  "message_id" TEXT,
  "chat_input" TEXT,
  "feedback" TEXT,
  "intent" TEXT,
  "timestamp" TEXT,
  "thumbs_up" INTEGER CHECK ("thumbs_up" IN (0, 1)),
  "rating" INTEGER CHECK ("rating" >= 1) CHECK ("rating" <= 5),
  "created_at" TEXT NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS "pam_feedback_user_id_idx" ON "pam_feedback" ("user_id");
CREATE INDEX IF NOT EXISTS "pam_feedback_message_id_idx" ON "pam_feedback" ("message_id");
CREATE INDEX IF NOT EXISTS "pam_feedback_created_at_idx" ON "pam_feedback" ("created_at" DESC);

-- expenses: Money spent, by category and date.
CREATE TABLE IF NOT EXISTS "expenses" (
  "id" TEXT NOT NULL CHECK (length("id") = 36) PRIMARY KEY,
  "user_id" TEXT NOT NULL CHECK (length("user_id") = 36),
  "amount" INTEGER NOT NULL CHECK ("amount" >= 0),
  "category" TEXT NOT NULL,
  "date" TEXT NOT NULL CHECK (date("date") IS "date"),
  "description" TEXT,
  "expense_date" TEXT CHECK (date("expense_date") IS "expense_date"),
  "created_at" TEXT NOT NULL,
  "updated_at" TEXT NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS "expenses_user_id_date_idx" ON "expenses" ("user_id", "date" DESC);
CREATE INDEX IF NOT EXISTS "expenses_user_id_category_date_idx" ON "expenses" ("user_id", "category", "date" DESC);
CREATE INDEX IF NOT EXISTS "expenses_category_idx" ON "expenses" ("category");

-- budgets: Budgets per category over a date range.
CREATE TABLE IF NOT EXISTS "budgets" (
  "id" TEXT NOT NULL CHECK (length("id") = 36) PRIMARY KEY,
  "user_id" TEXT NOT NULL CHECK (length("user_id") = 36),
  "category" TEXT NOT NULL,
  "name" TEXT DEFAULT 'Monthly Budget',
  "budgeted_amount" INTEGER NOT NULL,
  "monthly_limit" INTEGER NOT NULL DEFAULT 0 CHECK ("monthly_limit" >= 0),
  "alert_threshold" INTEGER DEFAULT 8000 CHECK ("alert_threshold" >= 0) CHECK ("alert_threshold" <= 10000),
  "start_date" TEXT NOT NULL CHECK (date("start_date") IS "start_date"),
  "end_date" TEXT NOT NULL CHECK (date("end_date") IS "end_date"),
  "created_at" TEXT NOT NULL,
  "updated_at" TEXT NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS "budgets_user_id_idx" ON "budgets" ("user_id");
CREATE INDEX IF NOT EXISTS "budgets_category_idx" ON "budgets" ("category");
CREATE INDEX IF NOT EXISTS "budgets_user_id_start_date_idx" ON "budgets" ("user_id", "start_date" DESC);

-- budget_categories: User-defined budget categories with budgeted and spent amounts and a display colour.
CREATE TABLE IF NOT EXISTS "budget_categories" (
  "id" TEXT NOT NULL CHECK (length("id") = 36) PRIMARY KEY,
  "user_id" TEXT NOT NULL CHECK (length("user_id") = 36),
  "name" TEXT NOT NULL,
  "budgeted_amount" INTEGER NOT NULL DEFAULT 0,
  "spent_amount" INTEGER NOT NULL DEFAULT 0,
  "color" TEXT DEFAULT '#8B5CF6',
  "created_at" TEXT NOT NULL,
  "updated_at" TEXT NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS "budget_categories_user_id_idx" ON "budget_categories" ("user_id");

-- income_entries: Money earned, by source and date (hustle ROI matches source to a hustle title).
CREATE TABLE IF NOT EXISTS "income_entries" (
  "id" TEXT NOT NULL CHECK (length("id") = 36) PRIMARY KEY,
  "user_id" TEXT NOT NULL CHECK (length("user_id") = 36),
  "source" TEXT NOT NULL,
  "amount" INTEGER NOT NULL CHECK ("amount" >= 0),
  "date" TEXT NOT NULL CHECK (date("date") IS "date"),
  "type" TEXT DEFAULT 'regular',
  "description" TEXT,
  "created_at" TEXT NOT NULL,
  "updated_at" TEXT NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS "income_entries_user_id_idx" ON "income_entries" ("user_id");
CREATE INDEX IF NOT EXISTS "income_entries_user_id_date_idx" ON "income_entries" ("user_id", "date" DESC);
CREATE INDEX IF NOT EXISTS "income_entries_type_idx" ON "income_entries" ("type");

-- maintenance_records: Vehicle maintenance done or scheduled (a future date is scheduled), with mileage in km.
CREATE TABLE IF NOT EXISTS "maintenance_records" (
  "id" TEXT NOT NULL CHECK (length("id") = 36) PRIMARY KEY,
  "user_id" TEXT NOT NULL CHECK (length("user_id") = 36),
  "vehicle_id" TEXT CHECK (length("vehicle_id") = 36),
  "task" TEXT NOT NULL,
  "date" TEXT NOT NULL CHECK (date("date") IS "date"),
  "mileage" INTEGER NOT NULL,
  "cost" INTEGER,
  "next_due_date" TEXT CHECK (date("next_due_date") IS "next_due_date"),
  "next_due_mileage" INTEGER,
  "status" TEXT CHECK ("status" = 'completed' OR "status" = 'overdue' OR "status" = 'upcoming' OR "status" = 'scheduled'),
  "notes" TEXT,
  "receipt_photo_url" TEXT,
  "created_at" TEXT NOT NULL,
  "updated_at" TEXT NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS "maintenance_records_user_id_date_idx" ON "maintenance_records" ("user_id", "date" DESC);

-- fuel_log: Fuel fill-ups, stored metric: litres, price per litre, odometer km, L/100km.
CREATE TABLE IF NOT EXISTS "fuel_log" (
  "id" TEXT NOT NULL CHECK (length("id") = 36) PRIMARY KEY,
  "user_id" TEXT NOT NULL CHECK (length("user_id") = 36),
  "vehicle_id" TEXT CHECK (length("vehicle_id") = 36),
  "date" TEXT NOT NULL CHECK (date("date") IS "date"),
  "volume" REAL,
  "price" INTEGER,
  "total" INTEGER,
  "odometer" REAL,
  "consumption" REAL,
  "filled_to_top" INTEGER DEFAULT 1 CHECK ("filled_to_top" IN (0, 1)),
  "location" TEXT,
  "region" TEXT,
  "notes" TEXT,
  "receipt_url" TEXT,
  "receipt_photo_url" TEXT,
  "receipt_metadata" TEXT CHECK (json_valid("receipt_metadata")),
  "created_at" TEXT NOT NULL,
  "updated_at" TEXT NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS "fuel_log_user_id_date_idx" ON "fuel_log" ("user_id", "date" DESC);
CREATE INDEX IF NOT EXISTS "fuel_log_user_id_idx" ON "fuel_log" ("user_id");

-- fuel_stations: Shared directory of fuel stations with prices per litre; reference data, read-only at the edge.
CREATE TABLE IF NOT EXISTS "fuel_stations" (
  "id" TEXT NOT NULL CHECK (length("id") = 36) PRIMARY KEY,
  "station_name" TEXT NOT NULL,
  "address" TEXT NOT NULL,
  "latitude" REAL NOT NULL CHECK ("latitude" >= -90) CHECK ("latitude" <= 90),
  "longitude" REAL NOT NULL CHECK ("longitude" >= -180) CHECK ("longitude" <= 180),
  "brand" TEXT,
  "regular_price" INTEGER,
  "premium_price" INTEGER,
  "diesel_price" INTEGER,
  "rv_friendly" INTEGER CHECK ("rv_friendly" IN (0, 1)),
  "amenities" TEXT CHECK (json_valid("amenities")),
  "user_ratings" REAL,
  "last_updated" TEXT,
  "created_at" TEXT NOT NULL,
  "updated_at" TEXT NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS "fuel_stations_latitude_longitude_idx" ON "fuel_stations" ("latitude", "longitude");

-- local_events: Shared directory of local events, read by bounding box and date; reference data.
CREATE TABLE IF NOT EXISTS "local_events" (
  "id" TEXT NOT NULL CHECK (length("id") = 36) PRIMARY KEY,
  "event_name" TEXT NOT NULL,
  "event_type" TEXT,
  "description" TEXT,
  "venue_name" TEXT,
  "address" TEXT,
  "latitude" REAL,
  "longitude" REAL,
  "start_date" TEXT NOT NULL CHECK (date("start_date") IS "start_date"),
  "end_date" TEXT CHECK (date("end_date") IS "end_date"),
  "start_time" TEXT,
  "end_time" TEXT,
  "is_free" INTEGER CHECK ("is_free" IN (0, 1)),
  "registration_required" INTEGER CHECK ("registration_required" IN (0, 1)),
  "weather_dependent" INTEGER CHECK ("weather_dependent" IN (0, 1)),
  "ticket_price" INTEGER,
  "registration_link" TEXT,
  "target_audience" TEXT CHECK (json_valid("target_audience")),
  "created_at" TEXT NOT NULL,
  "updated_at" TEXT NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS "local_events_start_date_idx" ON "local_events" ("start_date");
CREATE INDEX IF NOT EXISTS "local_events_latitude_longitude_idx" ON "local_events" ("latitude", "longitude");

-- camping_locations: Shared directory of campgrounds and boondocking sites; reference data.
CREATE TABLE IF NOT EXISTS "camping_locations" (
  "id" TEXT NOT NULL CHECK (length("id") = 36) PRIMARY KEY,
  "name" TEXT NOT NULL,
  "type" TEXT NOT NULL,
  "latitude" REAL NOT NULL CHECK ("latitude" >= -90) CHECK ("latitude" <= 90),
  "longitude" REAL NOT NULL CHECK ("longitude" >= -180) CHECK ("longitude" <= 180),
  "address" TEXT,
  "reservation_link" TEXT,
  "source_url" TEXT,
  "reviews_summary" TEXT,
  "crowd_level" TEXT,
  "amenities" TEXT CHECK (json_valid("amenities")),
  "hookups" TEXT CHECK (json_valid("hookups")),
  "seasonal_info" TEXT CHECK (json_valid("seasonal_info")),
  "availability_calendar" TEXT CHECK (json_valid("availability_calendar")),
  "alternative_sites" TEXT CHECK (json_valid("alternative_sites")),
  "is_free" INTEGER CHECK ("is_free" IN (0, 1)),
  "reservation_required" INTEGER CHECK ("reservation_required" IN (0, 1)),
  "price_per_night" INTEGER,
  "user_ratings" REAL,
  "max_rig_length" INTEGER,
  "last_crowd_update" TEXT,
  "last_scraped" TEXT,
  "created_at" TEXT NOT NULL,
  "updated_at" TEXT NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS "camping_locations_latitude_longitude_idx" ON "camping_locations" ("latitude", "longitude");
CREATE INDEX IF NOT EXISTS "camping_locations_is_free_idx" ON "camping_locations" ("is_free");

-- calendar_events: The user's calendar: personal events, trips (event_type trip), maintenance and reminders.
CREATE TABLE IF NOT EXISTS "calendar_events" (
  "id" TEXT NOT NULL CHECK (length("id") = 36) PRIMARY KEY,
  "user_id" TEXT NOT NULL CHECK (length("user_id") = 36),
  "title" TEXT NOT NULL,
  "description" TEXT,
  "location_name" TEXT,
  "start_date" TEXT NOT NULL,
  "end_date" TEXT NOT NULL,
  "all_day" INTEGER NOT NULL DEFAULT 0 CHECK ("all_day" IN (0, 1)),
  "event_type" TEXT NOT NULL DEFAULT 'personal' CHECK ("event_type" = 'personal' OR "event_type" = 'trip' OR "event_type" = 'maintenance' OR "event_type" = 'meeting' OR "event_type" = 'reminder' OR "event_type" = 'birthday' OR "event_type" = 'holiday'),
  "reminder_minutes" TEXT DEFAULT '[15]' CHECK (json_type("reminder_minutes") = 'array'),
  "color" TEXT NOT NULL DEFAULT '#3b82f6',
  "is_private" INTEGER NOT NULL DEFAULT 1 CHECK ("is_private" IN (0, 1)),
  "created_at" TEXT NOT NULL,
  "updated_at" TEXT NOT NULL,
  CHECK ("end_date" >= "start_date")
) STRICT;
CREATE INDEX IF NOT EXISTS "calendar_events_user_id_idx" ON "calendar_events" ("user_id");
CREATE INDEX IF NOT EXISTS "calendar_events_start_date_idx" ON "calendar_events" ("start_date");
CREATE INDEX IF NOT EXISTS "calendar_events_end_date_idx" ON "calendar_events" ("end_date");
CREATE INDEX IF NOT EXISTS "calendar_events_user_id_start_date_idx" ON "calendar_events" ("user_id", "start_date");
CREATE INDEX IF NOT EXISTS "calendar_events_user_id_event_type_idx" ON "calendar_events" ("user_id", "event_type");

-- offroad_routes: Shared directory of off-road routes anchored at a point; reference data.
CREATE TABLE IF NOT EXISTS "offroad_routes" (
  "id" TEXT NOT NULL CHECK (length("id") = 36) PRIMARY KEY,
  "route_name" TEXT NOT NULL,
  "route_description" TEXT,
  "difficulty_level" TEXT,
  "safety_notes" TEXT,
  "latitude" REAL NOT NULL CHECK ("latitude" >= -90) CHECK ("latitude" <= 90),
  "longitude" REAL NOT NULL CHECK ("longitude" >= -180) CHECK ("longitude" <= 180),
  "start_location" TEXT CHECK (json_valid("start_location")),
  "end_location" TEXT CHECK (json_valid("end_location")),
  "vehicle_requirements" TEXT CHECK (json_valid("vehicle_requirements")),
  "best_seasons" TEXT CHECK (json_valid("best_seasons")),
  "distance_miles" REAL,
  "estimated_time_hours" REAL,
  "scenic_rating" REAL,
  "created_at" TEXT NOT NULL,
  "updated_at" TEXT NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS "offroad_routes_latitude_longitude_idx" ON "offroad_routes" ("latitude", "longitude");

-- manual_waypoints: Waypoints the user placed by hand on a trip's route, in order.
CREATE TABLE IF NOT EXISTS "manual_waypoints" (
  "id" TEXT NOT NULL CHECK (length("id") = 36) PRIMARY KEY,
  "user_id" TEXT NOT NULL CHECK (length("user_id") = 36),
  "trip_id" TEXT CHECK (length("trip_id") = 36),
  "waypoint_order" INTEGER NOT NULL,
  "latitude" REAL NOT NULL CHECK ("latitude" >= -90) CHECK ("latitude" <= 90),
  "longitude" REAL NOT NULL CHECK ("longitude" >= -180) CHECK ("longitude" <= 180),
  "is_locked" INTEGER NOT NULL DEFAULT 1 CHECK ("is_locked" IN (0, 1)),
  "name" TEXT,
  "notes" TEXT,
  "created_at" TEXT NOT NULL,
  "updated_at" TEXT NOT NULL
) STRICT;
CREATE UNIQUE INDEX IF NOT EXISTS "manual_waypoints_trip_id_waypoint_order_key" ON "manual_waypoints" ("trip_id", "waypoint_order");
CREATE INDEX IF NOT EXISTS "manual_waypoints_user_id_trip_id_idx" ON "manual_waypoints" ("user_id", "trip_id");

-- youtube_hustles: Shared catalogue of side hustles tested on video, with their initial results; reference data.
CREATE TABLE IF NOT EXISTS "youtube_hustles" (
  "id" TEXT NOT NULL CHECK (length("id") = 36) PRIMARY KEY,
  "title" TEXT NOT NULL,
  "description" TEXT,
  "video_url" TEXT,
  "test_date" TEXT CHECK (date("test_date") IS "test_date"),
  "initial_results" TEXT CHECK (json_valid("initial_results")),
  "created_at" TEXT NOT NULL,
  "updated_at" TEXT NOT NULL
) STRICT;

-- hustle_ideas: Side-hustle ideas: the user's own submissions plus the seeded public catalogue (no owner).
CREATE TABLE IF NOT EXISTS "hustle_ideas" (
  "id" TEXT NOT NULL CHECK (length("id") = 36) PRIMARY KEY,
  "user_id" TEXT CHECK (length("user_id") = 36),
  "title" TEXT NOT NULL,
  "description" TEXT,
  "image" TEXT,
  "avg_earnings" INTEGER DEFAULT 0,
  "rating" REAL DEFAULT 0 CHECK ("rating" >= 0) CHECK ("rating" <= 5),
  "likes" INTEGER DEFAULT 0,
  "trending" INTEGER DEFAULT 0 CHECK ("trending" IN (0, 1)),
  "tags" TEXT DEFAULT '[]' CHECK (json_type("tags") = 'array'),
  "status" TEXT DEFAULT 'pending' CHECK ("status" = 'pending' OR "status" = 'approved' OR "status" = 'rejected'),
  "created_at" TEXT NOT NULL,
  "updated_at" TEXT NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS "hustle_ideas_user_id_idx" ON "hustle_ideas" ("user_id");

-- user_hustle_attempts: A user's attempt at a hustle: start date, cumulative earnings and hours, status.
CREATE TABLE IF NOT EXISTS "user_hustle_attempts" (
  "id" TEXT NOT NULL CHECK (length("id") = 36) PRIMARY KEY,
  "user_id" TEXT NOT NULL CHECK (length("user_id") = 36),
  "hustle_id" TEXT NOT NULL CHECK (length("hustle_id") = 36),
  "start_date" TEXT NOT NULL CHECK (date("start_date") IS "start_date"),
  "earnings" INTEGER,
  "hours_spent" REAL,
  "status" TEXT,
  "notes" TEXT,
  "created_at" TEXT NOT NULL,
  "updated_at" TEXT NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS "user_hustle_attempts_user_id_hustle_id_idx" ON "user_hustle_attempts" ("user_id", "hustle_id");

-- shop_products: Shared shop catalogue maintained by admins; reference data.
CREATE TABLE IF NOT EXISTS "shop_products" (
  "id" TEXT NOT NULL CHECK (length("id") = 36) PRIMARY KEY,
  "name" TEXT NOT NULL,
  "description" TEXT,
  "category" TEXT,
  "type" TEXT,
  "image_url" TEXT,
  "external_url" TEXT,
  "price" INTEGER,
  "status" TEXT DEFAULT 'draft' CHECK ("status" = 'draft' OR "status" = 'active' OR "status" = 'inactive'),
  "inventory_count" INTEGER DEFAULT 0,
  "images" TEXT DEFAULT '[]' CHECK (json_valid("images")),
  "available_regions" TEXT CHECK (json_type("available_regions") = 'array'),
  "created_by" TEXT CHECK (length("created_by") = 36),
  "created_at" TEXT NOT NULL,
  "updated_at" TEXT NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS "shop_products_created_by_idx" ON "shop_products" ("created_by");

-- shop_orders: Orders placed by the user; created at the edge, status and payment updated centrally.
CREATE TABLE IF NOT EXISTS "shop_orders" (
  "id" TEXT NOT NULL CHECK (length("id") = 36) PRIMARY KEY,
  "user_id" TEXT NOT NULL CHECK (length("user_id") = 36),
  "user_email" TEXT,
  "total_amount" INTEGER,
  "status" TEXT DEFAULT 'pending',
  "payment_status" TEXT DEFAULT 'pending',
  "shipping_address" TEXT CHECK (json_valid("shipping_address")),
  "order_items" TEXT DEFAULT '[]' CHECK (json_valid("order_items")),
  "tracking_number" TEXT,
  "created_at" TEXT NOT NULL
) STRICT;

-- affiliate_sales: Affiliate sales credited to the user, written by payment webhooks centrally.
CREATE TABLE IF NOT EXISTS "affiliate_sales" (
  "id" TEXT NOT NULL CHECK (length("id") = 36) PRIMARY KEY,
  "user_id" TEXT NOT NULL CHECK (length("user_id") = 36),
  "product_id" TEXT NOT NULL,
  "product_name" TEXT,
  "vendor_name" TEXT,
  "payout_status" TEXT,
  "sale_amount" INTEGER NOT NULL DEFAULT 0,
  "commission_amount" INTEGER NOT NULL DEFAULT 0,
  "commission_rate" INTEGER NOT NULL DEFAULT 0,
  "sale_date" TEXT,
  "created_at" TEXT NOT NULL,
  "updated_at" TEXT NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS "affiliate_sales_user_id_idx" ON "affiliate_sales" ("user_id");
CREATE INDEX IF NOT EXISTS "affiliate_sales_user_id_sale_date_idx" ON "affiliate_sales" ("user_id", "sale_date" DESC);
CREATE INDEX IF NOT EXISTS "affiliate_sales_payout_status_idx" ON "affiliate_sales" ("payout_status");

-- social_groups: Public directory of community groups; only the owner edits a group.
CREATE TABLE IF NOT EXISTS "social_groups" (
  "id" TEXT NOT NULL CHECK (length("id") = 36) PRIMARY KEY,
  "owner_id" TEXT CHECK (length("owner_id") = 36),
  "name" TEXT NOT NULL,
  "description" TEXT,
  "location" TEXT,
  "avatar_url" TEXT,
  "cover" TEXT,
  "admin_id" TEXT CHECK (length("admin_id") = 36),
  "privacy" TEXT DEFAULT 'public' CHECK ("privacy" IN ('public', 'private')),
  "activity_level" TEXT CHECK ("activity_level" = 'active' OR "activity_level" = 'new' OR "activity_level" = 'quiet'),
  "member_count" INTEGER DEFAULT 1,
  "is_active" INTEGER CHECK ("is_active" IN (0, 1)),
  "created_at" TEXT NOT NULL,
  "updated_at" TEXT NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS "social_groups_owner_id_idx" ON "social_groups" ("owner_id");
CREATE INDEX IF NOT EXISTS "social_groups_admin_id_idx" ON "social_groups" ("admin_id");

-- group_memberships: The user's memberships in social groups, with their role.
CREATE TABLE IF NOT EXISTS "group_memberships" (
  "id" TEXT NOT NULL CHECK (length("id") = 36) PRIMARY KEY,
  "user_id" TEXT NOT NULL CHECK (length("user_id") = 36),
  "group_id" TEXT CHECK (length("group_id") = 36),
  "role" TEXT DEFAULT 'member' CHECK ("role" = 'member' OR "role" = 'moderator' OR "role" = 'admin'),
  "is_active" INTEGER DEFAULT 1 CHECK ("is_active" IN (0, 1)),
  "joined_at" TEXT,
  "created_at" TEXT NOT NULL,
  "updated_at" TEXT NOT NULL
) STRICT;
CREATE UNIQUE INDEX IF NOT EXISTS "group_memberships_group_id_user_id_key" ON "group_memberships" ("group_id", "user_id");
CREATE INDEX IF NOT EXISTS "group_memberships_user_id_idx" ON "group_memberships" ("user_id");

-- social_posts: The user's posts to the feed, a group or their profile.
CREATE TABLE IF NOT EXISTS "social_posts" (
  "id" TEXT NOT NULL CHECK (length("id") = 36) PRIMARY KEY,
  "user_id" TEXT NOT NULL CHECK (length("user_id") = 36),
  "content" TEXT NOT NULL,
  "image_url" TEXT,
  "video_url" TEXT,
  "group_id" TEXT CHECK (length("group_id") = 36),
  "location" TEXT DEFAULT 'feed' CHECK ("location" = 'feed' OR "location" = 'group' OR "location" = 'profile'),
  "status" TEXT DEFAULT 'approved' CHECK ("status" = 'pending' OR "status" = 'approved' OR "status" = 'rejected' OR "status" = 'hidden'),
  "upvotes" INTEGER DEFAULT 0,
  "downvotes" INTEGER DEFAULT 0,
  "comments_count" INTEGER DEFAULT 0,
  "comment_count" INTEGER DEFAULT 0,
  "created_at" TEXT NOT NULL,
  "updated_at" TEXT NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS "social_posts_user_id_idx" ON "social_posts" ("user_id");
CREATE INDEX IF NOT EXISTS "social_posts_created_at_idx" ON "social_posts" ("created_at" DESC);
CREATE INDEX IF NOT EXISTS "social_posts_user_id_created_at_idx" ON "social_posts" ("user_id", "created_at" DESC);
CREATE INDEX IF NOT EXISTS "social_posts_group_id_idx" ON "social_posts" ("group_id");

-- marketplace_listings: Items the user offers for sale on the community marketplace.
CREATE TABLE IF NOT EXISTS "marketplace_listings" (
  "id" TEXT NOT NULL CHECK (length("id") = 36) PRIMARY KEY,
  "user_id" TEXT NOT NULL CHECK (length("user_id") = 36),
  "title" TEXT NOT NULL,
  "description" TEXT,
  "category" TEXT,
  "condition" TEXT DEFAULT 'good',
  "status" TEXT DEFAULT 'active',
  "location" TEXT,
  "image" TEXT,
  "seller" TEXT,
  "posted" TEXT DEFAULT 'today',
  "price" INTEGER,
  "photos" TEXT CHECK (json_type("photos") = 'array'),
  "is_favorite" INTEGER DEFAULT 0 CHECK ("is_favorite" IN (0, 1)),
  "created_at" TEXT NOT NULL,
  "updated_at" TEXT NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS "marketplace_listings_user_id_idx" ON "marketplace_listings" ("user_id");
CREATE INDEX IF NOT EXISTS "marketplace_listings_category_idx" ON "marketplace_listings" ("category");
CREATE INDEX IF NOT EXISTS "marketplace_listings_status_idx" ON "marketplace_listings" ("status");
CREATE INDEX IF NOT EXISTS "marketplace_listings_price_idx" ON "marketplace_listings" ("price");
CREATE INDEX IF NOT EXISTS "marketplace_listings_created_at_idx" ON "marketplace_listings" ("created_at" DESC);

-- facebook_groups: Shared directory of Facebook groups for travellers; reference data, user_id is the submitter.
CREATE TABLE IF NOT EXISTS "facebook_groups" (
  "id" TEXT NOT NULL CHECK (length("id") = 36) PRIMARY KEY,
  "user_id" TEXT CHECK (length("user_id") = 36),
  "group_name" TEXT NOT NULL,
  "group_url" TEXT,
  "group_type" TEXT,
  "description" TEXT,
  "location" TEXT,
  "activity_level" TEXT,
  "meetup_frequency" TEXT,
  "admin_contact" TEXT,
  "latitude" REAL,
  "longitude" REAL,
  "member_count" INTEGER,
  "created_at" TEXT NOT NULL,
  "updated_at" TEXT NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS "facebook_groups_user_id_idx" ON "facebook_groups" ("user_id");
CREATE INDEX IF NOT EXISTS "facebook_groups_latitude_longitude_idx" ON "facebook_groups" ("latitude", "longitude");

-- analytics_summary: Hourly and daily summaries of assistant usage, computed centrally.
CREATE TABLE IF NOT EXISTS "analytics_summary" (
  "id" TEXT NOT NULL CHECK (length("id") = 36) PRIMARY KEY,
  "period" TEXT NOT NULL DEFAULT 'daily' CHECK ("period" IN ('hourly', 'daily')),
  "data" TEXT NOT NULL DEFAULT '{}' CHECK (json_valid("data")),
  "timestamp" TEXT NOT NULL,
  "summary_type" TEXT,
  "start_date" TEXT CHECK (date("start_date") IS "start_date"),
  "end_date" TEXT CHECK (date("end_date") IS "end_date"),
  "metrics" TEXT CHECK (json_valid("metrics")),
  "generated_at" TEXT,
  "created_at" TEXT NOT NULL,
  "updated_at" TEXT NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS "analytics_summary_period_idx" ON "analytics_summary" ("period");
CREATE INDEX IF NOT EXISTS "analytics_summary_timestamp_idx" ON "analytics_summary" ("timestamp" DESC);

-- analytics_daily: One row of assistant usage metrics per day, computed centrally.
CREATE TABLE IF NOT EXISTS "analytics_daily" (
  "id" TEXT NOT NULL CHECK (length("id") = 36) PRIMARY KEY,
  "date" TEXT NOT NULL CHECK (date("date") IS "date"),
  "total_interactions" INTEGER DEFAULT 0,
  "unique_users" INTEGER DEFAULT 0,
  "avg_response_time" REAL,
  "error_rate" INTEGER,
  "popular_features" TEXT CHECK (json_valid("popular_features")),
  "user_engagement" TEXT CHECK (json_valid("user_engagement")),
  "processed_at" TEXT,
  "metrics" TEXT CHECK (json_valid("metrics")),
  "generated_at" TEXT,
  "log_count" INTEGER,
  "created_at" TEXT NOT NULL,
  "updated_at" TEXT NOT NULL
) STRICT;
CREATE UNIQUE INDEX IF NOT EXISTS "analytics_daily_date_key" ON "analytics_daily" ("date");

-- active_recommendations: Recommendations for the user (production's pam_recommendations); active means not expired and not dismissed.
CREATE TABLE IF NOT EXISTS "active_recommendations" (
  "id" TEXT NOT NULL CHECK (length("id") = 36) PRIMARY KEY,
  "user_id" TEXT NOT NULL CHECK (length("user_id") = 36),
  "recommendation_id" TEXT,
  "source_data_id" TEXT,
  "title" TEXT NOT NULL,
  "description" TEXT,
  "category" TEXT,
  "recommendation_type" TEXT,
  "priority_level" TEXT DEFAULT 'medium' CHECK ("priority_level" = 'low' OR "priority_level" = 'medium' OR "priority_level" = 'high' OR "priority_level" = 'urgent'),
  "location" TEXT,
  "latitude" REAL,
  "longitude" REAL,
  "savings_amount" INTEGER,
  "user_rating" INTEGER,
  "time_sensitive" INTEGER DEFAULT 0 CHECK ("time_sensitive" IN (0, 1)),
  "user_viewed" INTEGER DEFAULT 0 CHECK ("user_viewed" IN (0, 1)),
  "user_acted" INTEGER DEFAULT 0 CHECK ("user_acted" IN (0, 1)),
  "dismissed" INTEGER NOT NULL DEFAULT 0 CHECK ("dismissed" IN (0, 1)),
  "metadata" TEXT DEFAULT '{}' CHECK (json_valid("metadata")),
  "expires_at" TEXT,
  "created_at" TEXT NOT NULL,
  "updated_at" TEXT NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS "active_recommendations_user_id_expires_at_idx" ON "active_recommendations" ("user_id", "expires_at");
CREATE INDEX IF NOT EXISTS "active_recommendations_user_id_source_data_id_idx" ON "active_recommendations" ("user_id", "source_data_id");

-- chat_sessions: Chat sessions of the HTTP/WebSocket API, keyed by session_id.
CREATE TABLE IF NOT EXISTS "chat_sessions" (
  "id" TEXT NOT NULL CHECK (length("id") = 36) PRIMARY KEY,
  "user_id" TEXT NOT NULL CHECK (length("user_id") = 36),
  "session_id" TEXT NOT NULL CHECK (length("session_id") = 36),
  "session_type" TEXT NOT NULL DEFAULT 'conversation' CHECK ("session_type" = 'conversation' OR "session_type" = 'support' OR "session_type" = 'planning'),
  "status" TEXT NOT NULL DEFAULT 'active' CHECK ("status" = 'active' OR "status" = 'paused' OR "status" = 'ended' OR "status" = 'expired'),
  "context_data" TEXT NOT NULL DEFAULT '{}' CHECK (json_valid("context_data")),
  "metadata" TEXT NOT NULL DEFAULT '{}' CHECK (json_valid("metadata")),
  "message_count" INTEGER NOT NULL DEFAULT 0,
  "started_at" TEXT NOT NULL,
  "last_activity" TEXT NOT NULL,
  "ended_at" TEXT,
  "created_at" TEXT NOT NULL,
  "updated_at" TEXT NOT NULL
) STRICT;
CREATE UNIQUE INDEX IF NOT EXISTS "chat_sessions_session_id_key" ON "chat_sessions" ("session_id");
CREATE INDEX IF NOT EXISTS "chat_sessions_user_id_started_at_idx" ON "chat_sessions" ("user_id", "started_at" DESC);
CREATE INDEX IF NOT EXISTS "chat_sessions_status_ended_at_idx" ON "chat_sessions" ("status", "ended_at");

-- audio_cache: Synthesised speech cached by text hash; large blobs, never synced and never held in the read cache.
CREATE TABLE IF NOT EXISTS "audio_cache" (
  "id" TEXT NOT NULL CHECK (length("id") = 36) PRIMARY KEY,
  "user_id" TEXT NOT NULL CHECK (length("user_id") = 36),
  "text_hash" TEXT NOT NULL,
  "audio_base64" TEXT NOT NULL,
  "voice_settings" TEXT CHECK (json_valid("voice_settings")),
  "duration_seconds" REAL,
  "file_size" INTEGER,
  "expires_at" TEXT,
  "created_at" TEXT NOT NULL,
  "updated_at" TEXT NOT NULL
) STRICT;
CREATE UNIQUE INDEX IF NOT EXISTS "audio_cache_user_id_text_hash_key" ON "audio_cache" ("user_id", "text_hash");
CREATE INDEX IF NOT EXISTS "audio_cache_expires_at_idx" ON "audio_cache" ("expires_at");

-- budget_summary: Derived, read-only: each budget with what was spent in its category over its period, what remains and the percent used.
CREATE VIEW IF NOT EXISTS "budget_summary" AS SELECT
  s.user_id AS user_id,
  s.budget_id AS budget_id,
  s.category AS category,
  s.name AS name,
  s.budgeted_amount AS budgeted_amount,
  s.spent AS spent,
  s.budgeted_amount - s.spent AS remaining,
  CASE WHEN s.budgeted_amount > 0
    THEN round(s.spent * 100.0 / s.budgeted_amount, 2)
    ELSE NULL END AS percent_used,
  s.start_date AS start_date,
  s.end_date AS end_date,
  s.created_at AS created_at
FROM (
  SELECT
    b.user_id AS user_id,
    b.id AS budget_id,
    b.category AS category,
    b.name AS name,
    b.budgeted_amount AS budgeted_amount,
    COALESCE((
      SELECT SUM(e.amount)
      FROM expenses e
      WHERE e.user_id = b.user_id
        AND e.category = b.category
        AND e.date BETWEEN b.start_date AND b.end_date
    ), 0) AS spent,
    b.start_date AS start_date,
    b.end_date AS end_date,
    b.created_at AS created_at
  FROM budgets b
) s;
