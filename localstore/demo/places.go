package demo

import (
	"math"
	"strings"
)

// place is a town on the RV routes of western North America. Feat names
// two nearby features (lakes, canyons, parks) used to name campgrounds and
// events; Park is the national park or monument next door, if any.
type place struct {
	Name, State string
	Lat, Lon    float64
	Feat        [2]string
	Park        string
}

// Label is "Moab, UT".
func (p *place) Label() string { return p.Name + ", " + p.State }

// Canada reports whether the place is in a Canadian province.
func (p *place) Canada() bool { return p.State == "BC" || p.State == "AB" }

// places: coordinates are the towns' approximate centres.
var places = []place{
	// Arizona
	{"Yuma", "AZ", 32.69, -114.62, [2]string{"Imperial Dam", "Mittry Lake"}, ""},
	{"Quartzsite", "AZ", 33.66, -114.23, [2]string{"La Posa", "Dome Rock"}, ""},
	{"Lake Havasu City", "AZ", 34.48, -114.32, [2]string{"Lake Havasu", "Craggy Wash"}, ""},
	{"Parker", "AZ", 34.15, -114.29, [2]string{"Buckskin Mountain", "Parker Strip"}, ""},
	{"Tucson", "AZ", 32.22, -110.97, [2]string{"Catalina", "Gilbert Ray"}, "Saguaro NP"},
	{"Ajo", "AZ", 32.37, -112.86, [2]string{"Darby Well", "Ajo Mountain"}, ""},
	{"Gila Bend", "AZ", 32.95, -112.72, [2]string{"Painted Rock", "Gila River"}, ""},
	{"Lukeville", "AZ", 31.88, -112.81, [2]string{"Twin Peaks", "Alamo Canyon"}, "Organ Pipe Cactus NM"},
	{"Benson", "AZ", 31.97, -110.29, [2]string{"Kartchner Caverns", "San Pedro River"}, ""},
	{"Tombstone", "AZ", 31.71, -110.07, [2]string{"Boothill", "Dragoon Mountains"}, ""},
	{"Bisbee", "AZ", 31.45, -109.93, [2]string{"Mule Mountains", "Queen Mine"}, ""},
	{"Willcox", "AZ", 32.25, -109.83, [2]string{"Willcox Playa", "Cochise Stronghold"}, ""},
	{"Portal", "AZ", 31.91, -109.14, [2]string{"Cave Creek Canyon", "Rustler Park"}, "Chiricahua NM"},
	{"Tubac", "AZ", 31.61, -111.05, [2]string{"Tumacacori", "Santa Cruz River"}, ""},
	{"Patagonia", "AZ", 31.54, -110.75, [2]string{"Patagonia Lake", "Sonoita Creek"}, ""},
	{"Sonoita", "AZ", 31.68, -110.66, [2]string{"Parker Canyon Lake", "Empire Ranch"}, ""},
	{"Sedona", "AZ", 34.87, -111.76, [2]string{"Oak Creek", "Red Rock"}, ""},
	{"Cottonwood", "AZ", 34.74, -112.03, [2]string{"Dead Horse Ranch", "Verde River"}, ""},
	{"Flagstaff", "AZ", 35.20, -111.65, [2]string{"Sunset Crater", "Bonito"}, ""},
	{"Williams", "AZ", 35.25, -112.19, [2]string{"Kaibab Lake", "Bill Williams Mountain"}, ""},
	{"Grand Canyon Village", "AZ", 36.05, -112.14, [2]string{"Mather", "Desert View"}, "Grand Canyon NP"},
	{"Cameron", "AZ", 35.88, -111.41, [2]string{"Little Colorado", "Gray Mountain"}, ""},
	{"Page", "AZ", 36.91, -111.46, [2]string{"Lone Rock", "Lake Powell"}, ""},
	{"Kingman", "AZ", 35.19, -114.05, [2]string{"Hualapai Mountain", "Route 66"}, ""},
	// California
	{"Indio", "CA", 33.72, -116.22, [2]string{"Lake Cahuilla", "Coachella Valley"}, ""},
	{"Joshua Tree", "CA", 34.13, -116.31, [2]string{"Black Rock", "Jumbo Rocks"}, "Joshua Tree NP"},
	{"Twentynine Palms", "CA", 34.14, -116.05, [2]string{"Indian Cove", "Cottonwood Spring"}, "Joshua Tree NP"},
	{"Ocotillo Wells", "CA", 33.14, -116.13, [2]string{"Fish Creek", "Split Mountain"}, ""},
	{"Borrego Springs", "CA", 33.26, -116.37, [2]string{"Borrego Palm Canyon", "Anza-Borrego"}, ""},
	{"Julian", "CA", 33.08, -116.60, [2]string{"William Heise", "Cuyamaca"}, ""},
	{"Barstow", "CA", 34.90, -117.02, [2]string{"Calico", "Rainbow Basin"}, ""},
	{"Lone Pine", "CA", 36.61, -118.06, [2]string{"Alabama Hills", "Whitney Portal"}, ""},
	{"Bishop", "CA", 37.36, -118.40, [2]string{"Pleasant Valley", "Buttermilk"}, ""},
	{"Mammoth Lakes", "CA", 37.65, -118.97, [2]string{"Convict Lake", "Twin Lakes"}, ""},
	{"Lee Vining", "CA", 37.96, -119.12, [2]string{"Tuolumne Meadows", "Mono Lake"}, "Yosemite NP"},
	{"South Lake Tahoe", "CA", 38.93, -119.98, [2]string{"Fallen Leaf Lake", "Emerald Bay"}, ""},
	{"Truckee", "CA", 39.33, -120.18, [2]string{"Donner Lake", "Prosser Creek"}, ""},
	{"Redding", "CA", 40.59, -122.39, [2]string{"Shasta Lake", "Whiskeytown"}, ""},
	{"Mendocino", "CA", 39.31, -123.80, [2]string{"Russian Gulch", "Van Damme"}, ""},
	{"Eureka", "CA", 40.80, -124.16, [2]string{"Samoa Dunes", "Humboldt Bay"}, ""},
	{"Orick", "CA", 41.29, -124.06, [2]string{"Gold Bluffs Beach", "Prairie Creek"}, "Redwood NP"},
	{"Crescent City", "CA", 41.76, -124.20, [2]string{"Jedediah Smith", "Mill Creek"}, "Redwood NP"},
	// Oregon
	{"Bandon", "OR", 43.12, -124.41, [2]string{"Bullards Beach", "Face Rock"}, ""},
	{"Florence", "OR", 43.98, -124.10, [2]string{"Jessie M. Honeyman", "Siuslaw River"}, ""},
	{"Newport", "OR", 44.64, -124.05, [2]string{"South Beach", "Yaquina Bay"}, ""},
	{"Cannon Beach", "OR", 45.89, -123.96, [2]string{"Nehalem Bay", "Ecola"}, ""},
	{"Astoria", "OR", 46.19, -123.83, [2]string{"Fort Stevens", "Columbia River"}, ""},
	{"Bend", "OR", 44.06, -121.31, [2]string{"Tumalo", "Deschutes River"}, ""},
	{"Sisters", "OR", 44.29, -121.55, [2]string{"Cold Springs", "Three Sisters"}, ""},
	{"Prospect", "OR", 42.75, -122.49, [2]string{"Mazama", "Rogue River"}, "Crater Lake NP"},
	{"Medford", "OR", 42.33, -122.87, [2]string{"Emigrant Lake", "Table Rock"}, ""},
	{"Eugene", "OR", 44.05, -123.09, [2]string{"Fern Ridge", "McKenzie River"}, ""},
	{"Pendleton", "OR", 45.67, -118.79, [2]string{"Emigrant Springs", "Umatilla River"}, ""},
	// Washington
	{"Port Townsend", "WA", 48.12, -122.76, [2]string{"Fort Worden", "Fort Flagler"}, ""},
	{"Port Angeles", "WA", 48.12, -123.43, [2]string{"Heart O' the Hills", "Salt Creek"}, "Olympic NP"},
	{"Forks", "WA", 47.95, -124.39, [2]string{"Mora", "Bogachiel"}, "Olympic NP"},
	{"Quinault", "WA", 47.47, -123.85, [2]string{"Graves Creek", "Willaby"}, "Olympic NP"},
	{"Spokane", "WA", 47.66, -117.43, [2]string{"Riverside", "Mount Spokane"}, ""},
	// British Columbia and Alberta
	{"Osoyoos", "BC", 49.03, -119.47, [2]string{"Haynes Point", "Osoyoos Lake"}, ""},
	{"Penticton", "BC", 49.49, -119.59, [2]string{"Skaha Lake", "Okanagan Lake"}, ""},
	{"Kelowna", "BC", 49.89, -119.50, [2]string{"Bear Creek", "Fintry"}, ""},
	{"Vernon", "BC", 50.27, -119.27, [2]string{"Ellison", "Kalamalka Lake"}, ""},
	{"Kamloops", "BC", 50.67, -120.33, [2]string{"Paul Lake", "Thompson River"}, ""},
	{"Golden", "BC", 51.30, -116.97, [2]string{"Kicking Horse", "Blaeberry"}, "Yoho NP"},
	{"Cranbrook", "BC", 49.51, -115.77, [2]string{"Moyie Lake", "Jimsmith Lake"}, ""},
	{"Canmore", "AB", 51.09, -115.36, [2]string{"Spray Lakes", "Bow River"}, ""},
	{"Banff", "AB", 51.18, -115.57, [2]string{"Tunnel Mountain", "Two Jack Lake"}, "Banff NP"},
	{"Lake Louise", "AB", 51.43, -116.18, [2]string{"Lake Louise", "Mosquito Creek"}, "Banff NP"},
	{"Jasper", "AB", 52.87, -118.08, [2]string{"Whistlers", "Wapiti"}, "Jasper NP"},
	{"Lethbridge", "AB", 49.69, -112.84, [2]string{"Henderson Lake", "Oldman River"}, ""},
	// Montana and Wyoming
	{"Whitefish", "MT", 48.41, -114.34, [2]string{"Whitefish Lake", "Big Mountain"}, ""},
	{"West Glacier", "MT", 48.50, -113.98, [2]string{"Apgar", "Fish Creek"}, "Glacier NP"},
	{"St. Mary", "MT", 48.75, -113.44, [2]string{"Rising Sun", "Many Glacier"}, "Glacier NP"},
	{"East Glacier Park", "MT", 48.44, -113.22, [2]string{"Two Medicine", "Lower Two Medicine Lake"}, "Glacier NP"},
	{"Missoula", "MT", 46.87, -113.99, [2]string{"Clark Fork", "Lolo Creek"}, ""},
	{"Great Falls", "MT", 47.50, -111.30, [2]string{"Giant Springs", "Missouri River"}, ""},
	{"Bozeman", "MT", 45.68, -111.04, [2]string{"Hyalite", "Gallatin River"}, ""},
	{"Billings", "MT", 45.78, -108.50, [2]string{"Pictograph Cave", "Yellowstone River"}, ""},
	{"West Yellowstone", "MT", 44.66, -111.10, [2]string{"Madison", "Hebgen Lake"}, "Yellowstone NP"},
	{"Gardiner", "MT", 45.03, -110.71, [2]string{"Mammoth", "Eagle Creek"}, "Yellowstone NP"},
	{"Grant Village", "WY", 44.39, -110.55, [2]string{"Grant Village", "Lewis Lake"}, "Yellowstone NP"},
	{"Cody", "WY", 44.53, -109.06, [2]string{"Buffalo Bill", "Wapiti Valley"}, ""},
	{"Jackson", "WY", 43.48, -110.76, [2]string{"Gros Ventre", "Curtis Canyon"}, "Grand Teton NP"},
	{"Moran", "WY", 43.84, -110.51, [2]string{"Colter Bay", "Signal Mountain"}, "Grand Teton NP"},
	{"Pinedale", "WY", 42.87, -109.86, [2]string{"Fremont Lake", "Half Moon Lake"}, ""},
	{"Casper", "WY", 42.85, -106.33, [2]string{"Alcova", "Casper Mountain"}, ""},
	{"Cheyenne", "WY", 41.14, -104.82, [2]string{"Curt Gowdy", "Crow Creek"}, ""},
	// Idaho and Nevada
	{"McCall", "ID", 44.91, -116.10, [2]string{"Ponderosa", "Payette Lake"}, ""},
	{"Stanley", "ID", 44.22, -114.94, [2]string{"Redfish Lake", "Stanley Lake"}, ""},
	{"Ketchum", "ID", 43.68, -114.36, [2]string{"Wood River", "Sawtooth"}, ""},
	{"Boise", "ID", 43.62, -116.20, [2]string{"Lucky Peak", "Boise River"}, ""},
	{"Twin Falls", "ID", 42.56, -114.46, [2]string{"Shoshone Falls", "Snake River"}, ""},
	{"Ely", "NV", 39.25, -114.89, [2]string{"Ward Charcoal Ovens", "Cave Lake"}, ""},
	{"Baker", "NV", 39.01, -114.12, [2]string{"Wheeler Peak", "Lehman Caves"}, "Great Basin NP"},
	{"Austin", "NV", 39.49, -117.07, [2]string{"Bob Scott", "Toiyabe"}, ""},
	{"Winnemucca", "NV", 40.97, -117.74, [2]string{"Water Canyon", "Humboldt River"}, ""},
	{"Reno", "NV", 39.53, -119.81, [2]string{"Washoe Lake", "Pyramid Lake"}, ""},
	{"Las Vegas", "NV", 36.17, -115.14, [2]string{"Red Rock Canyon", "Lake Mead"}, ""},
	// Utah
	{"Springdale", "UT", 37.19, -113.00, [2]string{"Watchman", "Virgin River"}, "Zion NP"},
	{"Kanab", "UT", 37.05, -112.53, [2]string{"Coral Pink Sand Dunes", "Johnson Canyon"}, ""},
	{"Bryce Canyon City", "UT", 37.67, -112.16, [2]string{"Sunset", "Red Canyon"}, "Bryce Canyon NP"},
	{"Torrey", "UT", 38.30, -111.42, [2]string{"Fruita", "Sunglow"}, "Capitol Reef NP"},
	{"Green River", "UT", 38.99, -110.16, [2]string{"Goblin Valley", "Green River"}, ""},
	{"Moab", "UT", 38.57, -109.55, [2]string{"Devils Garden", "Sand Flats"}, "Arches NP"},
	{"Monticello", "UT", 37.87, -109.34, [2]string{"Needles", "Dalton Springs"}, "Canyonlands NP"},
	{"Bluff", "UT", 37.28, -109.55, [2]string{"Valley of the Gods", "Sand Island"}, ""},
	{"Salt Lake City", "UT", 40.76, -111.89, [2]string{"Great Salt Lake", "Big Cottonwood"}, ""},
	// Colorado and South Dakota
	{"Cortez", "CO", 37.35, -108.59, [2]string{"Morefield", "McPhee Reservoir"}, "Mesa Verde NP"},
	{"Durango", "CO", 37.28, -107.88, [2]string{"Junction Creek", "Animas River"}, ""},
	{"Pagosa Springs", "CO", 37.27, -107.01, [2]string{"Navajo Lake", "Williams Creek"}, ""},
	{"Silverton", "CO", 37.81, -107.66, [2]string{"South Mineral", "Molas Lake"}, ""},
	{"Ouray", "CO", 38.02, -107.67, [2]string{"Amphitheater", "Box Canon"}, ""},
	{"Ridgway", "CO", 38.15, -107.76, [2]string{"Ridgway Reservoir", "Dallas Creek"}, ""},
	{"Telluride", "CO", 37.94, -107.81, [2]string{"Sunshine", "Matterhorn"}, ""},
	{"Buena Vista", "CO", 38.84, -106.13, [2]string{"Cottonwood Lake", "Arkansas River"}, ""},
	{"Leadville", "CO", 39.25, -106.29, [2]string{"Turquoise Lake", "Twin Lakes"}, ""},
	{"Grand Lake", "CO", 40.25, -105.82, [2]string{"Timber Creek", "Lake Granby"}, "Rocky Mountain NP"},
	{"Estes Park", "CO", 40.38, -105.52, [2]string{"Moraine Park", "Glacier Basin"}, "Rocky Mountain NP"},
	{"Grand Junction", "CO", 39.06, -108.55, [2]string{"Saddlehorn", "Highline Lake"}, ""},
	{"Colorado Springs", "CO", 38.83, -104.82, [2]string{"Garden of the Gods", "Cheyenne Mountain"}, ""},
	{"Rapid City", "SD", 44.08, -103.23, [2]string{"Sheridan Lake", "Pactola"}, ""},
	{"Custer", "SD", 43.77, -103.60, [2]string{"Sylvan Lake", "Blue Bell"}, ""},
	{"Keystone", "SD", 43.90, -103.42, [2]string{"Horsethief Lake", "Mount Rushmore"}, ""},
	{"Wall", "SD", 43.99, -102.24, [2]string{"Cedar Pass", "Sage Creek"}, "Badlands NP"},
	// New Mexico
	{"Santa Fe", "NM", 35.69, -105.94, [2]string{"Hyde Memorial", "Black Canyon"}, ""},
	{"Abiquiu", "NM", 36.21, -106.32, [2]string{"Abiquiu Lake", "Ghost Ranch"}, ""},
	{"Taos", "NM", 36.41, -105.57, [2]string{"Orilla Verde", "Rio Grande Gorge"}, ""},
	{"Chama", "NM", 36.90, -106.58, [2]string{"Heron Lake", "El Vado Lake"}, ""},
	{"Las Cruces", "NM", 32.32, -106.76, [2]string{"Organ Mountains", "Leasburg Dam"}, ""},
	{"Alamogordo", "NM", 32.90, -105.96, [2]string{"Oliver Lee", "Dog Canyon"}, "White Sands NP"},
	{"Ruidoso", "NM", 33.33, -105.67, [2]string{"Bonito Lake", "Grindstone Lake"}, ""},
	{"Truth or Consequences", "NM", 33.13, -107.25, [2]string{"Elephant Butte", "Caballo Lake"}, ""},
	{"Albuquerque", "NM", 35.08, -106.65, [2]string{"Sandia", "Rio Grande"}, ""},
	// Texas
	{"Fort Davis", "TX", 30.59, -103.89, [2]string{"Davis Mountains", "Madera Canyon"}, ""},
	{"Alpine", "TX", 30.36, -103.66, [2]string{"Twin Peaks", "Paisano Pass"}, ""},
	{"Marathon", "TX", 30.21, -103.24, [2]string{"Persimmon Gap", "Post Park"}, ""},
	{"Terlingua", "TX", 29.32, -103.62, [2]string{"Chisos Basin", "Rio Grande Village"}, "Big Bend NP"},
	{"Fredericksburg", "TX", 30.27, -98.87, [2]string{"Enchanted Rock", "Pedernales"}, ""},
	{"Kerrville", "TX", 30.05, -99.14, [2]string{"Guadalupe River", "Kerrville-Schreiner"}, ""},
	{"Bandera", "TX", 29.73, -99.07, [2]string{"Medina River", "Hill Country"}, ""},
	{"Concan", "TX", 29.50, -99.71, [2]string{"Garner", "Frio River"}, ""},
	{"Mission", "TX", 26.22, -98.33, [2]string{"Bentsen-Rio Grande", "Anzalduas"}, ""},
	{"Port Isabel", "TX", 26.07, -97.21, [2]string{"Laguna Madre", "Port Isabel Lighthouse"}, ""},
	{"South Padre Island", "TX", 26.11, -97.17, [2]string{"Isla Blanca", "Andy Bowie"}, ""},
	{"Port Aransas", "TX", 27.83, -97.06, [2]string{"Mustang Island", "Padre Balli"}, ""},
	{"Rockport", "TX", 28.02, -97.05, [2]string{"Goose Island", "Aransas Bay"}, ""},
	{"Corpus Christi", "TX", 27.80, -97.40, [2]string{"Padre Island", "Lake Corpus Christi"}, ""},
	{"Roma", "TX", 26.41, -99.02, [2]string{"Roma Bluffs", "Falcon"}, ""},
	{"Zapata", "TX", 26.91, -99.27, [2]string{"Falcon Lake", "San Ygnacio"}, ""},
	{"Laredo", "TX", 27.53, -99.49, [2]string{"Lake Casa Blanca", "Rio Grande"}, ""},
	{"Amarillo", "TX", 35.22, -101.83, [2]string{"Palo Duro Canyon", "Lake Meredith"}, ""},
	{"El Paso", "TX", 31.76, -106.49, [2]string{"Franklin Mountains", "Hueco Tanks"}, ""},
	{"San Angelo", "TX", 31.46, -100.44, [2]string{"Twin Buttes", "Concho River"}, ""},
}

var placeIndex = func() map[string]int {
	m := make(map[string]int, len(places))
	for i := range places {
		m[places[i].Name] = i
	}
	return m
}()

// pl returns the index of the named place; an unknown name is a bug in
// the tables below.
func pl(name string) int {
	i, ok := placeIndex[name]
	if !ok {
		panic("demo: unknown place " + name)
	}
	return i
}

// tripTemplate is a loop the couple drives. Order places summer trips on
// the season's path: the south-west in spring, the northern Rockies and
// Canada in high summer, the Pacific coast and the Sierra in the fall.
type tripTemplate struct {
	Title string
	Order int
	Stops []string
}

var summerTrips = []tripTemplate{
	{"Texas Hill Country", 4, []string{"Fredericksburg", "Kerrville", "Bandera", "Concan"}},
	{"Big Bend & West Texas", 5, []string{"Fort Davis", "Alpine", "Marathon", "Terlingua"}},
	{"White Sands & southern New Mexico", 8, []string{"Las Cruces", "Alamogordo", "Ruidoso", "Truth or Consequences"}},
	{"Sedona & Verde Valley", 10, []string{"Cottonwood", "Sedona", "Flagstaff", "Williams"}},
	{"Grand Canyon South Rim", 12, []string{"Williams", "Grand Canyon Village", "Cameron", "Page"}},
	{"Santa Fe & Taos", 14, []string{"Santa Fe", "Abiquiu", "Taos", "Chama"}},
	{"Utah's Mighty Five", 16, []string{"Springdale", "Kanab", "Bryce Canyon City", "Torrey", "Moab"}},
	{"Moab & Canyonlands", 18, []string{"Green River", "Moab", "Monticello", "Bluff"}},
	{"Four Corners & Mesa Verde", 20, []string{"Bluff", "Cortez", "Durango", "Pagosa Springs"}},
	{"San Juan Skyway", 22, []string{"Durango", "Silverton", "Ouray", "Ridgway", "Telluride"}},
	{"Colorado high country", 24, []string{"Grand Junction", "Buena Vista", "Leadville", "Grand Lake", "Estes Park"}},
	{"Black Hills & Badlands", 26, []string{"Wall", "Rapid City", "Keystone", "Custer"}},
	{"Grand Teton & Jackson Hole", 28, []string{"Pinedale", "Jackson", "Moran"}},
	{"Yellowstone loop", 30, []string{"West Yellowstone", "Grant Village", "Gardiner", "Cody"}},
	{"Glacier National Park", 32, []string{"Whitefish", "West Glacier", "St. Mary", "East Glacier Park"}},
	{"Canadian Rockies", 34, []string{"Canmore", "Banff", "Lake Louise", "Jasper"}},
	{"Okanagan wine country", 36, []string{"Vernon", "Kelowna", "Penticton", "Osoyoos"}},
	{"Idaho hot springs", 37, []string{"McCall", "Stanley", "Ketchum", "Boise"}},
	{"Olympic Peninsula", 38, []string{"Port Townsend", "Port Angeles", "Forks", "Quinault"}},
	{"Oregon Coast", 40, []string{"Astoria", "Cannon Beach", "Newport", "Florence", "Bandon"}},
	{"Bend & Crater Lake", 41, []string{"Bend", "Sisters", "Prospect"}},
	{"Redwoods & the Lost Coast", 42, []string{"Crescent City", "Orick", "Eureka", "Mendocino"}},
	{"Lake Tahoe & the Sierra", 44, []string{"Truckee", "South Lake Tahoe", "Lee Vining"}},
	{"Eastern Sierra", 46, []string{"Mammoth Lakes", "Bishop", "Lone Pine"}},
	{"Great Basin & the Loneliest Road", 48, []string{"Austin", "Ely", "Baker"}},
}

// winterBase is where the couple parks from November to March, with the
// park they rent a site in and short trips from there.
type winterBase struct {
	Place string
	Park  string
	Trips []tripTemplate
}

var winterBases = []winterBase{
	{"Yuma", "Desert Palms RV Resort", []tripTemplate{
		{"Joshua Tree & Palm Springs", 0, []string{"Indio", "Joshua Tree", "Twentynine Palms"}},
		{"Anza-Borrego wildflowers", 0, []string{"Ocotillo Wells", "Borrego Springs", "Julian"}},
		{"Quartzsite & the Colorado River", 0, []string{"Quartzsite", "Parker", "Lake Havasu City"}},
		{"Organ Pipe & the Sonoran Desert", 0, []string{"Gila Bend", "Ajo", "Lukeville"}},
	}},
	{"Tucson", "Saguaro Sky RV Park", []tripTemplate{
		{"Tombstone & Bisbee", 0, []string{"Benson", "Tombstone", "Bisbee"}},
		{"Chiricahua & Willcox", 0, []string{"Willcox", "Portal", "Benson"}},
		{"Patagonia & Tubac", 0, []string{"Tubac", "Patagonia", "Sonoita"}},
		{"Organ Pipe & the Sonoran Desert", 0, []string{"Gila Bend", "Ajo", "Lukeville"}},
	}},
	{"Mission", "Palmview Winter Resort", []tripTemplate{
		{"South Padre & the Gulf Coast", 0, []string{"Port Isabel", "South Padre Island", "Port Aransas"}},
		{"Corpus Christi & Rockport", 0, []string{"Corpus Christi", "Rockport", "Port Aransas"}},
		{"Falcon Lake & Laredo", 0, []string{"Roma", "Zapata", "Laredo"}},
	}},
}

// haversine is the great-circle distance in km.
func haversine(lat1, lon1, lat2, lon2 float64) float64 {
	const r = 6371.0
	rad := math.Pi / 180
	dlat := (lat2 - lat1) * rad
	dlon := (lon2 - lon1) * rad
	a := math.Sin(dlat/2)*math.Sin(dlat/2) + math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dlon/2)*math.Sin(dlon/2)
	return 2 * r * math.Asin(math.Sqrt(a))
}

// roadKm is the driving distance between two places: the great circle
// times a typical road factor, in whole km.
func roadKm(a, b int) int {
	if a == b {
		return 0
	}
	pa, pb := &places[a], &places[b]
	return int(math.Round(haversine(pa.Lat, pa.Lon, pb.Lat, pb.Lon) * 1.25))
}

// nearestPlace is the catalogue place closest to a point.
func nearestPlace(lat, lon float64) int {
	best, bd := 0, math.Inf(1)
	for i := range places {
		// Equirectangular is plenty to rank neighbours.
		dx := (places[i].Lon - lon) * math.Cos(lat*math.Pi/180)
		dy := places[i].Lat - lat
		if d := dx*dx + dy*dy; d < bd {
			best, bd = i, d
		}
	}
	return best
}

// slug turns a name into a URL path segment.
func slug(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			b.WriteRune(r)
			dash = false
		case !dash && b.Len() > 0:
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}
