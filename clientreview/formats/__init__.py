"""Date formats of the project's languages, where Django's own do not fit (FORMAT_MODULE_PATH)."""
