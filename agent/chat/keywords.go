package chat

import (
	"github.com/pam-rv/pamd/llm/intent"
)

// toolKeywords lists, per tool, the words and phrases RV owners use for
// what it does (gas, diesel, fill-up, rig, gig, campsite…), which the
// registry's descriptions do not carry. They are added to the text each
// tool is embedded from, and they drive the lexical ranking used when no
// embedding model answers. Phrases are lower case; a phrase matches when
// its words appear in order.
func toolKeywords() map[string][]string {
	return map[string][]string{
		"plan_trip": {"drive", "driving", "route", "road trip", "roadtrip", "itinerary", "directions", "how far",
			"distance", "miles to", "km to", "head to", "heading to", "headed to", "going to", "go to", "from to", "via",
			"stop in", "overnight", "along the way", "leg", "map it", "map out", "plot", "course", "destination",
			"get to", "make it to", "haul", "drive time", "trip", "loop", "campsites along", "campgrounds near",
			"camp spot", "where can we camp", "rv park", "boondock", "one tank", "fuel for the trip", "gas for",
			"fuel cost", "mile trip", "km trip", "towing", "tow", "mileage from", "how many hours", "hours to", "sketch", "lay out", "next stop", "run up to", "run down to", "on the way to", "en route", "scenic", "loop around", "week-long", "somewhere to park", "overnight spot", "stay the night", "get from", "travel to", "thinking of going", "next leg"},
		"pam_log_fuel": {"filled up", "fill up", "fill-up", "filled the tank", "filled the rig", "topped off", "gassed up",
			"fueled up", "fuelled up", "fuel stop", "gallons", "gal", "litres", "liters", "diesel", "gas",
			"per gallon", "per litre", "odometer", "odo", "partial fill", "half tank", "tank full", "put in", "pump", "refuelled", "refueled", "refuel", "tanked up", "fill", "fuel fill", "at the pump", "litres of", "gallons of", "a gallon", "/gal", "per liter", "liter"},
		"log_expense": {"spent", "paid", "bought", "cost", "bucks", "dollars", "expense", "receipt", "groceries",
			"coffee", "lunch", "dinner", "breakfast", "propane", "campground fee", "campsite fee", "laundry", "laundromat",
			"tolls", "bill", "fee", "add", "record", "note", "log", "dropped", "ate", "snacks", "firewood", "shelled out", "forked out", "splurged", "picked up", "grabbed", "cost us", "nights at", "hookups", "ticket", "subscription", "rent", "storage"},
		"track_expense": {"spent", "paid", "bought", "cost", "bucks", "purchase", "charge", "track a spend",
			"insurance", "vet", "repair bill", "wifi", "phone bill", "night at", "shelled out", "charged", "nights at", "hookups", "storage", "ticket"},
		"pam_manage_fuel_stations": {"gas station", "fuel station", "truck stop", "pump", "nearest", "closest",
			"cheapest diesel", "cheapest gas", "near me", "nearby", "close by", "around here", "where do i fill",
			"fill up where", "rv friendly", "big rig", "fit a", "within", "empty", "station", "stations", "fuel nearby", "rv lanes", "diesel lanes", "on fumes", "low on fuel", "running low", "where to fuel", "side of town"},
		"fetch_summary": {"this month", "last month", "spending", "spend", "total", "expenses", "income", "net",
			"summary", "breakdown", "by category", "cash flow", "money going", "how much did we", "how much have i",
			"so far", "damage", "outgoings", "money out", "money in", "all in", "what've we spent", "year to date", "ytd", "spent on", "bills"},
		"pam_analyze_spending_patterns": {"trend", "trends", "pattern", "seasonal", "which month", "the most",
			"per month", "over the year", "travel days", "parked", "at this rate", "end up", "month end",
			"more than last year", "more than usual", "compare", "normal", "creeping up", "going up", "month over month", "rising", "over time", "habits", "usual"},
		"suggest_budget_adjustment": {"budget", "over budget", "under budget", "raise", "lower", "too high",
			"too much budgeted", "enough", "budget left", "left", "remaining", "adjust", "blowing", "cut", "allowance", "cut back", "spending limit", "limit", "left for", "way off"},
		"pam_get_user_360_view": {"overview", "everything", "overall", "big picture", "how are we doing",
			"health score", "mpg", "miles per gallon", "fuel economy", "l/100km", "economy", "consumption",
			"drinking", "burning", "afford", "per km", "per mile", "finances", "fuel mileage", "mileage", "gas mileage", "thirsty", "guzzling", "litres per 100", "l/100", "per 100", "efficiency", "snapshot"},
		"pam_correlate_trip_expenses": {"trip cost", "trips cost", "set us back", "priciest", "most expensive trip",
			"per day", "on the road", "daily", "while travelling", "while traveling", "our trips", "last trip",
			"compare", "consumption", "burned through", "burned the most", "cost the most", "trip spend", "per day in"},
		"pam_get_maintenance_schedule": {"maintenance", "service", "serviced", "due", "next", "oil change",
			"tire rotation", "brakes", "generator", "overdue", "upcoming", "schedule", "when did we last",
			"inspection", "forgot", "coming up", "checkup", "check-up", "tune-up", "inspected", "inspection", "when should", "overdue stuff"},
		"pam_predict_maintenance_costs": {"maintenance cost", "forecast", "repairs", "repair costs", "upkeep",
			"going forward", "next 6 months", "next year", "next quarter", "expected", "service bills", "predict", "running cost", "running costs", "keeping", "ballpark", "service costs", "maintenance budget", "upkeep costs", "cost to maintain", "this year", "next summer"},
		"pam_log_maintenance": {"had the", "changed", "oil changed", "replaced", "repaired", "repair", "mechanic",
			"new brakes", "new tires", "rotated", "resealed", "lubed", "repacked", "fixed", "installed", "serviced",
			"shop bill", "work done", "flush", "filter", "swapped", "swap", "put on new", "got a new", "diagnostic", "tune-up", "looked at", "batteries", "alternator", "balanced", "aligned", "winterized", "dewinterized"},
		"estimate_monthly_income": {"monthly income", "bring in", "per month", "monthly", "projected income",
			"earnings", "how much do we make", "side gig", "hustles", "all in", "take home", "bring home", "revenue", "income"},
		"pam_analyze_hustle_roi": {"worth it", "worth the time", "pays best", "per hour", "hourly", "roi",
			"profit", "making money", "biz", "business", "gig", "hustle", "side hustle", "workamping", "etsy", "side job", "makes the most", "paying off", "pay off", "worth", "for the hours"},
		"add_idea": {"idea", "new gig", "side gig idea", "jot down", "could sell", "sell", "new one for the list",
			"maybe", "side thing", "thinking about", "could start", "start a", "note that down", "write down", "business idea", "what if i"},
		"list_active_ideas": {"my ideas", "ideas", "gigs", "considering", "hustle ideas", "money making",
			"show me all my ideas", "list", "still open", "ideas i saved", "saved ideas", "open ideas"},
		"suggest_groups": {"groups", "group", "join", "community", "club", "clubs", "members", "full-timers",
			"full timers", "boondockers", "people like us", "communities", "meetup", "meet up", "other rvers", "owners club", "forum", "network", "like-minded", "solo"},
		"post_update": {"post", "share", "tell everyone", "tell the group", "let everyone know", "announce",
			"feed", "update that", "let folks know", "tell everybody", "put up a post", "post saying", "let people know", "update everyone", "share that"},
		"record_user_feedback": {"thumbs up", "thumbs down", "great", "wrong", "helpful", "not helpful",
			"rate", "rating", "out of 5", "answer was", "reply", "👍", "👎", "nope", "not right", "incorrect", "that's wrong", "loved that", "nice answer", "good answer", "bad answer", "useless", "perfect", "that helped", "spot on"},
		"suggest_affiliate_product": {"buy", "gear", "product", "accessory", "recommend", "shop", "equipment",
			"upgrade", "stuff", "pick up", "class a", "class c", "fifth wheel", "trailer", "something useful", "what should we get", "should i get", "worth buying", "must-have", "gadget", "class b"},
		"pam_generate_intelligent_recommendations": {"tips", "advice", "recommendations", "save money",
			"what should i do", "improve", "suggestions", "cut", "health score", "tough month", "stretch", "lower our", "save", "cheaper", "spend less", "cut costs", "frugal"},
		"pam_optimize_user_experience": {"action plan", "priorities", "what first", "do first", "to-do", "focus",
			"next steps", "plan", "tackle first", "tackle", "to do list", "what should we do first", "priority list"},
		"pam_create_recommendation": {"remind me", "reminder", "save a recommendation", "priority",
			"high priority", "note to self"},
		"pam_generate_insights_report": {"report", "last 30 days", "30 days", "90 days", "last 90", "90 day",
			"quarter", "executive summary", "financial report", "travel report", "vehicle report", "rundown", "past 90 days", "past 30 days", "last 7 days", "7 days", "week in review", "recap"},
		"pam_check_database_health": {"database", "db", "storage", "integrity", "corrupt", "disk", "check", "healthy", "data ok", "my data", "look healthy"},
		"pam_get_database_stats": {"how many records", "records", "in total", "rows", "not synced", "synced",
			"sync", "stats"},
		"pam_count_records": {"how many", "count", "number of", "logged", "entries", "how many trips", "how many times"},
		"pam_read_records": {"show", "list", "pull up", "last 10", "entries", "records", "history", "look up",
			"saved", "every", "show me all", "all fuel fills", "look at"},
		"pam_create_record": {"add a", "save a new", "create", "new entry", "calendar event", "event",
			"new vehicle", "budget of"},
		"pam_update_records": {"change", "edit", "fix", "correct", "update", "set", "modify", "mark", "instead of",
			"move", "rename", "recategorize", "move to"},
		"pam_upsert_records":          {"add or update", "create or update", "these two", "update"},
		"pam_delete_records":          {"delete", "remove", "get rid of", "erase", "duplicate", "wrong entry", "junk", "test budget"},
		"pam_bulk_database_operation": {"in one go", "all at once", "several", "batch", "and delete"},
		"pam_create_chat_session":     {"new chat", "start a", "conversation", "open a", "support", "planning chat", "fresh conversation", "new conversation", "kick off"},
		"pam_update_chat_session":     {"pause", "end the", "close this chat", "this chat", "conversation", "resume"},
		"pam_clean_expired_sessions":  {"clean up", "old chats", "stale", "expired", "purge", "archive"},
		"pam_get_session_analytics":   {"how many chats", "chats", "conversations", "talk to you", "usually"},
		"pam_manage_user_session": {"logged in", "log out", "log me out", "sign out", "sign me out", "sign in",
			"login", "refresh", "session", "signed in", "logged out", "everywhere", "my session"},
		"pam_generate_daily_analytics":   {"use the app", "usage", "today", "yesterday", "daily", "usage stats"},
		"pam_generate_analytics_summary": {"usage summary", "weekly", "monthly", "analytics", "rollup"},
		"pam_get_analytics_insights":     {"error rate", "errors", "use most", "feature", "trend", "lately"},
		"pam_log_analytics_event":        {"track that", "opened", "screen", "clicked", "event"},
		"get_user_context": {"here's where we are", "where we are", "location", "coordinates", "towing",
			"budget per day", "/day", "what do you know about us", "about us", "ft", "class a", "we're"},
	}
}

// intentTools maps what the intent parser recognised (llm/intent) to the
// tools of its domain, the likeliest first.
func intentTools() map[intent.Name][]string {
	return map[intent.Name][]string{
		intent.SpendingTotal:       {"fetch_summary", "pam_analyze_spending_patterns"},
		intent.BudgetLeft:          {"fetch_summary", "suggest_budget_adjustment"},
		intent.FuelEconomy:         {"pam_get_user_360_view", "pam_correlate_trip_expenses"},
		intent.TripFuelCost:        {"plan_trip"},
		intent.NextMaintenance:     {"pam_get_maintenance_schedule"},
		intent.MaintenanceForecast: {"pam_predict_maintenance_costs"},
		intent.UpcomingTrips:       {"plan_trip", "pam_read_records"},
		intent.CampsitesNear:       {"plan_trip", "pam_read_records"},
		intent.IncomeTotal:         {"fetch_summary", "estimate_monthly_income"},
		intent.BestHustle:          {"pam_analyze_hustle_roi"},
		intent.LogExpense:          {"log_expense", "track_expense"},
		intent.LogFuel:             {"pam_log_fuel"},
	}
}

// defaultTools is the short list offered when nothing in a message points
// to a tool: the everyday ones (a trip, an expense, a fill-up, the month's
// figures, the next service, the overview, a fuel station, the trends).
func defaultTools() []string {
	return []string{"plan_trip", "log_expense", "fetch_summary", "pam_log_fuel", "pam_get_maintenance_schedule",
		"pam_get_user_360_view", "pam_manage_fuel_stations", "pam_analyze_spending_patterns"}
}
