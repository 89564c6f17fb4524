package intent

import (
	"maps"
	"slices"
	"strings"
	"time"
)

// concept is a set of meanings a word carries; the scorers ask which
// concepts a message holds.
type concept uint64

const (
	cStop     concept = 1 << iota // a function word: explained, no meaning of its own
	cQ                            // a question or request word: what, how, show
	cPast                         // did, have, spent, paid, so far
	cFuture                       // will, going, expect, next, upcoming
	cSpend                        // spend, spent, spending, expenses
	cPay                          // pay, paid
	cCost                         // cost, costs
	cBuy                          // bought, buy, purchased
	cLog                          // log, add, record: an entry, even when asked politely
	cBudget                       // budget
	cLeft                         // left, remaining
	cStatus                       // over, under, doing, track: budget status
	cStill                        // still
	cFuel                         // fuel, gas, diesel
	cEconomy                      // economy, mpg, mileage, consumption
	cAvg                          // average, averaging
	cTrip                         // trip, route, journey, itinerary
	cDrive                        // drive, driving, get, go, head
	cMaint                        // maintenance, service, repair
	cDue                          // due, next, upcoming, overdue
	cForecast                     // forecast, projection, estimate
	cCamp                         // campsite, campground, boondocking
	cStay                         // stay, sleep, park, overnight: with a place question, camping
	cNear                         // near, nearby, around, close
	cFind                         // find, search, where, show, any, options
	cFree                         // free
	cCheap                        // cheap, affordable
	cIncome                       // income, earnings, earned, revenue
	cMake                         // make, made: income when asked "how much"
	cHustle                       // hustle, gig, workamping
	cBest                         // best, most, top, highest
	cFill                         // filled, fill-up, refuel, tanked
	cPartial                      // partial
	cOdo                          // odometer
	cTotal                        // total, sum, overall
	cNeg                          // poem, joke, weather, why: not for us
	cNotFuel                      // water, propane: a fill-up of something else
	cLast                         // last, previous: "last trip", "last service"
	cCompare                      // under, below, less, max: a ceiling
	cWithin                       // within, radius
	cPer                          // per, a, each: "$3.45 per gallon"
	cWhen                         // when
	cWhere                        // where
	cMoney                        // money, cash, dollars (as a noun)
	cHow                          // how
	cMuch                         // much, many
	cNot                          // not, no
	cPlan                         // planned, booked, scheduled, plans
	cPeriod                       // month, week, year, today, lately: read by the period pass
	cMe                           // I, me, my, we, our: the user's own figures
)

// unit is a unit word.
type unit uint8

const (
	uNone unit = iota
	uLitre
	uGallon
	uKM
	uMile
	uDollar
	uCent
	uMPG
	uUSD // a currency code, before or after the amount
)

// sense is what the lexicon knows about a word or phrase.
type sense struct {
	c        concept
	category string // the expense category it names, if any
	service  string // the maintenance task it names, if any
	vehicle  string
	unit     unit
	month    time.Month
	weekday  int  // 1 + time.Weekday, 0 if none
	n        int  // a number word's value
	place    bool // may start or continue a place name even in lower case ("lake", "new")
}

func (s *sense) merge(o sense) {
	s.c |= o.c
	if o.category != "" {
		s.category = o.category
	}
	if o.service != "" {
		s.service = o.service
	}
	if o.vehicle != "" {
		s.vehicle = o.vehicle
	}
	if o.unit != uNone {
		s.unit = o.unit
	}
	if o.month != 0 {
		s.month = o.month
	}
	if o.weekday != 0 {
		s.weekday = o.weekday
	}
	if o.n != 0 {
		s.n = o.n
	}
	s.place = s.place || o.place
}

// phrase is a run of words with a sense of its own ("rv park", "side hustle").
type phrase struct {
	words []string
	s     sense
}

// lexicon is the vocabulary of one Parser. It is built once and only read
// afterwards.
type lexicon struct {
	words        map[string]sense
	phrases      map[string][]phrase // by first word, longest first
	contractions map[string][]string // "whats" is "what is"
	byLen        [][]string          // typo candidates by length, sorted
	// byLetter[l][c] is where the candidates of length l whose first
	// letter is 'a'+c start in byLen[l] (c = 26: the end).
	byLetter   [][27]int
	categories []string
}

// DefaultCategories returns the expense categories PAM starts with.
func DefaultCategories() []string {
	return []string{"groceries", "fuel", "camping", "dining", "maintenance", "entertainment",
		"insurance", "phone_internet", "propane", "laundry", "hustle"}
}

// categorySynonyms lists, per canonical category, the words and phrases that
// name it. A synonym only applies when its category is one of the Parser's.
func categorySynonyms() map[string][]string {
	return map[string][]string{
		"groceries": {"grocery", "groceries", "food", "supermarket", "grocery store", "grocery run",
			"produce", "provisions"},
		"fuel": {"fuel", "gas", "gasoline", "diesel", "petrol", "unleaded", "gas station", "fill up"},
		"camping": {"camping", "campground", "campsite", "camp", "rv park", "rv resort", "site fee",
			"camp fee", "park fee", "hookups", "campspot", "state park", "harvest hosts"},
		"dining": {"dining", "restaurant", "eating out", "eat out", "ate out", "dining out", "takeout",
			"take out", "fast food", "coffee", "cafe", "diner", "lunch", "dinner", "breakfast", "pizza",
			"burgers", "meal", "meals"},
		"maintenance": {"maintenance", "maint", "repair", "repairs", "mechanic", "oil change", "oil",
			"lube", "tire", "tires", "tyre", "tyres", "tire rotation", "brake", "brakes", "brake job",
			"service", "servicing", "parts", "tune up", "alignment", "upkeep"},
		"entertainment": {"entertainment", "movie", "movies", "tickets", "museum", "concert", "netflix",
			"streaming", "fun", "admission", "park pass"},
		"insurance":      {"insurance", "premium"},
		"phone_internet": {"phone", "internet", "cell", "cellular", "data", "starlink", "wifi", "hotspot", "phone bill", "cell plan", "data plan"},
		"propane":        {"propane", "lpg", "lp", "lp gas", "propane gas", "propane tank", "propane fill"},
		"laundry":        {"laundry", "laundromat", "washing"},
		"hustle":         {"hustle supplies", "hustle expenses"},
		"pets":           {"pet", "pets", "dog", "cat", "vet", "dog food", "cat food", "pet food"},
		"medical":        {"medical", "doctor", "pharmacy", "meds", "medicine", "prescription", "dentist", "health"},
		"tolls":          {"toll", "tolls", "turnpike"},
		"parking":        {"parking"},
		"clothing":       {"clothes", "clothing", "shoes"},
		"gifts":          {"gift", "gifts", "present", "presents"},
	}
}

// newLexicon builds the vocabulary, with categories as the known expense
// categories.
func newLexicon(categories []string) *lexicon {
	lx := &lexicon{
		words:   make(map[string]sense, 1100),
		phrases: make(map[string][]phrase, 160),
	}
	add := func(s sense, words ...string) {
		for _, w := range words {
			if strings.Contains(w, " ") {
				lx.addPhrase(w, s)
				continue
			}
			cur := lx.words[w]
			cur.merge(s)
			lx.words[w] = cur
		}
	}
	c := func(c concept, words ...string) { add(sense{c: c}, words...) }

	c(cStop, "a", "an", "the", "i", "me", "my", "mine", "myself", "we", "us", "our", "ours", "you", "your",
		"yours", "pam", "hey", "hi", "hello", "yo", "please", "pls", "plz", "thanks", "thank", "thx", "ok",
		"okay", "so", "far", "just", "really", "actually", "currently", "now", "then", "also", "and", "or",
		"but", "to", "of", "for", "on", "in", "at", "by", "with", "from", "about", "into", "up", "out", "off",
		"as", "is", "are", "am", "was", "were", "be", "been", "being", "it", "its", "this", "that", "these",
		"those", "there", "what", "which", "who", "do", "does", "did", "done", "doing", "have", "has", "had",
		"can", "could", "would", "should", "shall", "might", "must", "get", "got", "getting", "give",
		"tell", "let", "know", "want", "need", "needed", "needs", "any", "some", "all", "each", "every",
		"more", "than", "very", "quite", "again", "yet", "right", "lot", "bit", "like", "kind", "quick",
		"quickly", "roughly", "approximately", "approx", "um", "uh", "well", "hmm", "oh", "if", "much",
		"many", "how", "when", "where", "will", "see", "check", "look", "looking", "it's", "them", "they",
		"their", "he", "she", "his", "her", "s", "t", "one", "ones", "thing", "things", "stuff", "going",
		"gonna", "go", "went", "put", "take", "took", "used", "use", "have", "amount", "number", "figure",
		"figures", "info", "details", "current", "latest", "new", "same", "other", "own", "anything",
		"something", "please", "kindly", "mate", "dear", "buddy", "guys", "y'all", "ya", "u", "r", "n",
		"since", "during", "through", "till", "until", "via", "per", "an", "into", "onto", "not", "no",
		"sure", "cool", "great", "good", "nice", "ok", "quickie", "real", "show", "list", "find", "am",
		"whats", "im", "category", "categories", "by", "per")
	c(cQ, "what", "how", "when", "where", "which", "who", "show", "tell", "list", "give", "find",
		"any", "is", "are", "am", "do", "does", "did", "have", "has", "can", "could", "will", "would",
		"should", "whats", "hows", "wheres", "whens", "check", "see", "display", "report", "summary",
		"breakdown", "search")
	c(cHow, "how")
	c(cMe, "i", "me", "my", "mine", "myself", "we", "us", "our", "ours", "ourselves")
	c(cMuch, "much", "many")
	c(cWhen, "when")
	c(cWhere, "where")
	c(cNot, "not", "no", "never")
	c(cPast, "did", "had", "was", "were", "been", "spent", "paid", "made", "earned",
		"bought", "went", "got")
	c(cFuture, "will", "going", "gonna", "expect", "expected", "expecting", "next", "upcoming",
		"coming", "ahead", "future", "anticipate", "anticipated", "projected", "forecast", "forecasted",
		"forecasting", "estimate", "estimated", "predicted", "predict", "plan", "planned", "prepare")
	c(cForecast, "forecast", "forecasted", "forecasting", "projection", "projections", "projected",
		"estimate", "estimated", "estimates", "predict", "predicted", "prediction", "outlook", "expect",
		"expected", "anticipate", "anticipated")
	c(cSpend, "spend", "spent", "spending", "spendings", "expense", "expenses", "expenditure",
		"expenditures", "outgoings", "blew", "blow", "blowing", "blown", "splurged", "shelled", "dropped")
	c(cPay, "pay", "paid", "paying", "pays", "payment", "payments", "charged", "charge")
	c(cCost, "cost", "costs", "costing", "price", "prices", "expensive", "fee", "fees", "bill",
		"bills", "tab", "receipt", "rent")
	c(cBuy, "buy", "bought", "purchase", "purchased", "purchases", "grabbed", "picked")
	c(cLog, "log", "add", "record", "enter", "track", "note", "jot", "save", "logged", "adding",
		"book", "expensed", "new")
	c(cBudget, "budget", "budgets", "budgeted", "allowance", "budgeting")
	c(cLeft, "left", "remaining", "remain", "remains", "leftover", "rest", "available", "room")
	c(cStatus, "over", "under", "overspent", "overspending", "overbudget", "exceeded", "doing",
		"track", "status", "standing", "within", "blown", "busted")
	c(cStill, "still")
	c(cFuel, "fuel", "gas", "gasoline", "diesel", "petrol", "unleaded", "fuels")
	c(cEconomy, "economy", "efficiency", "efficient", "mpg", "mileage", "consumption", "burning",
		"burn", "burned", "guzzling", "l100km", "kpl", "thirsty")
	c(cAvg, "average", "averaging", "averaged", "avg", "getting")
	c(cTrip, "trip", "trips", "journey", "journeys", "route", "routes", "itinerary", "travels",
		"roadtrip", "leg", "legs", "destination", "destinations", "headed", "heading", "travel",
		"traveling", "travelling", "plans", "stop", "stops")
	c(cDrive, "drive", "drives", "driving", "drove", "go", "get", "head", "haul", "tow", "towing",
		"move", "reach")
	c(cMaint, "maintenance", "maint", "service", "services", "servicing", "serviced", "repair",
		"repairs", "upkeep", "mechanic", "inspection", "tuneup", "fix", "fixes", "maintain",
		"maintaining")
	c(cMaint, "overdue")
	c(cDue, "due", "overdue", "next", "upcoming", "coming", "soon", "schedule", "scheduled",
		"needed", "need", "needs", "time", "pending")
	c(cCamp, "campsite", "campsites", "campground", "campgrounds", "camp", "camping", "camps",
		"campspot", "campspots", "boondock", "boondocking", "boondocks", "dispersed", "blm", "site",
		"sites", "spot", "spots", "hookups", "rvpark", "rvparks", "dry", "overnighting")
	c(cStay, "stay", "staying", "sleep", "sleeping", "overnight", "park", "parking", "parks", "night",
		"tonight", "crash", "stopover")
	c(cNear, "near", "nearby", "around", "close", "closest", "nearest", "here", "vicinity", "area",
		"local", "outside", "along", "en")
	c(cFind, "find", "search", "look", "looking", "where", "show", "list", "recommend", "suggest",
		"options", "available", "any", "good", "best", "places", "place", "somewhere", "whats")
	c(cFree, "free", "gratis", "freebie", "boondock", "boondocking", "boondocks", "dispersed", "blm")
	c(cCheap, "cheap", "cheapest", "cheaper", "affordable", "inexpensive")
	c(cIncome, "income", "earn", "earned", "earning", "earnings", "revenue", "revenues", "profit",
		"profits", "paycheck", "payout", "payouts", "wages", "salary", "brought", "bring", "takings",
		"incoming", "gross", "net")
	c(cMake, "make", "made", "making", "makes")
	c(cHustle, "hustle", "hustles", "gig", "gigs", "workamping", "workamp", "workamper", "job",
		"jobs", "sidegig", "sidehustle", "sidehustles", "business", "businesses", "side", "streams",
		"stream", "freelance", "freelancing")
	c(cBest, "best", "most", "top", "highest", "better", "lucrative", "profitable", "biggest",
		"winner", "strongest", "rank", "ranking", "compare", "compares", "comparison",
		"performing")
	c(cFill, "filled", "fill", "filling", "fillup", "fillups", "fueled", "fuelled", "fueling",
		"refuel", "refueled", "refuelled", "refueling", "tanked", "topped", "pumped", "gassed",
		"tank", "tankful")
	c(cPartial, "partial", "partially", "partly", "half", "quarter", "splash")
	c(cOdo, "odo", "odometer", "odometre", "reading", "clock", "mileage")
	c(cTotal, "total", "totals", "sum", "overall", "altogether", "combined", "tally", "breakdown")
	c(cNeg, "poem", "poems", "joke", "jokes", "story", "stories", "song", "songs", "weather", "rain",
		"temperature", "why", "translate", "recipe", "recipes", "explain", "meaning", "capital",
		"news", "score", "timer", "alarm", "remind", "reminder", "calories", "define", "definition",
		"write", "haiku", "sing", "music", "advice", "idea", "ideas", "opinion", "feel", "feeling",
		"history", "rules", "legal", "law", "illegal", "safe", "dangerous", "learn", "teach",
		"become", "weird", "funny", "love", "hate", "play", "game", "games", "chat", "talk",
		"signal", "coverage", "sunset", "sunrise", "wind", "snow", "storm", "bored", "lonely", "mean",
		"means", "rvers", "rver", "people", "beginners", "beginner", "retirees", "nomads", "someone",
		"folks", "everyone", "anyone", "newbies", "tips", "hacks", "country", "world", "nation", "planet", "universe",
		"usa", "america")
	c(cNotFuel, "water", "fresh", "grey", "gray", "black", "sewage", "dump", "air", "tires",
		"propane", "lp", "lpg", "coffee", "prescription", "def", "generator", "cooler", "ice", "bottle")
	c(cLast, "last", "previous", "prior", "recent", "lately", "recently", "latest")
	c(cCompare, "under", "below", "less", "cheaper", "max", "maximum", "lower", "beneath",
		"upto", "tops", "cap")
	c(cWithin, "within", "radius", "inside")
	c(cPer, "per", "a", "an", "each", "every")
	c(cMoney, "money", "cash", "dollars", "bucks", "funds")
	c(cPlan, "planned", "booked", "scheduled", "plans", "plan", "planning", "reserved",
		"reservation", "reservations", "calendar", "agenda", "lined up")
	c(cPeriod, "day", "days", "week", "weeks", "weekly", "month", "months", "monthly", "year",
		"years", "yearly", "annual", "annually", "today", "tonight", "yesterday", "lately", "recently",
		"ytd", "mtd", "weekend", "fortnight", "ago", "morning", "evening", "afternoon", "date", "mo",
		"mos", "yr", "yrs", "wk", "wks", "summer", "winter", "spring", "fall", "autumn", "season")

	// Phrases: several words that mean one thing.
	c(cSpend|cPast, "money go", "money went", "set me back", "set us back", "sets me back",
		"sets us back", "shelled out", "dropped on")
	// "how much did campsites run us": a cost.
	c(cCost, "run us", "run me", "ran us", "ran me", "runs us", "runs me")
	c(cStatus, "on track", "how am i", "how are we", "over budget", "under budget")
	c(cLeft, "can i spend", "can we spend", "can i still", "allowed to spend")
	c(cEconomy, "miles per gallon", "mile per gallon", "km per litre", "km per liter",
		"kilometres per litre", "kilometers per liter", "litres per 100", "liters per 100",
		"gas mileage", "fuel mileage", "fuel consumption", "fuel efficiency", "fuel economy",
		"km per l", "mi per gal", "miles to the gallon")
	c(cFuture, "coming up")
	c(cTrip|cFuture, "headed next", "going next", "heading next", "on the calendar")
	c(cFuel|cCost, "gas money", "fuel bill", "gas bill", "fuel budget")
	c(cFill, "fill up", "filled up", "fill-up", "topped up", "topped off", "top up", "top off",
		"tanked up", "fueled up", "fuelled up", "gassed up", "filled the tank", "put in")
	c(cPartial, "not full", "half tank", "not a full", "not to full", "partial fill")
	c(cHustle, "side hustle", "side hustles", "side gig", "side gigs", "side job", "side jobs",
		"side income", "side business", "income source", "income sources", "income stream",
		"income streams", "ways i make money", "money maker", "money makers")
	c(cBest, "pays best", "pays the most", "pays most", "makes the most", "earns the most",
		"most money", "best paying", "highest paying", "top earner", "brings in the most",
		"most profitable", "best earner", "pays the best", "most lucrative", "earns most",
		"makes most", "make the most", "made the most", "earned the most", "brought in the most")
	c(cIncome, "brought in", "bring in", "got paid", "paid me", "pay me", "paid out", "take home",
		"took in", "take in")
	c(cCamp, "rv park", "rv parks", "rv resort", "rv resorts", "rv site", "rv sites", "rv spot",
		"rv spots", "place to camp", "places to camp", "spot to camp", "spots to camp",
		"place to stay", "places to stay", "somewhere to stay", "somewhere to camp", "place to park",
		"places to park", "spot to park", "where to camp", "where can i camp", "where can we camp",
		"harvest hosts", "state park", "state parks", "national forest", "free camping",
		"overnight parking", "walmart parking", "where can i park", "where can we park",
		"place to sleep", "where to stay", "where can i stay", "where can we stay")
	c(cNear, "near me", "near here", "around here", "close by", "close to", "close to me",
		"near us", "around me", "in the area", "in this area", "nearby", "on the way", "not far from")
	c(cCompare, "less than", "no more than", "at most", "up to", "cheaper than", "or less",
		"or under", "not more than", "lower than", "max of", "maximum of")
	c(cMaint, "tune up", "oil change", "oil changes", "annual service", "yearly service")
	c(cTotal, "in total", "all together", "add up", "adds up")
	c(cBudget|cFuture, "set aside", "put aside", "save up", "save for")
	// "what should I expect to spend": a forecast, not advice ("what should").
	c(cQ|cFuture, "what should i expect", "what should we expect", "what should i budget",
		"what should we budget", "what should i set aside", "what should we set aside")
	c(cNeg, "tell me a", "write me", "how do i", "how to", "who is", "who was", "what time",
		"are you", "what should", "how does", "what if", "is it safe", "is it legal", "worth it",
		"should i buy", "should i start", "should i sell", "stand for", "plan a", "plan my",
		"plan our", "plan me", "help me plan", "plan out")

	// Units, written after (or before, for currencies) a number.
	u := func(un unit, words ...string) { add(sense{unit: un}, words...) }
	u(uLitre, "l", "lt", "ltr", "ltrs", "litre", "litres", "liter", "liters")
	u(uGallon, "gal", "gals", "gallon", "gallons", "usgal")
	u(uKM, "km", "kms", "kilometre", "kilometres", "kilometer", "kilometers", "klicks", "kmh")
	u(uMile, "mi", "mile", "miles", "mls")
	u(uDollar, "dollars", "dollar", "bucks", "buck")
	u(uCent, "cents", "cent", "¢")
	u(uUSD, "usd", "cad", "cdn", "us$", "aud", "eur", "euros", "euro")
	u(uMPG, "mpg", "l100km", "kpl", "mpge")

	// Services, with the maintenance category for expenses.
	svc := func(s string, words ...string) { add(sense{c: cMaint, service: s}, words...) }
	svc("oil_change", "oil change", "oil changes", "change the oil", "change oil", "oil", "lube",
		"oil and filter", "oil service")
	svc("tire_rotation", "tire rotation", "tyre rotation", "rotate the tires", "rotate tires",
		"rotate the tyres", "tires rotated", "tyres rotated", "rotation", "rotate", "rotated",
		"tire", "tires", "tyre", "tyres", "rotating")
	svc("brake_service", "brake", "brakes", "breaks", "brake job", "brake service", "brake pads", "pads",
		"brake check", "brake inspection")
	svc("generator_service", "generator", "genny", "genset", "gen set", "onan", "generator service",
		"generator maintenance")
	svc("service", "annual service", "yearly service", "tune up", "tuneup", "inspection",
		"chassis service", "winterizing", "winterize", "dewinterize", "service", "services",
		"servicing", "serviced")

	// Vehicles.
	veh := func(v string, words ...string) { add(sense{vehicle: v}, words...) }
	veh("rv", "rv", "rvs", "motorhome", "motorhomes", "coach", "rig", "camper", "trailer", "fifth",
		"5th", "van", "campervan", "class", "bus", "skoolie")
	veh("car", "car", "toad", "jeep", "dinghy", "crv", "suv", "subaru", "honda", "tow car")
	veh("truck", "truck", "pickup", "tow vehicle", "f250", "f350", "ram", "silverado", "tow rig")

	// Number words.
	for i, w := range []string{"zero", "one", "two", "three", "four", "five", "six", "seven", "eight",
		"nine", "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
		"eighteen", "nineteen", "twenty"} {
		if i > 0 {
			add(sense{n: i}, w)
		}
	}
	add(sense{n: 30}, "thirty")
	add(sense{n: 60}, "sixty")
	add(sense{n: 90}, "ninety")
	add(sense{n: 2}, "couple")
	add(sense{n: 3}, "few")

	// Months and weekdays.
	months := [][]string{{"january", "jan"}, {"february", "feb", "febuary"}, {"march", "mar"},
		{"april", "apr"}, {"may"}, {"june", "jun"}, {"july", "jul"}, {"august", "aug"},
		{"september", "sep", "sept"}, {"october", "oct"}, {"november", "nov"}, {"december", "dec"}}
	for i, ws := range months {
		add(sense{month: time.Month(i + 1)}, ws...)
	}
	days := [][]string{{"sunday", "sun"}, {"monday", "mon"}, {"tuesday", "tue", "tues"},
		{"wednesday", "wed"}, {"thursday", "thu", "thur", "thurs"}, {"friday", "fri"},
		{"saturday", "sat"}}
	for i, ws := range days {
		add(sense{weekday: i + 1}, ws...)
	}
	// Ordinal suffixes read as separate words after a number ("3rd").
	c(cStop, "st", "nd", "rd", "th")

	// Words that may sit inside a place name even in lower case.
	add(sense{place: true}, "new", "north", "south", "east", "west", "lake", "mount", "mt", "fort",
		"ft", "san", "santa", "los", "las", "el", "st", "saint", "port", "grand", "big", "little",
		"great", "salt", "death", "palm", "upper", "lower", "glacier", "national", "park", "city",
		"valley", "canyon", "springs", "beach", "falls", "river", "creek", "bay", "island",
		"county", "forest", "monument", "rock", "point", "hot", "white", "red", "blue", "green",
		"black", "sand", "dunes", "mesa", "butte", "pass", "lakes", "harbor", "harbour", "key",
		"keys", "black", "city", "town", "village", "de", "du", "la", "le")

	// Expense categories, after the rest: a category word keeps the
	// concepts above ("gas" is fuel too).
	known := categories
	if known == nil {
		known = DefaultCategories()
	}
	lx.categories = slices.Clone(known)
	isKnown := make(map[string]bool, len(known))
	for _, cat := range known {
		isKnown[cat] = true
		name := strings.ToLower(strings.ReplaceAll(strings.TrimSpace(cat), "_", " "))
		if name == "" {
			continue
		}
		add(sense{category: cat}, name)
		switch {
		case strings.Contains(name, " "):
			for _, w := range strings.Fields(name) {
				if lx.words[w].category == "" {
					add(sense{category: cat}, w)
				}
			}
		case strings.HasSuffix(name, "ies") && len(name) > 4: // "groceries": "grocery"
			if w := strings.TrimSuffix(name, "ies") + "y"; lx.words[w].category == "" {
				add(sense{category: cat}, w)
			}
		case strings.HasSuffix(name, "s") && len(name) > 3: // "tolls": "toll"
			if w := strings.TrimSuffix(name, "s"); lx.words[w].category == "" {
				add(sense{category: cat}, w)
			}
		}
	}
	syns := categorySynonyms()
	for _, cat := range slices.Sorted(maps.Keys(syns)) {
		if !isKnown[cat] {
			continue
		}
		for _, w := range syns[cat] {
			if strings.Contains(w, " ") {
				lx.addPhrase(w, sense{category: cat})
				continue
			}
			if s := lx.words[w]; s.category == "" { // a category's own name wins
				s.category = cat
				lx.words[w] = s
			}
		}
	}

	// A plural names the category of its singular ("campgrounds").
	plurals := map[string]string{}
	for w, s := range lx.words {
		if s.category == "" && len(w) > 3 && strings.HasSuffix(w, "s") {
			if c := lx.words[w[:len(w)-1]].category; c != "" {
				plurals[w] = c
			}
		}
	}
	for w, c := range plurals {
		s := lx.words[w]
		s.category = c
		lx.words[w] = s
	}

	lx.contractions = map[string][]string{
		"whats": {"what", "is"}, "hows": {"how", "is"}, "wheres": {"where", "is"},
		"whens": {"when", "is"}, "whos": {"who", "is"}, "thats": {"that", "is"},
		"im": {"i", "am"}, "ive": {"i", "have"}, "dont": {"do", "not"},
		"didnt": {"did", "not"}, "doesnt": {"does", "not"}, "cant": {"can", "not"},
		"wont": {"will", "not"}, "isnt": {"is", "not"}, "arent": {"are", "not"},
		"havent": {"have", "not"}, "hasnt": {"has", "not"}, "whatre": {"what", "are"},
		"weve": {"we", "have"}, "youre": {"you", "are"}, "theres": {"there", "is"},
		"whatll": {"what", "will"},
	}

	// Typo candidates: the keywords of four letters or more, by length.
	// Function words, place words and generic verbs are not candidates: a
	// word that is one letter off "looking" is more likely another word.
	const keyword = cSpend | cPay | cBudget | cLeft | cFuel | cEconomy | cTrip | cMaint | cDue |
		cForecast | cCamp | cIncome | cHustle | cFill | cOdo | cPartial | cTotal | cBest | cCheap |
		cFree | cNear | cPlan | cAvg | cCost | cLog | cBuy
	// The words of phrases are candidates too ("chnage" in "oil chnage"):
	// they count only if the phrase then matches.
	cand := func(w string) {
		n := len(w)
		if n < 4 || !isASCIILetters(w) {
			return
		}
		for len(lx.byLen) <= n {
			lx.byLen = append(lx.byLen, nil)
		}
		lx.byLen[n] = append(lx.byLen[n], w)
	}
	keyed := func(s sense) bool {
		return s.c&keyword != 0 || s.c&cStop == 0 && (s.category != "" || s.service != "" ||
			s.unit != uNone || s.month != 0 || s.weekday != 0)
	}
	for w, s := range lx.words {
		if keyed(s) {
			cand(w)
		}
	}
	for _, ps := range lx.phrases {
		for _, p := range ps {
			for _, w := range p.words {
				// A keyword is in already: fewer repeats to sort out.
				if s, ok := lx.words[w]; !ok || s.c&cStop == 0 && !keyed(s) {
					cand(w)
				}
			}
		}
	}
	lx.byLetter = make([][27]int, len(lx.byLen))
	for n, ws := range lx.byLen {
		slices.Sort(ws)
		ws = slices.Compact(ws) // a word of several phrases, once
		lx.byLen[n] = ws
		k := 0
		for c := range 27 {
			for k < len(ws) && int(ws[k][0]-'a') < c {
				k++
			}
			lx.byLetter[n][c] = k
		}
	}
	for k, ps := range lx.phrases {
		slices.SortStableFunc(ps, func(a, b phrase) int { return len(b.words) - len(a.words) })
		lx.phrases[k] = ps
	}
	return lx
}

func isASCIILetters(w string) bool {
	for i := 0; i < len(w); i++ {
		if w[i] < 'a' || w[i] > 'z' {
			return false
		}
	}
	return true
}

// addPhrase registers a phrase of several words, merging its sense with any
// earlier entry for the same words.
func (lx *lexicon) addPhrase(text string, s sense) {
	words := strings.Fields(text)
	ps := lx.phrases[words[0]]
	for i := range ps {
		if slices.Equal(ps[i].words, words) {
			ps[i].s.merge(s)
			return
		}
	}
	lx.phrases[words[0]] = append(ps, phrase{words: words, s: s})
}

// lookup returns the sense of a single word: directly, as a possessive
// ("walmart's"), or as the plural of a known word.
func (lx *lexicon) lookup(w string) (sense, bool) {
	if s, ok := lx.words[w]; ok {
		return s, true
	}
	if b, ok := strings.CutSuffix(w, "'s"); ok {
		if s, ok := lx.words[b]; ok {
			return s, true
		}
	}
	if len(w) > 3 && strings.HasSuffix(w, "s") {
		if s, ok := lx.words[w[:len(w)-1]]; ok {
			return s, true
		}
	}
	return sense{}, false
}

// correct returns the lexicon word w is a typo of, if there is exactly one
// nearest: edit distance 1 between words of 4 to 6 letters, 2 when both
// have 7 letters or more, none under 4 letters. The first letter must stay
// (or be swapped with the second), which is how people mistype.
func (lx *lexicon) correct(w string) (string, bool) {
	n := len(w)
	if n < 4 || !isASCIILetters(w) {
		return "", false
	}
	maxD := typoDistance(n)
	best, bestR, tie := "", 2*maxD+2, false
	// Only the candidates that start with w's first letter, or with its
	// second (a swap of the first two), can be near: their blocks of the
	// sorted lists, in list order.
	l0, l1 := w[0]-'a', w[1]-'a'
	if l1 < l0 {
		l0, l1 = l1, l0
	}
	for l := n - maxD; l <= n+maxD; l++ {
		if l < 4 || l >= len(lx.byLen) {
			continue
		}
		limit := typoDistance(min(n, l))
		ws, at := lx.byLen[l], &lx.byLetter[l]
		for k, c := range [2]byte{l0, l1} {
			if k == 1 && c == l0 {
				break
			}
			for _, cand := range ws[at[c]:at[c+1]] {
				if cand[0] != w[0] && !(cand[0] == w[1] && cand[1] == w[0]) {
					continue
				}
				d := osa(w, cand, limit+1)
				if d > limit {
					continue
				}
				// At the same distance a swap of neighbours is the likelier
				// slip: "fule" is "fuel" before "full".
				rank := 2 * d
				if !isSwap(w, cand) {
					rank++
				}
				switch {
				case rank < bestR:
					best, bestR, tie = cand, rank, false
				case rank == bestR && cand != best && lx.words[cand] != lx.words[best]:
					tie = true // two words of different meaning are as near
				}
			}
		}
	}
	// A real word stays as written (asked last: few words get this far).
	if best == "" || tie || isCommon(w) {
		return "", false
	}
	return best, true
}

// typoDistance is the most edits a word of n letters may be from the word
// it is taken for: short words are guarded, since most of their
// neighbours are other real words.
func typoDistance(n int) int {
	switch {
	case n < 4:
		return 0
	case n <= 6:
		return 1
	}
	return 2
}

// isSwap reports whether b is a with two neighbouring letters swapped.
func isSwap(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	i := 0
	for i < len(a) && a[i] == b[i] {
		i++
	}
	return i+1 < len(a) && a[i] == b[i+1] && a[i+1] == b[i] && a[i+2:] == b[i+2:]
}

// osa is the optimal string alignment distance between a and b (Levenshtein
// plus swaps of neighbours), or limit when it is limit or more.
func osa(a, b string, limit int) int {
	if d := len(a) - len(b); d >= limit || -d >= limit {
		return limit
	}
	// Three rows are enough; words are short.
	var buf [3][32]int
	if len(b) >= 32 {
		return limit
	}
	prev2, prev, cur := buf[0][:len(b)+1], buf[1][:len(b)+1], buf[2][:len(b)+1]
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			v := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				v = min(v, prev2[j-2]+1)
			}
			cur[j] = v
			rowMin = min(rowMin, v)
		}
		if rowMin >= limit {
			return limit
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return min(prev[len(b)], limit)
}

// commonWords are real words that look like typos of ours and must stay
// what they are ("times", "sending", "drivers"), sorted for isCommon: a
// list the binary holds as it is, so a Parser builds nothing for it. Some
// were found by running every word of an English word list through the
// corrector (the ones people write in chat); see also chatWords.
var commonWords = []string{
	"action", "alive", "alone", "along", "among", "arrive", "auction", "badge", "bared", "bear",
	"beat", "become", "beer", "bets", "bill", "bills", "bitter", "bother", "bound", "brace", "brain",
	"brave", "bread", "bride", "bridge", "broke", "brother", "brown", "budge", "budgie", "burger",
	"buried", "burner", "burying", "cable", "camel", "camels", "camper", "cancel", "cared", "carve",
	"casting", "casts", "casual", "causal", "caving", "chairs", "change", "changed", "changes",
	"cheap", "cheat", "check", "cheek", "chest", "chill", "chips", "chose", "cigar", "clear", "cleat",
	"clone", "closed", "closer", "coasts", "coats", "coding", "colts", "combine", "comedy", "coming",
	"compare", "concept", "concern", "convert", "coping", "cots", "cottage", "cover", "cream",
	"creek", "curve", "damper", "dared", "dear", "deer", "derive", "diction", "dined", "dive",
	"diver", "diving", "drain", "dream", "drill", "drips", "driver", "drivers", "driving", "drone",
	"early", "earring", "earth", "eater", "election", "expert", "falling", "father", "faxes", "fear",
	"feather", "feel", "fiction", "filed", "files", "filing", "fill", "fills", "filming", "fines",
	"fires", "fitter", "five", "fixed", "fixer", "fool", "footage", "found", "foxes", "fudge",
	"fuels", "funds", "gaps", "gasp", "gather", "gavel", "geek", "generated", "generation", "gill",
	"give", "giving", "glass", "glitter", "gloss", "goad", "grain", "grass", "greek", "grill",
	"grips", "grocer", "grows", "hamper", "having", "header", "healing", "heap", "hear", "hearing",
	"heart", "heat", "heather", "heating", "hill", "hills", "hitter", "hive", "horse", "hostage",
	"hostel", "hotel", "hotels", "house", "income", "incomes", "infection", "injection", "interpret",
	"intersect", "item", "items", "jeep", "jitter", "judge", "kill", "later", "lather", "launch",
	"leap", "learn", "learned", "leather", "level", "liked", "lines", "linked", "litter", "live",
	"lived", "liver", "living", "load", "loads", "locale", "lotion", "lover", "loving", "loyal",
	"lunar", "lurch", "lynch", "mails", "mains", "males", "marsh", "match", "meat", "meats", "medal",
	"medals", "meet", "metal", "metals", "mikes", "mileage", "mill", "mills", "mines", "mixes",
	"modal", "model", "models", "molar", "moles", "monies", "month", "motel", "motels", "mother",
	"moths", "motion", "mouse", "mouth", "moved", "mover", "movie", "moving", "mules", "nation",
	"national", "natural", "near", "nearly", "neat", "needy", "nerve", "nodal", "notion", "novel",
	"nudge", "option", "options", "other", "outcome", "outgoing", "pacing", "packed", "packing",
	"pacts", "paging", "pairs", "pamper", "panel", "panels", "pants", "paris", "parka", "parks",
	"parsing", "parts", "party", "passing", "pasts", "patrol", "paving", "pear", "pedal", "peek",
	"petal", "phone", "phones", "pill", "plains", "plane", "planes", "plant", "plants", "playing",
	"poems", "polar", "postage", "potion", "pound", "praying", "prepare", "price", "prick", "pride",
	"prime", "prince", "prize", "produced", "producer", "product", "profane", "prone", "protected",
	"protection", "rather", "ration", "rational", "raving", "read", "reading", "reads", "ready",
	"regain", "regarding", "reminding", "repaid", "repairs", "reserve", "reserves", "retain",
	"retaining", "retains", "revel", "revenge", "ride", "rides", "road", "roads", "round", "rouse",
	"saving", "scared", "scent", "score", "scream", "screaming", "seat", "section", "seek", "sending",
	"sense", "serve", "served", "server", "severe", "share", "shared", "sheep", "ships", "shops",
	"shore", "shots", "sill", "sites", "sitter", "sixes", "sizes", "skill", "slash", "sleep",
	"smelled", "smother", "solar", "sonar", "sound", "space", "spare", "spared", "speed", "speeding",
	"spell", "spelled", "spends", "spice", "spill", "sports", "sprain", "spring", "stain", "stairs",
	"stared", "starling", "station", "stations", "steam", "steams", "steep", "stems", "steps",
	"still", "stone", "store", "stores", "strain", "streak", "stream", "streams", "string", "strip",
	"stripe", "strive", "strong", "sugar", "sundae", "surviving", "swerve", "taking", "talked",
	"tamper", "tanker", "tanner", "tapped", "tasked", "team", "teams", "tear", "thanked", "there",
	"these", "thickets", "three", "thrill", "thrive", "thru", "thugs", "ticket", "tidal", "tides",
	"tier", "tiers", "tiles", "till", "times", "tipped", "tired", "tires", "titter", "toad", "tonal",
	"total", "tours", "trace", "tract", "trail", "trails", "train", "trains", "treat", "trial",
	"trials", "trick", "tries", "trio", "tripe", "tripod", "trips", "twitter", "types", "usual",
	"verve", "village", "vintage", "visual", "vital", "vitals", "voltage", "wager", "wakes", "wanner",
	"wares", "wasting", "waves", "waving", "wear", "weather", "week", "weeks", "weigh", "weight",
	"welcome", "whether", "whips", "wiener", "will", "winter", "wishing", "wound", "wrong", "year",
	"yearn", "yodel",
}

// isCommon reports whether w is a real word never taken for a typo: one of
// commonWords or chatWords.
func isCommon(w string) bool {
	_, ok := slices.BinarySearch(commonWords, w)
	if !ok {
		_, ok = slices.BinarySearch(chatWords, w)
	}
	return ok
}
