"""The curator and researcher web app (Flask), on its own host name beside pywb replay."""
