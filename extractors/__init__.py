"""Pure extraction code: images or text in, records out. No Prefect, no database, no web."""
