ORIGIN = "bundled resource"
