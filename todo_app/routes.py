"""Page routes, named once."""

HOME = "/"
LOGIN = "/login"
REGISTER = "/register"
SETTINGS = "/settings"
ACTIVITY = "/activity"
STATS = "/stats"
