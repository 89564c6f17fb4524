package intent

var debugScores func(string, float64)
